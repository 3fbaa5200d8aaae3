// The everyday commands on a real engine, with `volumes` persistence (one volume per directory):
// up, status, shell, logs, save/restore across several volumes, Ctrl-C in the middle of a save,
// squash, push to a registry, and down with its unsaved-changes warning.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupProject,
  dockervm,
  dockervmJson,
  engineAvailable,
  inVm,
  mustSh,
  requireBuiltDockervm,
  scaffold,
  scratchDir,
  spawnDockervm,
  uniqueName,
} from '../helpers/dockervm-engine.ts';
import { findRegistryBinary, startRegistry, type RegistryServer } from '../helpers/registry-server.ts';

const haveEngine = engineAvailable();

interface Snap {
  id: string;
  name: string;
  current: boolean;
}

describe.skipIf(!haveEngine)('dockervm lifecycle (volumes persistence)', () => {
  const name = uniqueName('life');
  const scratch = scratchDir();
  let dir = '';
  let registry: RegistryServer | undefined;

  beforeAll(() => {
    requireBuiltDockervm();
    dir = scaffold(scratch.path, name, ['--persistence', 'volumes']);
  });
  afterAll(async () => {
    cleanupProject(name);
    if (registry) {
      const pushed = mustSh('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', `${registry.host}/dvmcli/*`])
        .split('\n')
        .filter(Boolean);
      if (pushed.length) mustSh('docker', ['rmi', ...pushed]);
      await registry.stop();
    }
    scratch.cleanup();
  });

  it('up builds and starts the VM; status, shell and logs describe it', () => {
    const up = dockervmJson<{ state: string; health: string }>(['up'], { cwd: dir });
    expect(up).toMatchObject({ state: 'running', health: 'healthy' });
    const status = dockervmJson<{ persistence: string; vm: { state: string; user: string }; volumes: { name: string }[] }>(['status'], { cwd: dir });
    expect(status.persistence).toBe('volumes');
    expect(status.vm).toMatchObject({ state: 'running', user: 'dev' });
    // One volume per persisted directory (their names are the generator's business).
    expect(status.volumes).toHaveLength(7);
    for (const d of ['etc', 'home', 'opt', 'root', 'srv', 'usr', 'var'])
      expect(status.volumes.some((v) => v.name.startsWith(`${name}_`) && v.name.endsWith(d))).toBe(true);
    const shell = dockervmJson<{ stdout: string; exitCode: number }>(['shell', '--', 'id', '-un;', 'echo', '$0'], { cwd: dir });
    expect(shell).toMatchObject({ exitCode: 0, stdout: 'dev\nbash\n' });
    const failing = dockervm(['shell', '--', 'exit 3'], { cwd: dir });
    expect(failing.status).toBe(3);
    expect(dockervmJson<{ lines: string[] }>(['logs', '--tail', '5'], { cwd: dir }).lines).toBeInstanceOf(Array);
    const open = dockervm(['open'], { cwd: dir });
    expect(open.status).toBe(1);
    expect(open.stderr).toMatch(/no remote desktop \(desktop: shell\)/);
  });

  it("doctor checks the running VM's engine, and its network probe leaves nothing behind", () => {
    const doctor = dockervm(['doctor', '--json'], { cwd: dir });
    const report = JSON.parse(doctor.stdout) as { project: string; checks: { check: string; status: string; detail: string }[] };
    expect(report.project).toBe(name);
    const status = (check: string) => report.checks.filter((c) => c.check === check).map((c) => c.status);
    expect(status('engine')).toEqual(['ok']);
    expect(status('compose')).toEqual(['ok']);
    expect(status('networks')).toEqual(['ok']);
    expect(mustSh('docker', ['network', 'ls', '-q', '--filter', 'label=dev.dockervm.role=doctor-probe']).trim()).toBe('');
  });

  it('save and restore cover every volume and the container layer', () => {
    inVm(dir, 'echo 1 > /etc/dvm-test && echo 1 > /home/dev/h && echo 1 > /srv/s && echo 1 > /layer');
    const first = dockervmJson<{ snapshot: Snap }>(['save', '-m', 'one'], { cwd: dir }).snapshot;
    inVm(dir, 'echo 2 > /etc/dvm-test && rm /home/dev/h && echo 2 > /srv/s2 && echo 2 > /layer');
    dockervmJson(['restore', first.id], { cwd: dir });
    expect(inVm(dir, 'cat /etc/dvm-test /home/dev/h /srv/s /layer; ls /srv')).toBe('1\n1\n1\n1\ns\n');
  });

  it('Ctrl-C during save: exit 130, and either no new snapshot or a whole one; the VM runs on', async () => {
    const before = dockervmJson<{ snapshots: Snap[] }>(['snapshots'], { cwd: dir }).snapshots;
    inVm(dir, 'head -c 50000000 /dev/urandom > /opt/blob');
    const child = spawnDockervm(['save', '-m', 'interrupted'], dir);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Once the save is at work (a signal before the bin has loaded would kill it outright).
    for (let i = 0; i < 600 && !/volume .*:/.test(stderr) && child.exitCode === null; i++) await sleep(50);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(130);
    const after = dockervmJson<{ snapshots: Snap[] }>(['snapshots'], { cwd: dir }).snapshots;
    const added = after.filter((s) => !before.some((b) => b.id === s.id));
    expect(added.length).toBeLessThanOrEqual(1);
    expect(
      mustSh('docker', [
        'ps',
        '--filter',
        `label=com.docker.compose.project=${name}`,
        '--filter',
        'label=com.docker.compose.service=vm',
        '--format',
        '{{.State}}',
      ]).trim(),
    ).toBe('running');
    expect(
      mustSh('docker', ['ps', '-aq', '--filter', `label=dev.dockervm.project=${name}`, '--filter', 'label=dev.dockervm.role=snapshot-helper']).trim(),
    ).toBe('');
    expect(mustSh('docker', ['ps', '-aq', '--filter', 'name=^dockervm-lock-' + name + '$']).trim()).toBe('');
  });

  it('squash flattens a snapshot that still restores, and saves build on it', () => {
    const saved = dockervmJson<{ snapshot: Snap }>(['save', '-m', 'to squash'], { cwd: dir }).snapshot;
    const squashed = dockervmJson<{ layersBefore: number; layersAfter: number }>(['squash', saved.id], { cwd: dir });
    expect(squashed.layersBefore).toBeGreaterThan(1);
    expect(mustSh('docker', ['image', 'inspect', `dockervm/${name}:snap-${saved.id}`, '--format', '{{len .RootFS.Layers}}']).trim()).toBe('1');
    inVm(dir, 'echo after > /home/dev/after');
    dockervmJson(['save', '-m', 'on top'], { cwd: dir });
    dockervmJson(['restore', saved.id], { cwd: dir });
    expect(inVm(dir, 'cat /layer; test -e /home/dev/after || echo gone')).toBe('1\ngone\n');
  });

  it.skipIf(!findRegistryBinary() && !process.env.CI)('push sends the snapshot and its volume data to a registry', async () => {
    registry = await startRegistry();
    const pushed = dockervmJson<{ pushed: { reference: string; digest: string }[] }>(['push', `${registry.host}/dvmcli/lab:v1`], { cwd: dir });
    expect(pushed.pushed.map((p) => p.reference)).toEqual([`${registry.host}/dvmcli/lab:v1`, `${registry.host}/dvmcli/lab:v1-volumes`]);
    const tags = (await (await fetch(`${registry.url}/v2/dvmcli/lab/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual(['v1', 'v1-volumes']);
  });

  it('down warns about container-layer changes, and --save keeps them', () => {
    inVm(dir, 'echo unsaved > /unsaved');
    const warned = dockervm(['down', '--yes', '--json'], { cwd: dir });
    expect(warned.status).toBe(0);
    expect(warned.stderr).toMatch(/changed path.* in the container layer would be deleted \(.*\/unsaved/);
    expect(JSON.parse(warned.stdout)).toMatchObject({ removed: true, saved: null });
    dockervmJson(['up'], { cwd: dir });
    inVm(dir, 'echo unsaved > /unsaved');
    const saved = dockervmJson<{ saved: string }>(['down', '--save'], { cwd: dir });
    expect(saved.saved).toMatch(/^\d{8}T\d{6}Z/);
    dockervmJson(['restore', saved.saved], { cwd: dir });
    expect(inVm(dir, 'cat /unsaved')).toBe('unsaved\n');
  });
});
