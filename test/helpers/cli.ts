// Spawns the built create-dockervm bin (packages/create-dockervm), as a user's shell would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CREATE_BIN = join(import.meta.dirname, '../../packages/create-dockervm/bin/create-dockervm.js');

export function requireBuilt(): void {
  if (!existsSync(join(import.meta.dirname, '../../packages/create-dockervm/dist/index.js'))) {
    throw new Error('create-dockervm is not built: run `npm test` (it builds first) or `npm run build`');
  }
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Every run skips the dependency install (it would reach the public registry) unless the test decides. */
export function runCreateBin(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): CliResult {
  const install = args.some((a) => a === '--install' || a === '--no-install') ? [] : ['--no-install'];
  const result = spawnSync(process.execPath, [CREATE_BIN, ...args, ...install], {
    cwd: options.cwd,
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 60_000,
    // No registry traffic unless a test asks for it: an unreachable mirror makes pinning fail fast.
    // No engine either (its registry mirrors and its VMs' ports would change what is made).
    env: { PATH: process.env.PATH, HOME: options.cwd, NO_COLOR: '1', DOCKER_HOST: 'unix:///nonexistent/docker.sock', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(prefix = 'dockervm-cli-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
