// Snapshots on a real engine: the container layer and the volume data come back exactly; a restore
// never loses the state it replaced; kill -9 in the middle of a save leaves earlier snapshots and
// `current` intact and the next run cleans up after it.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupProject,
  composeUp,
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

const haveEngine = engineAvailable();

interface SnapshotJson {
  id: string;
  name: string;
  current: boolean;
  message: string;
  kind: string;
}
interface ListJson {
  current: string | null;
  snapshots: SnapshotJson[];
}

describe.skipIf(!haveEngine)('dockervm snapshots (rootfs persistence)', () => {
  const name = uniqueName('snap');
  const scratch = scratchDir();
  let dir = '';

  beforeAll(() => {
    requireBuiltDockervm();
    dir = scaffold(scratch.path, name);
    composeUp(dir);
  });
  afterAll(() => {
    cleanupProject(name);
    scratch.cleanup();
  });

  const state = () =>
    inVm(dir, 'cat /tmp/layer.txt /home/dev/vol.txt 2>&1; ls /home/dev; stat -c "%a %U" /home/dev/vol.txt; md5sum /opt/blob 2>&1 | cut -c1-32');

  it('save, change, restore: container layer and volume files come back; restoring the auto-save loses nothing', () => {
    inVm(
      dir,
      'echo A > /tmp/layer.txt && echo A > /home/dev/vol.txt && chown dev /home/dev/vol.txt && chmod 640 /home/dev/vol.txt && head -c 3000000 /dev/urandom > /opt/blob',
    );
    const saved = state();
    const first = dockervmJson<{ snapshot: SnapshotJson }>(['save', '-m', 'state A: $HOME "quoted"'], { cwd: dir }).snapshot;
    expect(first.current).toBe(true);
    expect(first.message).toBe('state A: $HOME "quoted"');

    inVm(
      dir,
      'echo B > /tmp/layer.txt && echo B > /home/dev/vol.txt && chmod 600 /home/dev/vol.txt && touch /home/dev/new.txt && rm /home/dev/.profile && head -c 2000000 /dev/urandom > /opt/blob',
    );
    const changed = state();
    expect(changed).not.toBe(saved);

    const restored = dockervmJson<{ restored: SnapshotJson; autoSave: SnapshotJson }>(['restore', first.name], { cwd: dir });
    expect(restored.restored.id).toBe(first.id);
    expect(restored.autoSave.kind).toBe('auto');
    expect(state()).toBe(saved);

    // A plain compose up keeps the restored container (compose's image tag points at the snapshot).
    mustSh('docker', ['compose', 'up', '--detach'], { cwd: dir });
    expect(state()).toBe(saved);

    dockervmJson(['restore', restored.autoSave.name], { cwd: dir });
    expect(state()).toBe(changed);

    const list = dockervmJson<ListJson>(['snapshots'], { cwd: dir });
    expect(list.snapshots.map((s) => s.id)).toContain(first.id);
    expect(list.current).toBe(restored.autoSave.id);
  });

  it('rm refuses the current snapshot without --force, and removes others', () => {
    const list = dockervmJson<ListJson>(['snapshots'], { cwd: dir });
    const current = list.snapshots.find((s) => s.current)!;
    const refused = dockervm(['rm', current.name], { cwd: dir });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is current/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    const other = list.snapshots.find((s) => !s.current)!;
    dockervmJson(['rm', other.name], { cwd: dir });
    const after = dockervmJson<ListJson>(['snapshots'], { cwd: dir });
    expect(after.snapshots.map((s) => s.id)).not.toContain(other.id);
    expect(after.current).toBe(list.current);
  });

  it('kill -9 in the middle of save leaves earlier snapshots and current intact', async () => {
    const before = dockervmJson<ListJson>(['snapshots'], { cwd: dir });
    const beforeState = state();
    // A big change makes the copy take long enough to be interrupted while the VM is paused.
    inVm(dir, 'head -c 400000000 /dev/zero > /home/dev/big.bin');
    const child = spawnDockervm(['save', '-m', 'never finished'], dir);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 120_000;
    while (!/volume .*: (changes|full copy)/.test(stderr) && child.exitCode === null && Date.now() < deadline) await sleep(20);
    expect(child.exitCode, `save ended before it could be killed:\n${stderr}`).toBeNull();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));

    const after = dockervmJson<ListJson>(['snapshots'], { cwd: dir });
    expect(after.snapshots.map((s) => s.id)).toEqual(before.snapshots.map((s) => s.id));
    expect(after.current).toBe(before.current);

    // The next run recovers (unpauses the VM, clears the helper) and restore works.
    const restore = dockervm(['restore', before.current!], { cwd: dir });
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/interrupted/);
    expect(state()).toBe(beforeState);
    const vm = mustSh('docker', [
      'ps',
      '--filter',
      `label=com.docker.compose.project=${name}`,
      '--filter',
      'label=com.docker.compose.service=vm',
      '--format',
      '{{.State}}',
    ]);
    expect(vm.trim()).toBe('running');
    expect(
      mustSh('docker', ['ps', '-aq', '--filter', `label=dev.dockervm.project=${name}`, '--filter', 'label=dev.dockervm.role=snapshot-helper']).trim(),
    ).toBe('');
  });

  it('a later up starts the VM without rootfs-init; a disk whose seed was cut short is seeded first', () => {
    const seeders = () =>
      mustSh('docker', [
        'ps',
        '-a',
        '--filter',
        `label=com.docker.compose.project=${name}`,
        '--filter',
        'label=com.docker.compose.service=rootfs-init',
        '--format',
        '{{.Status}}',
      ]).trim();
    inVm(dir, 'echo kept > /home/dev/kept.txt && chown dev /home/dev/kept.txt');
    const down = () => expect(dockervm(['down', '--yes'], { cwd: dir }).status).toBe(0);
    down();
    const later = dockervm(['up'], { cwd: dir });
    expect(later.status, later.stderr).toBe(0);
    expect(seeders()).toBe('');
    expect(inVm(dir, 'cat /home/dev/kept.txt')).toBe('kept\n');

    // As if the seed had been interrupted while it copied /srv: that directory is still under its temporary name.
    down();
    const disk = `${name}_rootfs:/disk`;
    mustSh('docker', [
      'run',
      '--rm',
      '-u',
      'root',
      '-v',
      disk,
      '--entrypoint',
      'sh',
      `dockervm/${name}:latest`,
      '-c',
      'mv /disk/srv /disk/.partial-srv && rm /disk/.seeded',
    ]);
    const reseeded = dockervm(['up'], { cwd: dir });
    expect(reseeded.status, reseeded.stderr).toBe(0);
    expect(reseeded.stderr).toMatch(/the disk \S+_rootfs is not completely seeded: seeding it first/);
    expect(reseeded.stderr).not.toMatch(/cannot access path/);
    expect(seeders()).toMatch(/^Exited \(0\)/);
    expect(inVm(dir, 'cat /home/dev/kept.txt; test -d /srv && echo srv; ls -A /srv | wc -l')).toBe('kept\nsrv\n0\n');
  });
});

describe.skipIf(!haveEngine)('dockervm snapshots (no persistence: everything in the container layer)', () => {
  const name = uniqueName('none');
  const scratch = scratchDir();
  let dir = '';

  beforeAll(() => {
    requireBuiltDockervm();
    dir = scaffold(scratch.path, name, ['--persistence', 'none']);
    composeUp(dir);
  });
  afterAll(() => {
    cleanupProject(name);
    scratch.cleanup();
  });

  it('save, change /opt, restore', () => {
    inVm(dir, 'mkdir -p /opt/app && echo one > /opt/app/conf');
    const first = dockervmJson<{ snapshot: SnapshotJson }>(['save'], { cwd: dir }).snapshot;
    inVm(dir, 'echo two > /opt/app/conf && rm -rf /etc/motd');
    dockervmJson(['restore', first.id], { cwd: dir });
    expect(inVm(dir, 'cat /opt/app/conf; test -e /etc/motd && echo motd')).toBe('one\nmotd\n');
  });
});
