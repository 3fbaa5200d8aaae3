// The built dockervm bin, spawned as a user's shell would: help, one-line errors with exit 1, an
// unreachable engine, and the commands that need no engine (lint, pin --check, import refusals).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_BIN, DOCKERVM_BIN, requireBuiltDockervm, scratchDir } from '../helpers/dockervm-engine.ts';

const scratch = scratchDir();
let project = '';
let closedSocket = '';

function dockervm(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [DOCKERVM_BIN, ...args], {
    cwd: options.cwd ?? scratch.path,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: scratch.path, NO_COLOR: '1', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  requireBuiltDockervm();
  const made = spawnSync(process.execPath, [CREATE_BIN, 'vm', '--yes', '--no-pin', '--no-install', '--name', 'dvmcli-cli'], {
    cwd: scratch.path,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: scratch.path },
  });
  if (made.status !== 0) throw new Error(made.stderr);
  project = join(scratch.path, 'vm');
  // A unix socket that was listened on and closed: connecting is refused.
  closedSocket = join(scratch.path, 'closed.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(closedSocket, resolve));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(() => scratch.cleanup());

describe('dockervm (built bin)', () => {
  it('--help and --version', () => {
    const help = dockervm(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: dockervm <command>/);
    expect(help.stdout).toMatch(/save +save a snapshot/);
    expect(dockervm(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const create = dockervm(['new', '--help']);
    expect(create.status).toBe(0);
    expect(create.stdout).toMatch(/Usage: dockervm new/);
    const made = dockervm(['new', 'from-new', '--yes', '--no-pin', '--no-install', '--desktop', 'shell', '--json']);
    expect(made.status, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toEqual({ ok: true, exitCode: 0, directory: join(scratch.path, 'from-new') });
    expect(made.stderr).toMatch(/Created from-new/);
  });

  it('a user mistake is one line on stderr and exit 1, never a stack trace', () => {
    for (const args of [['frobnicate'], ['save', '-x'], ['restore'], ['status'], ['logs', '--tail', 'ten', '--project-dir', 'vm']]) {
      const result = dockervm(args);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr.trim().split('\n'), `${args.join(' ')}: ${result.stderr}`).toHaveLength(1);
      expect(result.stderr).toMatch(/^dockervm/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('fleet: --help names save, snapshots and restore; a missing or extra argument is one line, before any engine', () => {
    const help = dockervm(['fleet', '--help']);
    expect(help.stdout).toMatch(/fleet save \[SEAT…\] +snapshot every seat's disk/);
    expect(help.stdout).toMatch(/fleet restore SEAT \[SNAPSHOT\]/);
    expect(help.stdout).toMatch(/--node-socket PATH/);
    const cases: [string[], RegExp][] = [
      [['fleet', 'restore'], /^dockervm fleet: fleet restore SEAT \[SNAPSHOT\]: which seat/],
      [['fleet', 'restore', 'seat-01', 'a', 'b'], /unexpected argument "b" for fleet restore/],
      [['fleet', 'snapshots', 'seat-01', 'x'], /unexpected argument "x" for fleet snapshots/],
    ];
    for (const [args, message] of cases) {
      const result = dockervm(args, { cwd: project, env: { DOCKER_HOST: `unix://${closedSocket}` } });
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('destroy without a terminal and without --yes refuses in one line, before touching anything', () => {
    const result = dockervm(['destroy'], { cwd: project });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^dockervm destroy: destroy removes the VM's disk and snapshots for good: add --yes .*\(nothing was removed\)\n$/);
    const help = dockervm(['destroy', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--keep-snapshots/);
  });

  it('the engine unreachable: one clear line, exit 1', () => {
    for (const host of [`unix://${closedSocket}`, `unix://${join(scratch.path, 'missing.sock')}`]) {
      for (const command of ['status', 'save', 'snapshots', 'up', 'restore current']) {
        const result = dockervm(command.split(' '), { cwd: project, env: { DOCKER_HOST: host } });
        expect(result.status, command).toBe(1);
        expect(result.stderr, command).toBe(`dockervm ${command.split(' ')[0]}: cannot reach the Docker engine at ${host}: is it running? (docker info)\n`);
      }
    }
  });

  it('lint: findings, the threshold, and the formats', () => {
    const dir = join(scratch.path, 'lint');
    mkdirSync(dir);
    copyFileSync(join(import.meta.dirname, '../fixtures/lint/bad-apt.Dockerfile'), join(dir, 'Dockerfile'));
    const tty = dockervm(['lint', '--no-external'], { cwd: dir });
    expect(tty.status).toBe(1);
    expect(tty.stdout).toMatch(/^Dockerfile:2 DL3008 warning: /m);
    const json = JSON.parse(dockervm(['lint', '--format', 'json', '--no-external'], { cwd: dir }).stdout) as { code: string }[];
    expect(json.map((f) => f.code)).toEqual(['DL3008', 'DL3009', 'DL3014', 'DL3015']);
    const sarif = JSON.parse(dockervm(['lint', '--format', 'sarif', '--no-external'], { cwd: dir }).stdout) as { version: string };
    expect(sarif.version).toBe('2.1.0');
    writeFileSync(join(dir, '.hadolint.yaml'), 'ignored: [DL3008, DL3014]\nfailure-threshold: warning\n');
    const relaxed = dockervm(['lint', '--json', '--no-external'], { cwd: dir });
    expect(relaxed.status).toBe(0);
    expect((JSON.parse(relaxed.stdout) as { findings: unknown[] }).findings).toHaveLength(2);
    // The generated project lints clean, its scripts included.
    const clean = dockervm(['lint', '--json'], { cwd: project });
    expect(clean.status, clean.stdout).toBe(0);
  });

  it('pin --check against a registry that does not answer: exit 1, fast', () => {
    const started = Date.now();
    const result = dockervm(['pin', '--check', '--registry-mirror', 'http://127.0.0.1:9', '--timeout', '3'], {
      cwd: project,
      env: { DOCKER_HOST: `unix://${closedSocket}` },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/debian:bookworm-slim +error +.*cannot reach/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('import refuses what is not a root filesystem, before touching the engine', () => {
    writeFileSync(join(scratch.path, 'notes.txt'), 'not an archive\n'.repeat(100));
    const notTar = dockervm(['import', 'notes.txt'], { env: { DOCKER_HOST: `unix://${closedSocket}` } });
    expect(notTar.status).toBe(1);
    expect(notTar.stderr).toMatch(/notes.txt is not a tar archive or a disk image/);
    mkdirSync(join(scratch.path, 'tree/etc'), { recursive: true });
    writeFileSync(join(scratch.path, 'tree/etc/hostname'), 'x\n');
    writeFileSync(join(scratch.path, 'tree/etc/hosts'), 'x\n');
    const noShell = dockervm(['import', 'tree'], { env: { DOCKER_HOST: `unix://${closedSocket}` } });
    expect(noShell.status).toBe(1);
    expect(noShell.stderr).toMatch(/has no \/bin\/sh/);
  });
});
