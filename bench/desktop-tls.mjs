// What TLS costs the browser desktop (issue 11): the same noVNC page, once from a localhost VM (plain
// http) and once from a --bind-all VM (TLS and sign-in), both served by the VM's own web front, with the
// same busy screen (an xterm redrawn with new random text many times a second). Per round and VM, for DURATION s:
//   - updates/s: WebSocket messages the page received (the VNC stream as the front relays it; a proxy for
//     the frame rate, which is bounded by how fast the page asks for and draws frames);
//   - payload MB/s: what those messages carried;
//   - wire bytes per payload byte: the VM's network bytes sent (eth0) over the payload: TLS records, TCP
//     and WebSocket framing;
//   - front CPU: user+system CPU seconds of the web front's processes in the VM (the TLS work is theirs).
// ROUNDS rounds, the two VMs alternating (first one, then the other, then the other way round), medians;
// printed as TLS / plain ratios. Printed, never asserted. Needs a running engine and the local mirror
// (scripts/engine/up.sh) and Debian's chromium.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { despiteNetworkChanges, openNoVnc, withChromium } from '../test/helpers/browser.ts';
import { removeLabelled, runCleanup } from './engine-cleanup.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CREATE_BIN = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const ROUNDS = Number(process.env.DOCKERVM_BENCH_ROUNDS ?? 3);
const DURATION_S = 12;
const work = mkdtempSync(join(tmpdir(), 'dvmbench-tls-'));
const run = Date.now().toString(36).slice(-4);

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${(result.stderr ?? '').slice(-2000)}`);
  return result.stdout;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Scaffolds and starts one VM; `exposed` makes it a --bind-all VM published on 127.0.0.1 all the same. */
function startVm(kind, exposed, cleanup) {
  const name = `dvmbench-tls-${kind}-${run}`;
  const dir = join(work, name);
  sh(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install', ...(exposed ? ['--bind-all'] : [])], {
    env: { ...process.env, DOCKERVM_REGISTRY_MIRROR: MIRROR },
  });
  // Each VM its own host ports (the scaffolder picked free ones, but both were picked before either ran).
  const env = join(dir, '.env');
  writeFileSync(env, readFileSync(env, 'utf8').replace(/^(DOCKERVM_\w+_PORT)=.*$/gm, '$1=0'));
  if (exposed) {
    // Measured on this machine only: the ports go back to 127.0.0.1.
    const compose = join(dir, 'compose.yaml');
    writeFileSync(compose, readFileSync(compose, 'utf8').replaceAll('- 0.0.0.0:', '- 127.0.0.1:'));
  }
  cleanup.push(() => removeLabelled(name));
  cleanup.push(() => sh('docker', ['compose', 'down', '--volumes', '--timeout', '5'], { cwd: dir }));
  process.stderr.write(`bench: building and starting the ${kind} VM…\n`);
  sh('docker', ['compose', 'up', '--detach', '--build', '--wait', '--wait-timeout', '600'], { cwd: dir });
  const port = Number(sh('docker', ['compose', 'port', 'vm', '6080'], { cwd: dir }).trim().split(':').pop());
  const user = sh('docker', ['compose', 'exec', '-T', 'vm', 'sh', '-c', 'ls /home | head -n1'], { cwd: dir }).trim();
  const exec = (script) => sh('docker', ['compose', 'exec', '-T', '-u', user, 'vm', 'sh', '-c', script], { cwd: dir });
  const secret = (file) => readFileSync(join(dir, 'secrets', file), 'utf8').trim();
  return { kind, exposed, dir, port, exec, secret };
}

/**
 * Network bytes the VM sent, and CPU ticks per process of the web front (every process running
 * desktop-web: the front forks one per connection), so a delta counts only what ran in between.
 */
function counters(vm) {
  const lines = vm
    .exec(
      'getconf CLK_TCK; cat /sys/class/net/eth0/statistics/tx_bytes; ' +
        "for p in $(pgrep -f '[p]ython3 .*desktop-web'); do set -- $(sed 's/^.*) //' /proc/$p/stat 2>/dev/null); [ $# -gt 12 ] && echo \"$p $((${12} + ${13}))\"; done",
    )
    .trim()
    .split('\n');
  const [hz, tx] = lines.slice(0, 2).map(Number);
  const ticks = new Map(lines.slice(2).map((line) => line.split(' ').map(Number)));
  return { hz, tx, ticks };
}

/** CPU seconds the front used between two counters: processes that ended in between are not counted. */
function frontCpuSeconds(before, after) {
  let ticks = 0;
  for (const [pid, now] of after.ticks) ticks += now - (before.ticks.get(pid) ?? 0);
  return ticks / after.hz;
}

async function measure(vm) {
  return withChromium(async ({ browser }) => {
    const context = await browser.newContext({ ignoreHTTPSErrors: vm.exposed, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let messages = 0;
    let payload = 0;
    cdp.on('Network.webSocketFrameReceived', ({ response }) => {
      messages++;
      // Binary frames arrive base64-encoded (opcode 2), text frames as they are.
      payload += response.opcode === 2 ? Buffer.byteLength(response.payloadData, 'base64') : Buffer.byteLength(response.payloadData);
    });
    const base = `${vm.exposed ? 'https' : 'http'}://127.0.0.1:${vm.port}/`;
    if (vm.exposed) {
      await page.goto(`${base}dockervm/login`, { timeout: 60_000 });
      await page.fill('#password', vm.secret('desktop_password'), { timeout: 10_000 });
      await Promise.all([page.waitForURL(/vnc\.html/, { timeout: 60_000 }), page.click('button[type=submit]', { timeout: 10_000 })]);
    }
    await openNoVnc(page, { url: base, password: vm.exposed ? undefined : vm.secret('vnc_password'), timeoutMs: 120_000 });
    await sleep(2000);
    const before = counters(vm);
    messages = 0;
    payload = 0;
    // A screen that changes everywhere, many times a second: new random text on a cleared xterm (a
    // scrolling listing would travel as cheap CopyRect moves and measure next to nothing).
    vm.exec(
      `(DISPLAY=:1 setsid timeout ${DURATION_S} xterm -geometry 160x50+0+0 -e sh -c 'while :; do clear; head -c 5000 /dev/urandom | base64 -w 150; sleep 0.05; done' >/dev/null 2>&1 &)`,
    );
    const started = Date.now();
    await sleep(DURATION_S * 1000);
    const seconds = (Date.now() - started) / 1000;
    const after = counters(vm);
    const received = { messages, payload };
    await sleep(1500); // the xterm's timeout ends it; let the screen settle before the other VM's turn
    await context.close();
    return {
      updatesPerSecond: received.messages / seconds,
      payloadMBps: received.payload / 1e6 / seconds,
      wirePerPayload: (after.tx - before.tx) / received.payload,
      frontCpuSeconds: frontCpuSeconds(before, after),
      frontCpuPerMB: frontCpuSeconds(before, after) / (received.payload / 1e6),
    };
  });
}

