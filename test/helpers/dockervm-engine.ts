// For dockervm's real-engine tests: the built bin, a scaffolded VM project, and cleanup of everything
// a test created, found by label. Without an engine locally the suite is skipped with the reason;
// under CI=true a missing engine fails it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vmRepository } from '../../src/vmspec/image-name.ts';
import { LABEL, removeLabelled } from './e2e-engine.ts';

export const DOCKERVM_BIN = join(import.meta.dirname, '../../packages/dockervm/bin/dockervm.js');
export const CREATE_BIN = join(import.meta.dirname, '../../packages/create-dockervm/bin/create-dockervm.js');
export const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';

export function requireBuiltDockervm(): void {
  if (!existsSync(join(import.meta.dirname, '../../packages/dockervm/dist/index.js'))) {
    throw new Error('dockervm is not built: run `npm test` (it builds first) or `npm run build`');
  }
}

/** True when a Docker engine answers; otherwise prints why the suite is skipped (or throws in CI). */
export function engineAvailable(): boolean {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  if (info.status === 0 && info.stdout.trim()) return true;
  const why = info.error ? `docker CLI: ${info.error.message}` : (info.stderr || info.stdout).trim().split('\n')[0];
  if (process.env.CI) throw new Error(`a Docker engine is required in CI (.ci/run starts one): ${why}`);
  process.stderr.write(`skipping dockervm engine tests: no Docker engine (${why})\n`);
  return false;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function dockervm(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string }): Run {
  const result = spawnSync(process.execPath, [DOCKERVM_BIN, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 300_000,
    env: { ...process.env, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: MIRROR, ...options.env },
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Runs dockervm with --json and returns the parsed object (throws with stderr when it failed). */
export function dockervmJson<T = Record<string, unknown>>(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): T {
  // Right after the command: anything after `--` belongs to the command (dockervm shell -- …).
  const result = dockervm([args[0] ?? '', '--json', ...args.slice(1)], options);
  if (result.status !== 0) throw new Error(`dockervm ${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(result.stdout) as T;
}

export function sh(command: string, args: string[], options: { cwd?: string; timeoutMs?: number; input?: string } = {}): Run {
  const result = spawnSync(command, args, { cwd: options.cwd, encoding: 'utf8', timeout: options.timeoutMs ?? 600_000, input: options.input });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export function mustSh(command: string, args: string[], options: { cwd?: string; timeoutMs?: number; input?: string } = {}): string {
  const result = sh(command, args, options);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

export function uniqueName(prefix: string): string {
  return `dvmcli-${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export function scratchDir(): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'dvmcli-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Scaffolds a VM project (shell desktop: the quickest build) and returns its directory. */
export function scaffold(parent: string, name: string, extra: string[] = []): string {
  const dir = join(parent, name);
  const result = spawnSync(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install', '--name', name, '--desktop', 'shell', ...extra], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: MIRROR },
  });
  if (result.status !== 0) throw new Error(`create-dockervm failed: ${result.stderr}`);
  return dir;
}

/** `docker compose up -d --build --wait` in the project. */
export function composeUp(dir: string): void {
  mustSh('docker', ['compose', 'up', '--detach', '--build', '--wait', '--wait-timeout', '300'], { cwd: dir, timeoutMs: 900_000 });
}

/** Runs a shell command inside the VM as root; returns stdout. */
export function inVm(dir: string, script: string): string {
  return mustSh('docker', ['compose', 'exec', '-T', '-u', 'root', 'vm', 'sh', '-c', script], { cwd: dir, timeoutMs: 120_000 });
}

const ids = (args: string[]) =>
  mustSh('docker', args)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * Removes what the VM e2e cleanup removes (everything labelled dev.dockervm.project=<name>, the lock
 * container included, and the project's compose networks), then the project's tags and the snapshot
 * images a single `rmi` leaves (parents with children). Never throws: cleanup must run on.
 */
export function cleanupProject(name: string): void {
  try {
    removeLabelled(name);
    const tags = ids(['images', '--format', '{{.Repository}}:{{.Tag}}', vmRepository(name)]).filter((t) => !t.endsWith(':<none>'));
    if (tags.length) sh('docker', ['rmi', '-f', ...tags]);
    // Untagged leftovers (parents of removed snapshots), a few rounds: children go first.
    for (let round = 0; round < 5; round++) {
      const images = ids(['images', '-aq', '--filter', `label=${LABEL}=${name}`]);
      if (!images.length) break;
      sh('docker', ['rmi', '-f', ...new Set(images)]);
    }
  } catch (error) {
    process.stderr.write(`cleanup of ${name} failed: ${(error as Error).message}\n`);
  }
}

/** Spawns dockervm without waiting (for kill -9 tests). */
export function spawnDockervm(args: string[], cwd: string) {
  return spawn(process.execPath, [DOCKERVM_BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}
