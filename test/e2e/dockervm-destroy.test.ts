// `dockervm destroy` on a real engine: after up and save, --keep-snapshots leaves only the snapshot
// images labelled for the project; a second destroy leaves nothing labelled at all.
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
  uniqueName,
} from '../helpers/dockervm-engine.ts';

const haveEngine = engineAvailable();

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** Everything on the engine that belongs to the project, by our label and by compose's. */
function leftovers(name: string) {
  const ours = `label=dev.dockervm.project=${name}`;
  const composes = `label=com.docker.compose.project=${name}`;
  return {
    containers: [...lines(mustSh('docker', ['ps', '-aq', '--filter', ours])), ...lines(mustSh('docker', ['ps', '-aq', '--filter', composes]))],
    volumes: [...lines(mustSh('docker', ['volume', 'ls', '-q', '--filter', ours])), ...lines(mustSh('docker', ['volume', 'ls', '-q', '--filter', composes]))],
    networks: lines(mustSh('docker', ['network', 'ls', '-q', '--filter', composes])),
    // Top-level images: a kept snapshot still needs the VM image's layers below it (untagged, -a only).
    images: lines(mustSh('docker', ['images', '--filter', ours, '--format', '{{.ID}} {{.Tag}}'])),
    everyImage: lines(mustSh('docker', ['images', '-a', '-q', '--filter', ours])),
  };
}

describe.skipIf(!haveEngine)('dockervm destroy', () => {
  const name = uniqueName('destroy');
  const scratch = scratchDir();
  let dir = '';

  beforeAll(() => {
    requireBuiltDockervm();
    dir = scaffold(scratch.path, name, ['--no-install']);
  });
  afterAll(() => {
    cleanupProject(name);
    scratch.cleanup();
  });

  it('--keep-snapshots removes the VM, its disk and its image, and keeps the snapshots', { timeout: 900_000 }, () => {
    expect(dockervm(['up', '--json'], { cwd: dir, timeoutMs: 900_000 }).status).toBe(0);
    inVm(dir, 'echo kept > /home/dev/note');
    const saved = dockervmJson<{ snapshot: { name: string } }>(['save', '-m', 'before destroy'], { cwd: dir }).snapshot;
    const before = leftovers(name);
    expect(before.containers.length).toBeGreaterThan(0);
    expect(before.volumes.length).toBeGreaterThan(0);

    const result = dockervmJson<{ removed: { containers: string[]; volumes: string[]; images: string[] }; kept: string[] }>(
      ['destroy', '--yes', '--keep-snapshots'],
      { cwd: dir },
    );
    expect(result.removed.volumes.length).toBeGreaterThan(0);
    expect(result.removed.images).toContain(`dockervm/${name}:latest`);
    expect(result.kept).toContain(`dockervm/${name}:${saved.name}`);
    const after = leftovers(name);
    expect(after).toMatchObject({ containers: [], volumes: [], networks: [] });
    expect(mustSh('docker', ['images', '-q', `dockervm/${name}:latest`]).trim()).toBe('');
    expect(after.images.length).toBeGreaterThan(0);
    expect(after.images.every((line) => line.includes('snap-'))).toBe(true);
    expect(dockervmJson<{ snapshots: { name: string }[] }>(['snapshots'], { cwd: dir }).snapshots.map((s) => s.name)).toContain(saved.name);
  });

  it('destroy --yes leaves nothing labelled for the project', () => {
    const result = dockervm(['destroy', '--yes'], { cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^destroyed ${name}:`));
    expect(leftovers(name)).toEqual({ containers: [], volumes: [], networks: [], images: [], everyImage: [] });
    expect(lines(mustSh('docker', ['images', '-q', `dockervm/${name}`]))).toEqual([]);
  });
});
