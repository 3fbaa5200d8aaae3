// How fast a generated desktop VM shows its first pixels, for bench/desktop-bench.mjs: from
// `docker compose up -d` (image built) to the RFB handshake on 127.0.0.1 and to the first non-transparent
// pixels that noVNC draws in headless Chromium, on a VM's first start (its disk is seeded from the image)
// and on a later one (disk kept); started by `docker compose up -d` or by `dockervm up --no-wait` (which
// leaves the seeding one-shot out once the disk is seeded).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { openNoVnc } from '../test/helpers/browser.ts';
import { rfbHandshake } from '../test/helpers/rfb.ts';

const DOCKERVM_BIN = join(dirname(dirname(fileURLToPath(import.meta.url))), 'packages/dockervm/bin/dockervm.js');

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10 * 60_000, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${(result.stderr ?? '').slice(-3000)}`);
  return result.stdout;
}

/** Polls every 10 ms until `probe` resolves truthy; bounded in time and count. */
async function until(what, started, probe, timeoutMs = 240_000) {
  let last;
  for (let tries = 0; performance.now() - started < timeoutMs && tries < 24_000; tries++) {
    try {
      if (await probe()) return performance.now() - started;
    } catch (error) {
      last = error;
    }
    await sleep(10);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${last.message})` : ''}`);
}

/** The host ports and the VNC password of a scaffolded project. */
export function vmOf(dir) {
  const compose = readFileSync(join(dir, 'compose.yaml'), 'utf8');
  const env = readFileSync(join(dir, '.env'), 'utf8');
  const port = (variable) => Number(new RegExp(`^${variable}=(\\d+)$`, 'm').exec(env)?.[1]);
  if (!/DOCKERVM_NOVNC_PORT/.test(compose)) throw new Error(`${dir}: not a noVNC desktop`);
  return { dir, vnc: port('DOCKERVM_VNC_PORT'), novnc: port('DOCKERVM_NOVNC_PORT'), password: readFileSync(join(dir, 'secrets/vnc_password'), 'utf8').trim() };
}

/**
 * One start: `down` (with `--volumes` for a first start), then `docker compose up -d` (or, with
 * `by: 'dockervm'`, `dockervm up --no-wait`, from this checkout's build), timed to the RFB handshake and
 * to noVNC's first pixels (the page opened as soon as the web front serves it), in milliseconds.
 */
export async function timeStart(vm, context, { freshDisk, by = 'compose' }) {
  const compose = (args) => sh('docker', ['compose', ...args], { cwd: vm.dir });
  compose(['down', ...(freshDisk ? ['--volumes'] : []), '--timeout', '5']);
  const page = await context.newPage();
  try {
    const started = performance.now();
    if (by === 'dockervm') sh(process.execPath, [DOCKERVM_BIN, 'up', '--no-wait'], { cwd: vm.dir, env: { ...process.env, NO_COLOR: '1' } });
    else compose(['up', '-d']);
    const upReturned = performance.now() - started;
    const rfb = await until('RFB handshake', started, async () =>
      (await rfbHandshake({ host: '127.0.0.1', port: vm.vnc, timeoutMs: 2000 })).serverVersion.startsWith('RFB 003.'),
    );
    await until('noVNC page', started, async () => {
      const response = await fetch(`http://127.0.0.1:${vm.novnc}/vnc.html`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.ok;
    });
    const navigation = performance.now() - started;
    const opened = await openNoVnc(page, { url: `http://127.0.0.1:${vm.novnc}/`, password: vm.password, timeoutMs: 240_000 });
    return { upReturned, rfb, pixels: navigation + opened.firstPixelsMs };
  } finally {
    await page.close();
  }
}

/**
 * Shell that makes the seed-rootfs script at `path` take its cp -a branch (the only copy before the GNU
 * tar pipe, and still the one for bases without GNU tar), and fails when the script has no such switch.
 */
export const seedByCp = (path) => `grep -q '^  gnu_tar=yes$' ${path} && sed -i 's/^  gnu_tar=yes$/  gnu_tar=no/' ${path}`;

/** Median and the runs, as `1.23 s (1.10–1.40)`. */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const s = (ms) => (ms / 1000).toFixed(2);
  return { median: sorted[Math.floor(sorted.length / 2)], text: `${s(sorted[Math.floor(sorted.length / 2)])} s (${s(sorted[0])}–${s(sorted.at(-1))})` };
}
