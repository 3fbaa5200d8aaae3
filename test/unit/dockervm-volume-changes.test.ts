// The frozen pass of a save reads only what changed since the walk before it (changes.sh). On a real
// directory, with GNU's tools and with BusyBox's: make every kind of change a VM makes, then the
// manifest built from the earlier walk plus the changes must be exactly a fresh walk's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyChanges, mergeWalked, parseChanges } from '../../src/docker/volume-changes.ts';
import { parseLiveManifest, STAT_FORMAT, type Manifest } from '../../src/docker/volume-plan.ts';

const scripts = join(import.meta.dirname, '../../src/docker/scripts');
const haveBusybox = spawnSync('busybox', ['true']).status === 0;
const work = mkdtempSync(join(tmpdir(), 'dvm-changes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a script of src/docker/scripts with GNU's tools, or with BusyBox's in front on PATH. */
function script(tools: 'gnu' | 'busybox', name: string, args: string[]): Buffer {
  const bin = join(work, 'busybox-bin');
  if (tools === 'busybox') spawnSync('sh', ['-c', `mkdir -p ${bin} && busybox --install -s ${bin}`]);
  const env = { ...process.env, PATH: tools === 'busybox' ? `${bin}:${process.env.PATH}` : process.env.PATH };
  const result = spawnSync(tools === 'busybox' ? join(bin, 'sh') : 'sh', ['-c', readFileSync(join(scripts, name), 'utf8'), name, ...args], {
    env,
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function walk(tools: 'gnu' | 'busybox', dir: string, ref = ''): Manifest {
  const out = script(tools, 'manifest.sh', [dir, STAT_FORMAT, 'live', ref]);
  const split = out.indexOf('\0\0');
  return parseLiveManifest(out.subarray(0, split + 1), out.subarray(split + 2).toString('utf8'));
}

const sh = (cwd: string, command: string) => {
  const r = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command}: ${r.stderr}`);
};

const lines = (m: Manifest) => Object.fromEntries([...m].map(([p, e]) => [p, e.line]));

const toolsets: ('gnu' | 'busybox')[] = haveBusybox ? ['gnu', 'busybox'] : ['gnu'];

describe.each(toolsets)('changes.sh with %s tools', (tools) => {
  it('an earlier walk plus the changes is exactly a fresh walk, whatever changed', () => {
    const dir = mkdtempSync(join(work, `${tools}-`));
    sh(
      dir,
      'mkdir -p etc home/dev/old/deep usr/lib srv/moved/inner && echo a > etc/hosts && echo n > home/dev/notes && echo o > home/dev/old/deep/f && echo x > srv/moved/inner/x && for i in 1 2 3 4 5; do echo $i > usr/lib/f$i; done && ln -s hosts etc/link',
    );
    // Some time passes between the running walk and the freeze.
    const since = Number(spawnSync('date', ['+%s'], { encoding: 'utf8' }).stdout.trim()) - 1;
    const ref = join(work, `${tools}-ref-1`);
    const before = walk(tools, dir, ref);
    sh(
      dir,
      [
        'echo more >> home/dev/notes', // written in place
        'chmod 600 etc/hosts', // metadata only
        'rm -rf home/dev/old', // a tree removed
        'mv srv/moved home/dev/moved', // a tree moved elsewhere (its files keep their ctimes)
        'ln usr/lib/f1 usr/lib/f1-link', // a hard link
        'mkdir -p opt/new/sub && echo n > opt/new/sub/file', // a new tree
        'rm etc/link && ln -s notes etc/link', // a symlink replaced
        "touch 'usr/lib/name with\nnewline'", // any byte but NUL
      ].join(' && '),
    );
    const scan = parseChanges(script(tools, 'changes.sh', [dir, String(since), STAT_FORMAT, ref]));
    const { manifest, walk: subtrees } = applyChanges(before, scan);
    for (const sub of subtrees) mergeWalked(manifest, sub, walk(tools, join(dir, sub)));
    expect(subtrees).toContain('./home/dev/moved');
    expect(lines(manifest)).toEqual(lines(walk(tools, dir)));
  });

  it('with nothing changed, the manifest stays (BusyBox lists young files too: a superset is fine)', () => {
    const dir = mkdtempSync(join(work, `${tools}-still-`));
    // Thousands of long names: more than one batch of arguments (BusyBox's xargs -0 once mangled
    // names at its buffer's edge; the scan must not depend on it).
    sh(
      dir,
      'mkdir -p a/b && echo 1 > a/b/c && echo 2 > d && cd a && for i in $(seq 1 2500); do : > "a-long-file-name-to-fill-the-argument-buffers-quickly-$i"; done',
    );
    const since = Number(spawnSync('date', ['+%s'], { encoding: 'utf8' }).stdout.trim()) - 1;
    const ref = join(work, `${tools}-ref-2`);
    const before = walk(tools, dir, ref);
    const scan = parseChanges(script(tools, 'changes.sh', [dir, String(since), STAT_FORMAT, ref]));
    // GNU compares with the walk's own moment: nothing. BusyBox counts whole minutes: all of
    // this young tree, listed, and unchanged.
    expect(scan.changed.size).toBe(tools === 'gnu' ? 0 : before.size);
    const { manifest, walk: subtrees } = applyChanges(before, scan);
    expect(subtrees).toEqual([]);
    expect(lines(manifest)).toEqual(lines(before));
  });
});
