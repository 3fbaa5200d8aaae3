// The last step: install the project's dependencies (its pinned dockervm CLI), as create-astro does.
// It runs after the project is written, so a failure here loses nothing: the message says how to
// install by hand, and the exit code is 1.
import { spawn } from 'node:child_process';
import { CancelledError, CLIError } from '../errors.ts';
import type { Prompter } from './ask.ts';
import type { Context } from './context.ts';
import type { Messages } from './messages.ts';
import { installCommand } from './package-manager.ts';
import { questions } from './questions.ts';

/** npm on a slow link takes a minute or two; past this something hangs. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** Flag, else the question (interactive), else yes (--yes, or no terminal). */
export async function decideInstall(context: Pick<Context, 'install' | 'interactive' | 'packageManager'>, prompt: Prompter): Promise<boolean> {
  if (context.install !== undefined) return context.install;
  return context.interactive ? prompt.confirm(questions.install(installCommand(context.packageManager).text)) : true;
}

export interface InstallOptions {
  /** The project directory, and how the user names it (for the by-hand hint). */
  dir: string;
  shownDir: string;
  signal?: AbortSignal;
  env: NodeJS.ProcessEnv;
}

/** The last meaningful line a package manager printed: usually the reason it failed. */
function lastLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^npm (error|ERR!) (A complete log|\s*$)/.test(l));
  return lines.find((l) => /\b(E[A-Z0-9]{3,}|error)\b/i.test(l)) ?? lines.at(-1) ?? '';
}

type Outcome = { code: number | null; signal?: string | null; error?: NodeJS.ErrnoException };

export async function installDependencies(context: Pick<Context, 'packageManager'>, options: InstallOptions, messages: Messages): Promise<void> {
  const { command, args, text } = installCommand(context.packageManager);
  const byHand = `install by hand with \`cd ${options.shownDir} && ${text}\``;
  const started = Date.now();
  messages.progress(`installing dependencies (${text}) …`);
  let output = '';
  const result = await new Promise<Outcome>((resolve) => {
    const child = spawn(command, args, {
      cwd: options.dir,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // npm, pnpm and yarn are .cmd shims on Windows, which only a shell runs.
      shell: process.platform === 'win32',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // Our own timer, not spawn's `timeout`: that one stays armed when the command does not exist
    // (ENOENT) and keeps the process alive for the whole timeout.
    const timer = setTimeout(() => child.kill('SIGTERM'), INSTALL_TIMEOUT_MS);
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error: NodeJS.ErrnoException) => finish({ code: null, error }));
    child.once('close', (code, signal) => finish({ code, signal }));
  });
  if (options.signal?.aborted) throw new CancelledError(`cancelled while installing: the project is written; ${byHand}`);
  if (result.error?.code === 'ENOENT') {
    throw new CLIError(`${command} is not installed here, so the dependencies were not installed: the project is written; ${byHand}`);
  }
  if (result.code !== 0) {
    const why =
      result.error?.message ??
      (result.signal ? `stopped after ${INSTALL_TIMEOUT_MS / 60_000} min (${result.signal})` : lastLine(output) || `exit code ${result.code}`);
    throw new CLIError(`${text} failed (${why}): the project is written; ${byHand}`);
  }
  messages.progress(`installed dependencies with ${command} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
