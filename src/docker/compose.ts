// `docker compose`, shelled out: dockervm never re-implements what compose does (up, down, exec,
// logs). Runs against the same engine as dockerode: Engine.childEnv names it explicitly (DOCKER_HOST
// and its TLS settings, or DOCKER_CONTEXT), whatever the parent's environment and docker config say.
import { spawn, spawnSync } from 'node:child_process';
import { CLIError } from '../errors.ts';
import type { Engine } from './engine.ts';

export interface ComposeTarget {
  dir: string;
  composeFile: string;
}

export type ComposeOutput =
  /** The child owns the terminal (shell, logs -f). */
  | 'inherit'
  /** Progress only: the child's stdout and stderr both go to our stderr, stdout stays for results. */
  | 'stderr'
  /** Collected and returned. */
  | 'capture';

export interface ComposeResult {
  status: number;
  stdout: string;
  stderr: string;
}

function notFound(): CLIError {
  return new CLIError('the docker CLI is not on PATH: dockervm runs `docker compose` (v2) for this; install the docker CLI and its compose plugin');
}

export function composeArgs(target: ComposeTarget, args: readonly string[]): string[] {
  return ['compose', '--project-directory', target.dir, '-f', target.composeFile, ...args];
}

export interface ComposeOptions {
  /** In its own process group: a Ctrl-C in the terminal does not stop it half-way (restore). */
  shielded?: boolean;
}

export async function runCompose(
  engine: Engine,
  target: ComposeTarget,
  args: readonly string[],
  output: ComposeOutput,
  options: ComposeOptions = {},
): Promise<ComposeResult> {
  const child = spawn('docker', composeArgs(target, args), {
    cwd: target.dir,
    detached: options.shielded === true,
    env: engine.childEnv,
    stdio: output === 'inherit' ? 'inherit' : output === 'stderr' ? ['ignore', 2, 2] : ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // Ctrl-C reaches compose directly (same process group); we wait for it to finish its cleanup.
  const status = await new Promise<number>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? notFound() : error));
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
  return { status, stdout, stderr };
}

/** `docker compose version --short`, or undefined when there is no compose v2. */
export function composeVersion(env: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync('docker', ['compose', 'version', '--short'], { env, encoding: 'utf8', timeout: 15_000 });
  return result.status === 0 ? result.stdout.trim().replace(/^v/, '') : undefined;
}

/** Runs compose and turns a failure into one CLIError naming the compose command. */
export async function composeOrFail(
  engine: Engine,
  target: ComposeTarget,
  args: readonly string[],
  output: ComposeOutput = 'stderr',
  options: ComposeOptions = {},
): Promise<ComposeResult> {
  const result = await runCompose(engine, target, args, output, options);
  if (result.status === 130) throw new CLIError('cancelled', 130);
  if (result.status !== 0) {
    const detail = result.stderr.trim().split('\n').filter(Boolean).at(-1);
    throw new CLIError(`docker compose ${args.join(' ')} failed (exit ${result.status})${detail ? `: ${detail}` : ''}`);
  }
  return result;
}
