// One run of a lesson at a time per engine, whoever runs it (another checkout, another user's TMPDIR,
// another machine on the same engine): a lesson names its containers and ports (l04-app, 18066) so
// that its page reads like a reader's session, and two runs of it would take each other's names and
// remove each other's containers. Different lessons never share a name or a port, so they run side
// by side. The lock is a created (never started) container with a fixed name: the engine refuses a
// second one atomically. A lock outlives a killed runner; it is taken over once its holder is gone
// (same host, no such process) or it is older than the longest the lesson can run (every step is
// bounded), so the sweep that follows never removes a live run's containers.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';

const LOCK_LABEL = 'dev.dockervm.lesson-lock';
/** Any image every lesson needs anyway: the lock container is only created, never started. */
const LOCK_IMAGE = 'debian:bookworm-slim';
const POLL_MS = 1000;

function docker(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

interface Holder {
  id: string;
  host: string;
  pid: number;
  expires: number;
}

function holderOf(name: string): Holder | undefined {
  const format = `{{.Id}}|{{index .Config.Labels "${LOCK_LABEL}.host"}}|{{index .Config.Labels "${LOCK_LABEL}.pid"}}|{{index .Config.Labels "${LOCK_LABEL}.expires"}}`;
  const found = docker(['container', 'inspect', '--format', format, name]);
  if (!found.ok) return undefined;
  const [id, host, pid, expires] = found.out.split('|');
  return { id: id!, host: host!, pid: Number(pid), expires: Number(expires) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a holder no longer counts, or undefined while it may still be running. */
function staleReason(holder: Holder, now: number): string | undefined {
  if (!(holder.expires > now)) return 'older than the longest run of the lesson';
  if (holder.host === hostname() && !alive(holder.pid)) return `its runner (pid ${holder.pid}) is gone`;
  return undefined;
}

export interface LessonLock {
  release(): void;
}

/**
 * Takes lesson <number>'s lock, waiting (bounded by maxSeconds, the most a run of it may take) while
 * another live run holds it.
 */
export async function lockLesson(number: string, maxSeconds: number, log: (message: string) => void): Promise<LessonLock> {
  const name = `dockervm-lesson-lock-${number}`;
  // The holder's lock expires within maxSeconds of its start; a little more and it is ours or stale.
  const deadline = Date.now() + (maxSeconds + 30) * 1000;
  let waiting = false;
  for (let now = Date.now(); now <= deadline; now = Date.now()) {
    const created = docker([
      'container',
      'create',
      '--name',
      name,
      '--label',
      `${LOCK_LABEL}=${number}`,
      '--label',
      `${LOCK_LABEL}.host=${hostname()}`,
      '--label',
      `${LOCK_LABEL}.pid=${process.pid}`,
      '--label',
      `${LOCK_LABEL}.expires=${now + maxSeconds * 1000}`,
      LOCK_IMAGE,
      'true',
    ]);
    if (created.ok) {
      const id = created.out.split('\n').pop()!;
      // Only our own container: after a takeover, the name may belong to the next run.
      return { release: () => void (holderOf(name)?.id === id && docker(['container', 'rm', '--force', id])) };
    }
    if (!/already in use|Conflict/i.test(created.out)) throw new Error(`cannot take the lock for lesson ${number}: ${created.out}`);
    const holder = holderOf(name);
    if (!holder) continue; // released between the two calls
    const stale = staleReason(holder, now);
    if (stale) {
      log(`lesson ${number}: taking over the lock of an earlier run (${stale})`);
      docker(['container', 'rm', '--force', holder.id]);
      continue;
    }
    if (!waiting) log(`lesson ${number}: another run (${holder.host} pid ${holder.pid}) has it; waiting`);
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`lesson ${number} is still locked by another run after ${maxSeconds + 30} s`);
}
