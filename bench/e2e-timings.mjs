// The default VM (novnc + openbox, supervisord, rootfs persistence) on the real engine, in one run, next to
// the same desktop under runit and without a disk, to show where start-up time goes:
// - build without layer cache vs rebuild after editing one file under rootfs/ (goal ≤ 3 s warm);
//   apt downloads stay in BuildKit's cache mount either way, so "cold" here is the install, not the download
// - from `docker compose up -d` (image built) to the RFB handshake on 127.0.0.1 (goal ≤ 2 s) and to the
//   first pixels in headless Chromium through noVNC (goal ≤ 4 s): a VM's first start (its disk is seeded
//   from the image) and a later one (disk kept)
// - idle memory of the VM after 30 s, `docker stats --no-stream` (goal ≤ 80 MB)
// Printed, never asserted. Needs the engine + local mirror (scripts/engine/up.sh) and Debian's chromium.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { withChromium } from '../test/helpers/browser.ts';
import { timeStart } from './desktop-start.mjs';
import { removeLabelled } from './engine-cleanup.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CREATE_BIN = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'dvmbench-'));
const PROJECTS = [
  { name: 'dvmbench-default', what: 'default: supervisord, rootfs disk', args: [], disk: true },
  { name: 'dvmbench-runit', what: 'runit, rootfs disk', args: ['--supervisor', 'runit'], disk: true },
  { name: 'dvmbench-nodisk', what: 'supervisord, no disk (--persistence none)', args: ['--persistence', 'none'], disk: false },
];

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20 * 60_000, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${(result.stderr ?? '').slice(-3000)}`);
  return result.stdout;
}

function timed(fn) {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

function scaffold(project) {
  const dir = join(work, project.name);
  sh(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install', '--uid', '1000', '--gid', '1000', ...project.args], {
    cwd: work,
    env: { ...process.env, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: MIRROR, HOME: work },
  });
  const compose = readFileSync(join(dir, 'compose.yaml'), 'utf8');
  const port = (container) => Number(new RegExp(`127\\.0\\.0\\.1:(\\d+):${container}\\b`).exec(compose)[1]);
  const password = readFileSync(join(dir, 'secrets/vnc_password'), 'utf8').trim();
  return { ...project, dir, vnc: port(5901), novnc: port(6080), password };
}

const vms = [];
try {
  for (const project of PROJECTS) vms.push(scaffold(project));
  const main = vms[0];
  const cold = timed(() => sh('docker', ['compose', 'build', '--no-cache', '--quiet'], { cwd: main.dir }));
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    appendFileSync(join(main.dir, 'rootfs/etc/xdg/openbox/menu.xml'), `<!-- edit ${i} -->\n`);
    warm.push(timed(() => sh('docker', ['compose', 'build', '--quiet'], { cwd: main.dir })));
  }
  for (const vm of vms.slice(1)) sh('docker', ['compose', 'build', '--quiet'], { cwd: vm.dir });

  const rows = [];
  await withChromium(async ({ context }) => {
    for (const vm of vms) {
      const kinds = vm.disk
        ? [
            ['first start, disk seeded', true],
            ['later start, disk kept', false],
          ]
        : [['any start', false]];
      for (const [kind, freshDisk] of kinds) {
        const rfb = [];
        const pixels = [];
        for (let i = 0; i < RUNS; i++) {
          const result = await timeStart(vm, context, { freshDisk });
          rfb.push(result.rfb);
          pixels.push(result.pixels);
          process.stderr.write(`${vm.name}, ${kind}: RFB ${s(result.rfb)}, first pixels ${s(result.pixels)}\n`);
        }
        rows.push(`| ${vm.what}, ${kind} | ${s(median(rfb))} | ${s(median(pixels))} |`);
      }
      await sleep(30_000);
      const memory = sh('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', `${vm.name}-vm-1`]).trim();
      vm.memory = memory.split(' / ')[0];
      sh('docker', ['compose', 'down', '--timeout', '5'], { cwd: vm.dir });
    }
  });

  console.log('| build | result | goal |');
  console.log('|---|---:|---:|');
  console.log(`| default VM, build without layer cache (apt downloads cached) | ${s(cold)} | |`);
  console.log(`| rebuild after editing one rootfs/ file (median of ${RUNS}) | ${s(median(warm))} | ≤ 3 s |`);
  console.log(`| warm rebuild / cold build | ${((median(warm) / cold) * 100).toFixed(1)} % | |`);
  console.log(`\n| start (median of ${RUNS}) | \`up -d\` → RFB handshake (goal ≤ 2 s) | \`up -d\` → first pixels in Chromium (goal ≤ 4 s) |`);
  console.log('|---|---:|---:|');
  for (const row of rows) console.log(row);
  console.log('\n| idle memory after 30 s (docker stats; goal ≤ 80 MB) | |');
  console.log('|---|---:|');
  for (const vm of vms) console.log(`| ${vm.what} | ${vm.memory} |`);
} finally {
  for (const vm of vms) spawnSync('docker', ['compose', 'down', '--volumes', '--rmi', 'all', '--timeout', '5'], { cwd: vm.dir, timeout: 120_000 });
  // Rebuilds leave the replaced images untagged: everything labelled with a bench project goes.
  for (const vm of vms) removeLabelled(vm.name);
  rmSync(work, { recursive: true, force: true });
}
