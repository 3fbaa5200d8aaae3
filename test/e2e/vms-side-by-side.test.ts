// Three VMs made with the defaults, next to each other, running at once: each gets its own host ports
// (chosen at creation, in .env), serves its noVNC page and its VNC port on 127.0.0.1, reports no
// unsaved changes right after booting, and a port taken by another VM is named by `dockervm up`.
// The three Dockerfiles differ only in labels, so the second and third builds come from the cache.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_BIN,
  cleanupProject,
  dockervm,
  dockervmJson,
  engineAvailable,
  MIRROR,
  requireBuiltDockervm,
  scratchDir,
  uniqueName,
} from '../helpers/dockervm-engine.ts';

const haveEngine = engineAvailable();

interface Vm {
  name: string;
  dir: string;
  novnc: number;
  vnc: number;
}

const envPort = (dir: string, variable: string) => Number(new RegExp(`^${variable}=(\\d+)$`, 'm').exec(readFileSync(join(dir, '.env'), 'utf8'))?.[1]);

/** The first bytes a VNC server sends: its protocol version ("RFB 003.008\n"). Bounded. */
function rfbBanner(port: number, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no RFB banner on 127.0.0.1:${port} within ${timeoutMs} ms (got ${JSON.stringify(data)})`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data.length >= 12) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.slice(0, 12));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe.skipIf(!haveEngine)('three default VMs side by side', () => {
  const scratch = scratchDir();
  const vms: Vm[] = [];
  const upSeconds: number[] = [];

  beforeAll(() => {
    requireBuiltDockervm();
    for (const letter of ['a', 'b', 'c']) {
      const name = uniqueName(`side-${letter}`);
      const dir = join(scratch.path, name);
      const made = spawnSync(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH, HOME: scratch.path, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: MIRROR },
      });
      if (made.status !== 0) throw new Error(`create-dockervm ${name}: ${made.stderr}`);
      vms.push({ name, dir, novnc: envPort(dir, 'DOCKERVM_NOVNC_PORT'), vnc: envPort(dir, 'DOCKERVM_VNC_PORT') });
    }
  }, 200_000);
  afterAll(() => {
    for (const vm of vms) cleanupProject(vm.name);
    scratch.cleanup();
    if (upSeconds.length) process.stdout.write(`e2e side by side: dockervm up took ${upSeconds.map((s) => `${s.toFixed(1)} s`).join(', ')}\n`);
  });

  it('each project got its own host ports at creation, all in .env', () => {
    const ports = vms.flatMap((vm) => [vm.novnc, vm.vnc]);
    expect(ports.every((p) => Number.isInteger(p) && p > 0)).toBe(true);
    expect(new Set(ports).size).toBe(6);
    for (const vm of vms) expect(readFileSync(join(vm.dir, 'README.md'), 'utf8')).toContain(`<http://127.0.0.1:${vm.novnc}/>`);
  });

  it('all three run at once; each serves noVNC and VNC on its own ports', { timeout: 1_800_000 }, async () => {
    for (const vm of vms) {
      const started = Date.now();
      let up = dockervm(['up', '--json'], { cwd: vm.dir, timeoutMs: 900_000 });
      // Another run's VM on this engine may have taken a port while this one was built: up names it
      // and the .env line; follow that advice once (never for a clash between these three).
      const advice = /taken by the dockervm project "([^"]+)".*e\.g\. (DOCKERVM_\w+)=(\d+)/.exec(up.stderr);
      if (up.status === 1 && advice && !vms.some((v) => v.name === advice[1])) {
        process.stdout.write(`e2e side by side: ${vm.name}: ${advice[0]}; moving it\n`);
        const env = readFileSync(join(vm.dir, '.env'), 'utf8');
        writeFileSync(join(vm.dir, '.env'), env.replace(new RegExp(`^${advice[2]}=.*$`, 'm'), `${advice[2]}=${advice[3]}`));
        vm.novnc = envPort(vm.dir, 'DOCKERVM_NOVNC_PORT');
        vm.vnc = envPort(vm.dir, 'DOCKERVM_VNC_PORT');
        up = dockervm(['up', '--json'], { cwd: vm.dir, timeoutMs: 900_000 });
      }
      expect(up.status, `${vm.name}: ${up.stderr.slice(-3000)}`).toBe(0);
      upSeconds.push((Date.now() - started) / 1000);
      expect(JSON.parse(up.stdout)).toMatchObject({ state: 'running', health: 'healthy' });
    }
    for (const vm of vms) {
      const page = await fetch(`http://127.0.0.1:${vm.novnc}/`, { signal: AbortSignal.timeout(10_000) });
      expect(page.status, vm.name).toBe(200);
      expect(await page.text()).toMatch(/noVNC/i);
      expect(await rfbBanner(vm.vnc)).toMatch(/^RFB 003\.00\d\n$/);
    }
  });

  it("status and open name each VM's own URL, and a VM just booted has no unsaved changes", () => {
    for (const vm of vms) {
      const status = dockervmJson<{ addresses: { kind: string; url: string }[]; unsavedPaths: string[] }>(['status'], { cwd: vm.dir });
      expect(status.addresses).toContainEqual({ kind: 'novnc', container: 6080, url: `http://127.0.0.1:${vm.novnc}/` });
      expect(status.unsavedPaths, vm.name).toEqual([]);
      expect(dockervmJson<{ url: string }>(['open'], { cwd: vm.dir }).url).toBe(`http://127.0.0.1:${vm.novnc}/`);
    }
  });

  it('up with a port another VM holds: one line naming that VM and the .env line, exit 1', () => {
    const [first, , third] = vms as [Vm, Vm, Vm];
    const env = readFileSync(join(third.dir, '.env'), 'utf8');
    writeFileSync(join(third.dir, '.env'), env.replace(/^DOCKERVM_NOVNC_PORT=.*$/m, `DOCKERVM_NOVNC_PORT=${first.novnc}`));
    const clash = dockervm(['up'], { cwd: third.dir });
    expect(clash.status).toBe(1);
    expect(clash.stderr).toBe(
      `dockervm up: noVNC port ${first.novnc} is taken by the dockervm project "${first.name}" (container ${first.name}-vm-1): change DOCKERVM_NOVNC_PORT=${first.novnc} in .env (e.g. DOCKERVM_NOVNC_PORT=${clash.stderr.match(/e\.g\. DOCKERVM_NOVNC_PORT=(\d+)/)?.[1]}), then \`npx dockervm up\` again\n`,
    );
    // Nothing changed: the third VM still runs on its own port.
    expect(dockervmJson<{ vm: { state: string } }>(['status'], { cwd: third.dir }).vm.state).toBe('running');
    writeFileSync(join(third.dir, '.env'), env);
  });
});
