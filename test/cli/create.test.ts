// The built bin, spawned non-interactively in temp directories: what a user sees and what lands on disk.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listDir, requireBuilt, runCreateBin, tempDir } from '../helpers/cli.ts';

let scratch: ReturnType<typeof tempDir>;
beforeAll(requireBuilt);
afterEach(() => scratch?.cleanup());

function fresh() {
  scratch = tempDir();
  return scratch.path;
}

describe('create-dockervm --yes', () => {
  it('writes a complete project and tells what to do next', () => {
    const cwd = fresh();
    const result = runCreateBin(['my-vm', '--yes', '--no-pin'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Created my-vm');
    expect(result.stdout).toContain('npx dockervm up');
    // The tests' runs skip the install (test/helpers/cli.ts), so the next steps start with it.
    expect(result.stdout).toMatch(/cd my-vm\n {2}npm install\n {2}npx dockervm up/);
    const dir = join(cwd, 'my-vm');
    // The port is chosen free on this machine (6080 unless something holds it); .env says which.
    const novnc = /^DOCKERVM_NOVNC_PORT=(\d+)$/m.exec(readFileSync(join(dir, '.env'), 'utf8'))?.[1];
    expect(result.stdout).toContain(`http://127.0.0.1:${novnc}/`);
    expect(listDir(dir)).toEqual([
      '.dockerignore',
      '.env',
      '.gitignore',
      'Dockerfile',
      'README.md',
      'compose.yaml',
      'docs',
      'package.json',
      'rootfs',
      'secrets',
    ]);
    // The built package's copy of the default desktop's picture, which the README shows.
    expect(readFileSync(join(dir, 'docs/desktop.png')).subarray(1, 4).toString()).toBe('PNG');
    const secret = statSync(join(dir, 'secrets/vnc_password'));
    expect(secret.mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'secrets/vnc_password'), 'utf8')).toMatch(/^[A-Za-z0-9]{8}\n$/);
    expect(statSync(join(dir, 'rootfs/.dockervm/bin/entrypoint')).mode & 0o111).toBe(0o111);
    expect(statSync(dir).mode & 0o777).not.toBe(0o700);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('# NOT PINNED (pinning turned off with --no-pin)');
  });

  it('gives each project its own VNC password', () => {
    const cwd = fresh();
    runCreateBin(['a', '--yes', '--no-pin'], { cwd });
    runCreateBin(['b', '--yes', '--no-pin'], { cwd });
    expect(readFileSync(join(cwd, 'a/secrets/vnc_password'), 'utf8')).not.toBe(readFileSync(join(cwd, 'b/secrets/vnc_password'), 'utf8'));
  });

  it('derives the project name from the directory', () => {
    const cwd = fresh();
    const result = runCreateBin(['My Lab VM', '--yes', '--no-pin', '--desktop', 'shell'], { cwd });
    expect(result.status).toBe(0);
    expect(readFileSync(join(cwd, 'My Lab VM/compose.yaml'), 'utf8')).toContain('name: my-lab-vm');
  });

  it('--dry-run prints the plan and writes nothing', () => {
    const cwd = fresh();
    const result = runCreateBin(['plan', '--yes', '--no-pin', '--dry-run'], { cwd });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Would write');
    expect(result.stdout).toContain('compose.yaml');
    expect(result.stdout).toContain('Nothing was written');
    expect(listDir(cwd)).toEqual([]);
  });

  it('--port-base and the per-port flags choose the host ports, written to .env', () => {
    const cwd = fresh();
    const result = runCreateBin(['ports', '--yes', '--no-pin', '--service', 'sshd', '--port-base', '17000', '--vnc-port', '17500'], { cwd });
    expect(result.status, result.stderr).toBe(0);
    const env = readFileSync(join(cwd, 'ports/.env'), 'utf8');
    expect(env).toMatch(
      /^DOCKERVM_NOVNC_PORT=17000\nDOCKERVM_VNC_PORT=17500\nDOCKERVM_SSH_PORT=17002$|DOCKERVM_VNC_PORT=17500\nDOCKERVM_NOVNC_PORT=17000\nDOCKERVM_SSH_PORT=17002/m,
    );
    expect(result.stdout).toContain('http://127.0.0.1:17000/');
  });

  it('warns when ports are published on all interfaces', () => {
    const cwd = fresh();
    const result = runCreateBin(['open', '--yes', '--no-pin', '--bind-all'], { cwd });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('warning: ports are published on all interfaces');
    expect(readFileSync(join(cwd, 'open/compose.yaml'), 'utf8')).toMatch(/- 0\.0\.0\.0:\$\{DOCKERVM_NOVNC_PORT:-\d+\}:6080\n/);
  });

  it('pinning against an unreachable registry warns, leaves the tag unpinned and still succeeds', () => {
    const cwd = fresh();
    const result = runCreateBin(['offline', '--yes'], { cwd, env: { DOCKERVM_REGISTRY_MIRROR: 'http://127.0.0.1:9', DOCKERVM_PIN_TIMEOUT_MS: '3000' } });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/warning: not pinned: debian:bookworm-slim: .*run `npx dockervm pin` later/);
    const dockerfile = readFileSync(join(cwd, 'offline/Dockerfile'), 'utf8');
    expect(dockerfile).toContain('FROM debian:bookworm-slim\n');
    expect(dockerfile).toContain('# NOT PINNED (offline when resolving at creation)');
  });

  it('--overwrite writes into a non-empty directory and keeps the other files', () => {
    const cwd = fresh();
    mkdirSync(join(cwd, 'keep'));
    writeFileSync(join(cwd, 'keep/notes.txt'), 'mine');
    const result = runCreateBin(['keep', '--yes', '--no-pin', '--overwrite', '--desktop', 'shell'], { cwd });
    expect(result.status).toBe(0);
    expect(readFileSync(join(cwd, 'keep/notes.txt'), 'utf8')).toBe('mine');
    expect(listDir(join(cwd, 'keep'))).toContain('compose.yaml');
    expect(listDir(cwd)).toEqual(['keep']);
  });

  it('--help and --version', () => {
    const cwd = fresh();
    const help = runCreateBin(['--help'], { cwd });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: create-dockervm [directory] [options]');
    for (const flag of ['--base', '--desktop', '--persistence', '--no-pin'.slice(0, 5), '--dry-run', '--overwrite', '--yes']) {
      expect(help.stdout).toContain(flag);
    }
    const version = runCreateBin(['--version'], { cwd });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('bad input: one clear line, exit 1, nothing created', () => {
  const cases: [string, string[], RegExp][] = [
    ['an invalid project name', ['x', '--name', 'My_VM!'], /project name "My_VM!" must be lowercase/],
    ['an invalid image reference', ['x', '--base', 'Debian:12'], /invalid image reference "Debian:12": repository name must be lowercase/],
    ['a reference whose family is unknown', ['x', '--base', 'ghcr.io/acme/os:1'], /add --family/],
    ['a port out of range', ['x', '--port', '70000'], /ports are whole numbers from 1 to 65535/],
    ['a duplicate port', ['x', '--port', '8080', '--port', '8080:81'], /already published/],
    ['a port taken by noVNC', ['x', '--port', '6080'], /already published for noVNC/],
    ['a package with shell metacharacters', ['x', '--package', 'curl;rm -rf /'], /not a valid debian package name/],
    ['an unknown desktop', ['x', '--desktop', 'kde'], /--desktop must be one of shell, xterm, vnc, novnc/],
    ['root as the login user', ['x', '--user', 'root'], /reserved/],
    ['UID 0', ['x', '--uid', '0'], /UID 0 is root/],
    ['an unknown flag', ['x', '--colour'], /Unknown option '--colour'.*see --help/],
    ['busybox with a desktop', ['x', '--base', 'busybox', '--desktop', 'novnc'], /busybox has no packages for a desktop/],
    ['two processes without a supervisor', ['x', '--supervisor', 'none'], /need a supervisor/],
    ['a port flag for a port the VM lacks', ['x', '--ssh-port', '2300'], /--ssh-port: this VM has no such port; it needs sshd/],
    ['a port base out of range', ['x', '--port-base', 'abc'], /--port-base must be a port number/],
  ];
  it.each(cases)('%s', (_title, args, message) => {
    const cwd = fresh();
    const result = runCreateBin([...args, '--yes', '--no-pin'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^create-dockervm: /);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(listDir(cwd)).toEqual([]);
  });

  it('a non-empty directory without --overwrite', () => {
    const cwd = fresh();
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken/file'), 'x');
    const result = runCreateBin(['taken', '--yes', '--no-pin'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is not empty: choose another directory, or add --overwrite');
    expect(listDir(join(cwd, 'taken'))).toEqual(['file']);
  });

  it('a read-only target', () => {
    const cwd = fresh();
    const readOnly = join(cwd, 'ro');
    mkdirSync(readOnly);
    const root = process.getuid?.() === 0;
    // root ignores permission bits: as root the location is a read-only tmpfs mount.
    if (root) expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly]).status).toBe(0);
    else chmodSync(readOnly, 0o555);
    try {
      const result = runCreateBin(['ro/vm', '--yes', '--no-pin'], { cwd });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^create-dockervm: cannot write .*ro.*: (read-only file system|permission denied)\n$/);
      expect(listDir(readOnly)).toEqual([]);
    } finally {
      if (root) spawnSync('umount', [readOnly]);
      else chmodSync(readOnly, 0o755);
    }
  });

  it('no terminal and no --yes', () => {
    const cwd = fresh();
    const result = runCreateBin(['x', '--no-pin'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no terminal to ask questions on: add --yes');
    expect(listDir(cwd)).toEqual([]);
  });
});
