// Saves with a VM under watch: the scenario that once froze a VM for good (a save right after `up`,
// in the start period with probes every second, execs all around the freeze), repeated; the VM's
// health read four times a second must never say anything but healthy, the VM is never paused, no
// exec hangs, and every file written before a save is in it. Then what happens when a save dies
// with the VM frozen: the watchdog thaws it by itself, and doctor thaws it at once.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/docker/engine.ts';
import freezeScript from '../../src/docker/scripts/freeze.sh?raw';
import { findFreezer, openFreezer, type CgroupFreezer } from '../../src/docker/freezer.ts';
import {
  cleanupProject,
  DOCKERVM_BIN,
  dockervm,
  dockervmJson,
  engineAvailable,
  inVm,
  mustSh,
  requireBuiltDockervm,
  scaffold,
  scratchDir,
  sh,
  spawnDockervm,
  uniqueName,
} from '../helpers/dockervm-engine.ts';
import { execLoop, run, watchHealth } from '../helpers/vm-watch.ts';

const haveEngine = engineAvailable();
const SAVES = 6;

describe.skipIf(!haveEngine)('saves never freeze or sicken the VM', () => {
  const name = uniqueName('health');
  const scratch = scratchDir();
  let dir = '';
  let vmId = '';

  beforeAll(() => {
    requireBuiltDockervm();
    dir = scaffold(scratch.path, name);
    // Not --wait: the first save must come in the start period, as in the failure it guards against.
    mustSh('docker', ['compose', 'up', '--detach', '--build'], { cwd: dir, timeoutMs: 900_000 });
    vmId = mustSh('docker', ['compose', 'ps', '-q', 'vm'], { cwd: dir }).trim();
  });
  afterAll(() => {
    cleanupProject(name);
    scratch.cleanup();
  });

  it(`${SAVES} saves with execs and probes around them: always healthy, never paused, nothing lost`, async () => {
    const execs = execLoop(vmId);
    // The start period: wait for the first healthy probe (bounded), watching from then on.
    for (let i = 0; i < 300 && !sh('docker', ['inspect', '-f', '{{.State.Health.Status}}', vmId]).stdout.includes('healthy'); i++) await sleep(200);
    const health = watchHealth([vmId]);
    const saved: { id: string; token: string }[] = [];
    try {
      for (let i = 0; i < SAVES; i++) {
        const token = `save-${i}-${Date.now()}`;
        inVm(dir, `echo ${token} > /home/dev/token && echo ${token} > /tmp/layer-token`);
        const save = await run(process.execPath, [DOCKERVM_BIN, 'save', '--json', '-m', token], { cwd: dir, timeoutMs: 300_000 });
        expect(save.status, save.stderr).toBe(0);
        const result = JSON.parse(save.stdout) as { snapshot: { id: string }; freeze: string | null; pausedMs: number };
        expect(result.freeze).toBe('cgroup');
        saved.push({ id: result.snapshot.id, token });
      }
    } finally {
      await health.stop();
      await execs.stop();
    }
    expect(health.readings.length).toBeGreaterThan(SAVES * 4);
    expect(health.readings.filter((r) => r !== 'running healthy')).toEqual([]);
    expect(execs.counts.hung).toBe(0);
    expect(execs.counts.ran).toBeGreaterThan(0);

    // Every save holds the file written just before it (volume and container layer alike).
    for (const s of [saved[0]!, saved.at(-1)!]) {
      dockervmJson(['restore', s.id], { cwd: dir });
      expect(inVm(dir, 'cat /home/dev/token /tmp/layer-token')).toBe(`${s.token}\n${s.token}\n`);
    }
  });

  it('SIGTERM during a save stops it cleanly: VM running, snapshots as they were, no helper left', async () => {
    // The restores above made the VM anew.
    vmId = mustSh('docker', ['compose', 'ps', '-q', 'vm'], { cwd: dir }).trim();
    const before = dockervmJson<{ snapshots: { id: string }[] }>(['snapshots'], { cwd: dir });
    inVm(dir, 'head -c 200000000 /dev/zero > /home/dev/big.bin');
    const child = spawnDockervm(['save', '-m', 'terminated'], dir);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 120_000;
    while (!/copying while the VM runs/.test(stderr) && child.exitCode === null && Date.now() < deadline) await sleep(20);
    expect(child.exitCode, `save ended before it could be stopped:\n${stderr}`).toBeNull();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopping at the next safe point/);
    const after = dockervmJson<{ snapshots: { id: string }[] }>(['snapshots'], { cwd: dir });
    expect(after.snapshots.map((s) => s.id)).toEqual(before.snapshots.map((s) => s.id));
    expect(mustSh('docker', ['inspect', '-f', '{{.State.Status}}', vmId]).trim()).toBe('running');
    expect(
      mustSh('docker', ['ps', '-aq', '--filter', `label=dev.dockervm.project=${name}`, '--filter', 'label=dev.dockervm.role=snapshot-helper']).trim(),
    ).toBe('');
    inVm(dir, 'rm -f /home/dev/big.bin');
  });

  describe('a save that dies with the VM frozen', () => {
    const engine = new Engine(process.env);
    let freezer: CgroupFreezer | undefined;
    const execWorks = () => sh('docker', ['exec', vmId, 'true'], { timeoutMs: 20_000 }).status === 0;

    beforeAll(() => {
      vmId = mustSh('docker', ['compose', 'ps', '-q', 'vm'], { cwd: dir }).trim();
    });
    afterAll(async () => {
      await freezer?.thaw().catch(() => undefined);
      await freezer?.close();
    });

    const open = async () => {
      const image = mustSh('docker', ['inspect', '-f', '{{.Image}}', vmId]).trim();
      const opened = await openFreezer(engine, vmId, image, { 'dev.dockervm.project': name, 'dev.dockervm.role': 'snapshot-helper' });
      if ('unavailable' in opened) throw new Error(opened.unavailable);
      return opened.freezer;
    };

    it('is thawed by the watchdog, with nobody left to thaw it', async () => {
      freezer = await open();
      await freezer.freeze(3);
      expect(await freezer.isFrozen()).toBe(true);
      expect(execWorks()).toBe(false);
      // Nobody thaws: the watchdog does, three seconds after the freeze.
      for (let i = 0; i < 100 && (await freezer.isFrozen()); i++) await sleep(100);
      expect(await freezer.isFrozen()).toBe(false);
      expect(execWorks()).toBe(true);
      await freezer.close();
      freezer = undefined;
    });

    it('is thawed as soon as the connection that holds the freeze goes (a save killed with -9)', async () => {
      freezer = await open();
      const at = await findFreezer(engine, freezer.helperId, vmId);
      if ('unavailable' in at) throw new Error(at.unavailable);
      // What a save does, through the docker CLI, which is then killed: the connection drops.
      // The watchdog is ten minutes away: only the end of stdin can thaw the VM in time.
      const holder = spawn('docker', ['exec', '-i', freezer.helperId, 'sh', '-c', freezeScript, 'freeze.sh', 'hold', at.version, at.dir, '600'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      holder.stdout.on('data', (c: Buffer) => (out += c.toString()));
      for (let i = 0; i < 200 && !out.includes('held'); i++) await sleep(50);
      expect(out).toContain('frozen');
      expect(await freezer.isFrozen()).toBe(true);
      holder.kill('SIGKILL');
      let frozen = true;
      for (let i = 0; i < 50 && frozen; i++) {
        await sleep(100);
        frozen = await freezer.isFrozen();
      }
      expect(frozen).toBe(false);
      expect(execWorks()).toBe(true);
      await freezer.close();
      freezer = undefined;
    });

    it('is thawed at once by doctor, which says so', async () => {
      freezer = await open();
      await freezer.freeze(600);
      // The freezer of the dead save is gone; its helper container would have stayed behind.
      const doctor = dockervm(['doctor', '--json'], { cwd: dir });
      const line = (JSON.parse(doctor.stdout) as { checks: { check: string; status: string; detail: string }[] }).checks.find((c) => c.check === 'vm state');
      expect(line?.detail, doctor.stdout).toMatch(/thawed .*interrupted save/);
      expect(execWorks()).toBe(true);
      expect(await freezer.isFrozen()).toBe(false);
    });
  });
});