const cleanup = [];
try {
  const plain = startVm('plain', false, cleanup);
  const tls = startVm('tls', true, cleanup);
  const results = { plain: [], tls: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [plain, tls] : [tls, plain];
    for (const vm of order) {
      const result = await despiteNetworkChanges(() => measure(vm));
      results[vm.kind].push(result);
      process.stderr.write(
        `bench: round ${round + 1} ${vm.kind}: ${result.updatesPerSecond.toFixed(1)} updates/s, ${result.payloadMBps.toFixed(2)} MB/s, ` +
          `${result.wirePerPayload.toFixed(3)} wire bytes per payload byte, front CPU ${result.frontCpuSeconds.toFixed(2)} s\n`,
      );
    }
  }
  const med = (kind, key) => median(results[kind].map((r) => r[key]));
  const row = (label, key, digits) => {
    const [p, t] = [med('plain', key), med('tls', key)];
    return `  ${label.padEnd(34)} plain ${p.toFixed(digits).padStart(8)}   TLS ${t.toFixed(digits).padStart(8)}   TLS/plain ${(t / p).toFixed(2)}×`;
  };
  console.log(`The browser desktop, plain http vs TLS (median of ${ROUNDS} rounds of ${DURATION_S} s, an xterm redrawn with random text):`);
  console.log(row('updates/s received by the page', 'updatesPerSecond', 1));
  console.log(row('payload MB/s', 'payloadMBps', 2));
  console.log(row('wire bytes per payload byte', 'wirePerPayload', 3));
  console.log(row('web front CPU s per payload MB', 'frontCpuPerMB', 3));
} finally {
  runCleanup(cleanup);
  rmSync(work, { recursive: true, force: true });
}
