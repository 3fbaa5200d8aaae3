// Watching VMs while something happens to them (saves, restores, load): their state and health
// read four times a second, and an exec loop that counts execs that ran, failed or hung. Every loop
// is bounded in count and each command in time; nothing blocks the event loop, so the watchers run
// while the test awaits the work it watches.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Killed at its time limit. */
  hung: boolean;
  ms: number;
}

/** A command, bounded in time; never throws. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 600_000);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, hung, ms: performance.now() - started });
    });
  });
}

/** `STATE HEALTH` of each container, e.g. `running healthy`. */
export const inspectStates = (ids: readonly string[]) =>
  run('docker', ['inspect', '-f', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', ...ids], { timeoutMs: 20_000 });

/** Every container's state and health, four times a second, until stopped. */
export function watchHealth(ids: readonly string[], maxRounds = 20_000) {
  const readings: string[] = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; i < maxRounds && !stopped; i++) {
      const r = await inspectStates(ids);
      readings.push(...(r.status === 0 ? r.stdout.trim().split('\n') : [`inspect failed: ${r.stderr.trim()}`]));
      await sleep(250);
    }
  })();
  return {
    readings,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** `docker exec ID true` every 100 ms until stopped: how many ran, failed (refused), hung (15 s). */
export function execLoop(id: string, maxRuns = 100_000) {
  const counts = { ran: 0, failed: 0, hung: 0 };
  let stopped = false;
  const done = (async () => {
    for (let i = 0; i < maxRuns && !stopped; i++) {
      const r = await run('docker', ['exec', id, 'true'], { timeoutMs: 15_000 });
      if (r.hung) counts.hung++;
      else if (r.status === 0) counts.ran++;
      else counts.failed++;
      await sleep(100);
    }
  })();
  return {
    counts,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}
