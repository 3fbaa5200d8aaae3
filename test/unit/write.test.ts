// The atomic writer: the target gets the whole project or nothing, whatever goes wrong.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileMap } from '../../src/render/project.ts';
import { writeProject } from '../../src/render/write.ts';
import { CancelledError, CLIError } from '../../src/errors.ts';
import { tempDir } from '../helpers/cli.ts';

let scratch: ReturnType<typeof tempDir>;
afterEach(() => scratch?.cleanup());

const files = (entries: Record<string, string>, mode = 0o644): FileMap => new Map(Object.entries(entries).map(([path, content]) => [path, { content, mode }]));

describe('writeProject', () => {
  it('creates the target with every file, modes kept, no staging left behind', async () => {
    scratch = tempDir();
    const target = join(scratch.path, 'vm');
    const map = files({ 'a.txt': 'A', 'deep/b.sh': '#!/bin/sh\n' });
    map.set('secrets/s', { content: 'x\n', mode: 0o600 });
    map.set('deep/b.sh', { content: '#!/bin/sh\n', mode: 0o755 });
    await writeProject(target, map, { overwrite: false });
    expect(readdirSync(scratch.path)).toEqual(['vm']);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('A');
    expect(statSync(join(target, 'secrets/s')).mode & 0o777).toBe(0o600);
    expect(statSync(join(target, 'deep/b.sh')).mode & 0o777).toBe(0o755);
  });

  it('fills an existing empty directory and keeps its mode', async () => {
    scratch = tempDir();
    const target = join(scratch.path, 'empty');
    mkdirSync(target, { mode: 0o750 });
    chmodSync(target, 0o750);
    await writeProject(target, files({ 'a.txt': 'A' }), { overwrite: false });
    expect(readdirSync(target)).toEqual(['a.txt']);
    expect(statSync(target).mode & 0o777).toBe(0o750);
  });

  it('a failure half-way leaves nothing behind', async () => {
    scratch = tempDir();
    const target = join(scratch.path, 'vm');
    // "a" is a file, so "a/b" cannot be written: the second write fails after the first succeeded.
    const map = files({ a: 'file', 'a/b': 'cannot be' });
    await expect(writeProject(target, map, { overwrite: false })).rejects.toThrow(CLIError);
    expect(readdirSync(scratch.path)).toEqual([]);
  });

  it('Ctrl-C (an aborted signal) leaves nothing behind and is a CancelledError', async () => {
    scratch = tempDir();
    const controller = new AbortController();
    controller.abort();
    await expect(writeProject(join(scratch.path, 'vm'), files({ a: 'A' }), { overwrite: false, signal: controller.signal })).rejects.toThrow(CancelledError);
    expect(readdirSync(scratch.path)).toEqual([]);
  });

  it('refuses a non-empty directory without overwrite, and changes nothing', async () => {
    scratch = tempDir();
    const target = join(scratch.path, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'mine'), 'keep');
    await expect(writeProject(target, files({ a: 'A' }), { overwrite: false })).rejects.toThrow(/is not empty/);
    expect(readdirSync(target)).toEqual(['mine']);
  });

  it('with overwrite: replaces our files, keeps the others, and a failure restores the old contents', async () => {
    scratch = tempDir();
    const target = join(scratch.path, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'mine'), 'keep');
    writeFileSync(join(target, 'a'), 'old');
    await writeProject(target, files({ a: 'new' }), { overwrite: true });
    expect(readFileSync(join(target, 'a'), 'utf8')).toBe('new');
    expect(readFileSync(join(target, 'mine'), 'utf8')).toBe('keep');
    await expect(writeProject(target, files({ x: 'file', 'x/y': 'no' }), { overwrite: true })).rejects.toThrow(CLIError);
    expect(readdirSync(target).sort()).toEqual(['a', 'mine']);
    expect(readdirSync(scratch.path)).toEqual(['busy']);
  });

  it('a read-only location: one clear error, nothing created', async () => {
    scratch = tempDir();
    const readOnly = join(scratch.path, 'ro');
    mkdirSync(readOnly);
    const root = process.getuid?.() === 0;
    // root ignores permission bits, so as root the location is a read-only tmpfs mount instead.
    if (root) expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly]).status).toBe(0);
    else chmodSync(readOnly, 0o555);
    try {
      await expect(writeProject(join(readOnly, 'vm'), files({ a: 'A' }), { overwrite: false })).rejects.toThrow(
        /cannot write .*ro.*: (read-only file system|permission denied)/,
      );
      expect(readdirSync(readOnly)).toEqual([]);
    } finally {
      if (root) spawnSync('umount', [readOnly]);
      else chmodSync(readOnly, 0o755);
    }
  });
});
