import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLiveManifest, parseStoredManifest, planSync, removeScript, serializeManifest, shellQuote, type Manifest } from '../../src/docker/volume-plan.ts';

const DIR = '41ed';
const FILE = '81a4';
const LINK = 'a1ff';
const SOCK = 'c1ed';

/** A manifest from [path, type, size, inode, ctime] rows, as `find`/`stat` would print them. */
function manifest(rows: [string, string, number, number, string][]): Manifest {
  const names = Buffer.from(rows.map(([p]) => `${p}\0`).join(''));
  const stats = rows
    .map(([, type, size, ino, ctime]) => `${type} ${size} ${ino} 0 0 1 2026-11-22 10:00:00.000000000 +0000 2026-11-22 ${ctime} +0000`)
    .join('\n');
  return parseLiveManifest(names, `${stats}\n`);
}

const base: [string, string, number, number, string][] = [
  ['.', DIR, 4096, 1, '10:00:00.1'],
  ['./etc', DIR, 4096, 2, '10:00:00.1'],
  ['./etc/hosts', FILE, 100, 3, '10:00:00.1'],
  ['./home', DIR, 4096, 4, '10:00:00.1'],
  ['./home/dev', DIR, 4096, 5, '10:00:00.1'],
  ['./home/dev/notes', FILE, 10, 6, '10:00:00.1'],
  ['./home/dev/old', DIR, 4096, 7, '10:00:00.1'],
  ['./home/dev/old/a', FILE, 5, 8, '10:00:00.1'],
];

describe('manifests', () => {
  it('pair find -print0 names (any byte but NUL) with stat lines', () => {
    const m = manifest([
      ['.', DIR, 4096, 1, 'x'],
      ['./a\nb c', FILE, 3, 2, 'x'],
    ]);
    expect([...m.keys()]).toEqual(['.', './a\nb c']);
    expect(m.get('./a\nb c')).toMatchObject({ type: 0o100000, size: 3 });
    expect(() => parseLiveManifest(Buffer.from('.\0./a\0'), '41ed 1 1 0 0 1 x y\n')).toThrow(/changed while it was read/);
  });

  it('round-trip through their stored form', () => {
    const m = manifest(base);
    const back = parseStoredManifest(serializeManifest(m));
    expect([...back.values()]).toEqual([...m.values()]);
  });
});

describe('planSync', () => {
  it('copies everything and wipes the target when nothing is known about it', () => {
    const plan = planSync(manifest(base), undefined);
    expect(plan.full).toBe(true);
    expect(plan.copy).toEqual(base.map(([p]) => p));
    expect(plan.bytes).toBe(115);
  });

  it('does nothing for an unchanged tree', () => {
    const plan = planSync(manifest(base), manifest(base));
    expect(plan).toMatchObject({ full: false, copy: [], remove: [], dirs: [], bytes: 0 });
  });

  it("copies a changed file and fixes its directory's times afterwards", () => {
    const changed = base.map((r) => (r[0] === './home/dev/notes' ? (['./home/dev/notes', FILE, 20, 6, '10:05:00.2'] as typeof r) : r));
    const plan = planSync(manifest(changed), manifest(base));
    expect(plan.copy).toEqual(['./home/dev/notes']);
    expect(plan.remove).toEqual([]);
    expect(plan.dirs).toEqual(['./home/dev']);
    expect(plan.bytes).toBe(20);
  });

  it('removes a deleted directory once (not each child) and a path whose type changed', () => {
    const now = base
      .filter(([p]) => !p.startsWith('./home/dev/old'))
      .map((r) => (r[0] === './etc/hosts' ? (['./etc/hosts', LINK, 7, 30, '10:06:00.0'] as typeof r) : (r.slice() as typeof r)));
    // The directory whose entries changed has a new ctime too.
    for (const r of now) if (r[0] === './home/dev' || r[0] === './etc') r[4] = '10:06:00.0';
    const plan = planSync(manifest(now), manifest(base));
    expect(plan.remove).toEqual(['./etc/hosts', './home/dev/old']);
    expect(plan.copy).toEqual(['./etc', './etc/hosts', './home/dev']);
    expect(plan.dirs).toEqual(['./etc', './home/dev']);
  });

  it('adds new files after their new parent directory, and skips sockets', () => {
    const now = [
      ...base,
      ['./srv', DIR, 4096, 40, '10:07:00.0'],
      ['./srv/app', FILE, 1000, 41, '10:07:00.0'],
      ['./srv/sock', SOCK, 0, 42, '10:07:00.0'],
    ] as typeof base;
    now[0] = ['.', DIR, 4096, 1, '10:07:00.0'];
    const plan = planSync(manifest(now), manifest(base));
    expect(plan.copy).toEqual(['.', './srv', './srv/app']);
    expect(plan.skipped).toEqual(['./srv/sock']);
    expect(plan.dirs).toEqual(['.', './srv']);
  });
});

describe('removeScript', () => {
  it('quotes every path so that sh removes exactly those files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvm-rm-'));
    try {
      const names = ["it's", 'a b', '$(touch pwned)', 'new\nline', '-rf', 'keep'];
      for (const n of names) writeFileSync(join(dir, n), 'x');
      mkdirSync(join(dir, 'sub dir'));
      writeFileSync(join(dir, 'sub dir', 'f'), 'x');
      const script = removeScript(['./' + names[0], './a b', './$(touch pwned)', './new\nline', './-rf', './sub dir']);
      const result = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
      expect(result.status).toBe(0);
      for (const n of names.slice(0, 5)) expect(existsSync(join(dir, n))).toBe(false);
      expect(existsSync(join(dir, 'sub dir'))).toBe(false);
      expect(existsSync(join(dir, 'keep'))).toBe(true);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(
      removeScript(Array.from({ length: 450 }, (_, i) => `./f${i}`))
        .trim()
        .split('\n'),
    ).toHaveLength(3);
  });
});
