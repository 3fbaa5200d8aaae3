// A save on an engine whose disk fills up in the middle: the engine's data root is a small
// filesystem of the test's own (a loop-mounted file) under a second dockerd, filled to the last
// megabytes just before the save. The save must end in one line and exit 1, the snapshots be as
// they were, the VM run on (not frozen), and once there is room again the next save works.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockervm, engineAvailable, requireBuiltDockervm, uniqueName } from '../helpers/dockervm-engine.ts';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.ts';
import { seedImage, tinyProject } from '../helpers/tiny-project.ts';

const canLoopMount = process.getuid?.() === 0 && spawnSync('mkfs.ext4', ['-V']).status === 0;

function sh(command: string, args: string[]) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!engineAvailable() || !canLoopMount)('a save when the engine runs out of disk', () => {
  const name = uniqueName('full');
  const scratch = mkdtempSync(join(tmpdir(), 'dvm-full-'));
  const image = join(scratch, 'disk.img');
  const mount = join(scratch, 'data-root');
  let engine: SecondEngine | undefined;
  let dir = '';
  const env = () => ({ DOCKER_HOST: engine?.host ?? '' });
  const run = (args: string[]) => dockervm(args, { cwd: dir, env: env(), timeoutMs: 300_000 });
  const snapshots = () => (JSON.parse(run(['snapshots', '--json']).stdout) as { snapshots: { id: string }[] }).snapshots.map((s) => s.id);

  beforeAll(async () => {
    requireBuiltDockervm();
    sh('truncate', ['-s', '600M', image]);
    sh('mkfs.ext4', ['-q', '-F', image]);
    mkdirSync(mount);
    sh('mount', ['-o', 'loop', image, mount]);
    engine = await startSecondEngine({ dataRoot: mount });
    seedImage(engine, name);
    dir = tinyProject(scratch, name);
    const up = run(['up']);
    expect(up.status, up.stderr).toBe(0);
    engine.docker(['exec', `${name}-vm-1`, 'sh', '-c', 'echo before > /data/file']);
    expect(run(['save', '-m', 'with room']).status).toBe(0);
  }, 600_000);
  afterAll(async () => {
    await engine?.stop();
    spawnSync('umount', ['-l', mount]);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('ends in one line, loses nothing, leaves the VM running, and works again once there is room', () => {
    const before = snapshots();
    // 40 MB of new data in the VM, and the engine's disk filled up to its last 8 MB.
    engine?.docker(['exec', `${name}-vm-1`, 'sh', '-c', 'head -c 40000000 /dev/urandom > /data/big']);
    const free = statfsSync(mount);
    sh('fallocate', ['-l', String(free.bavail * free.bsize - 8 * 1024 * 1024), join(mount, 'filler')]);

    const full = run(['save', '-m', 'no room']);
    expect(full.status, full.stderr).toBe(1);
    const lines = full.stderr.trim().split('\n');
    expect(lines.at(-1), full.stderr).toMatch(/no space left on device/i);
    expect(full.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(snapshots()).toEqual(before);
    expect(engine?.docker(['inspect', '-f', '{{.State.Status}}', `${name}-vm-1`]).trim()).toBe('running');
    // Not frozen: an exec runs.
    expect(spawnSync('docker', ['-H', engine?.host ?? '', 'exec', `${name}-vm-1`, 'true']).status).toBe(0);
    expect(engine?.docker(['ps', '-aq', '--filter', 'label=dev.dockervm.role=snapshot-helper']).trim()).toBe('');

    rmSync(join(mount, 'filler'));
    const again = run(['save', '-m', 'room again']);
    expect(again.status, again.stderr).toBe(0);
    expect(snapshots()).toHaveLength(before.length + 1);
  });
});
