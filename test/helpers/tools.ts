// External tools some tests need. Missing locally: the test is skipped and says why. Missing in CI
// (CI=true): the test fails, because .ci/run installs every one of them.
import { spawnSync } from 'node:child_process';

export function hasTool(command: string, args: string[] = ['--version']): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  const present = result.status === 0;
  if (!present && process.env.CI) {
    throw new Error(`${command} is required in CI (.ci/run installs it) but \`${command} ${args.join(' ')}\` failed`);
  }
  if (!present) process.stderr.write(`skipping: ${command} is not installed\n`);
  return present;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { cwd?: string; input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    env: options.env ?? process.env,
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
