// Issue 11 on the real engine: one Debian noVNC VM made with --share (and, as parts land, the safe
// remote access options), built once and checked for several things. Everything is labelled
// dev.dockervm.project=dvme2e-… and removed in afterAll, also after a failure.
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuilt } from '../helpers/cli.ts';
import { engineProblem, PREFIX, sh } from '../helpers/e2e-engine.ts';
import { VmProject } from '../helpers/e2e-project.ts';

const problem = engineProblem();
const scratch = mkdtempSync(join(tmpdir(), 'dvme2e-'));
const name = `${PREFIX}remote-${Date.now().toString(36).slice(-4)}`;
// A host user other than root, the way a desktop user's files would be.
const HOST_UID = 4321;
const HOST_GID = 4322;
const timings: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

it.runIf(Boolean(process.env.CI))('a Docker Engine and the local registry mirror are reachable (required in CI)', () => {
  expect(problem).toBeUndefined();
});

describe.skipIf(Boolean(problem))('a desktop VM with a shared folder', () => {
  let project: VmProject;

  beforeAll(async () => {
    requireBuilt();
    project = VmProject.scaffold(scratch, name, ['--share', '--uid', String(HOST_UID), '--gid', String(HOST_GID)]);
    await project.freeHostPorts();
    timings.push(`build+up ${seconds(await project.upBuild())}`);
    timings.push(`healthy after ${seconds(await project.waitHealthy())}`);
  });

  afterAll(() => {
    const problems = project ? project.cleanup() : [];
    rmSync(scratch, { recursive: true, force: true });
    process.stdout.write(`e2e: ${name}: ${timings.join(', ')}${problems.length ? `; cleanup problems: ${problems.join('; ')}` : ''}\n`);
  });

  it('the scaffolder made ./share, the host user its owner, its contents git-ignored', () => {
    const folder = statSync(join(project.dir, 'share'));
    expect([folder.isDirectory(), folder.uid, folder.gid]).toEqual([true, HOST_UID, HOST_GID]);
    expect(sh('git', ['init', '-q'], { cwd: project.dir }).status).toBe(0);
    writeFileSync(join(project.dir, 'share', 'scratch.txt'), 'not for git\n');
    const status = sh('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: project.dir }).stdout;
    expect(status).toMatch(/^\?\? share\/\.gitignore$/m);
    expect(status).not.toMatch(/scratch\.txt/);
    rmSync(join(project.dir, 'share', 'scratch.txt'));
  });

  it("a host file in ./share is the VM user's in ~/share, and the user can change it", () => {
    const file = join(project.dir, 'share', 'from-host.txt');
    writeFileSync(file, 'written on the host\n');
    chownSync(file, HOST_UID, HOST_GID);
    const seen = project.mustExec(
      'dev',
      'stat -c %U:%G ~/share/from-host.txt; cat ~/share/from-host.txt; echo "and in the VM" >> ~/share/from-host.txt && echo appended',
    );
    expect(seen.trim().split('\n')).toEqual(['dev:dev', 'written on the host', 'appended']);
    expect(readFileSync(file, 'utf8')).toBe('written on the host\nand in the VM\n');
  });

  it('a file the VM user writes in ~/share belongs to the host user on the host', () => {
    project.mustExec('dev', 'mkdir -p ~/share/made-in-vm && echo "from the VM" > ~/share/made-in-vm/note.txt');
    for (const path of ['made-in-vm', 'made-in-vm/note.txt']) {
      const made = statSync(join(project.dir, 'share', path));
      expect([path, made.uid, made.gid]).toEqual([path, HOST_UID, HOST_GID]);
    }
    expect(readFileSync(join(project.dir, 'share', 'made-in-vm', 'note.txt'), 'utf8')).toBe('from the VM\n');
  });
});
