// The moment a save needs the VM still: frozen through its cgroup (see src/docker/freezer.ts), or
// paused by the engine where the cgroup is out of reach. Either way the moment is short (the bulk of
// the copy happened before it), starts between two health probes, and is bounded: the work inside
// has a deadline, the thaw always runs, a second Ctrl-C waits for it, and a cgroup freeze undoes
// itself after a watchdog period even if dockervm is killed.
import { healthSchedule, pauseContainer, unpauseContainer, type HealthSchedule } from '../../docker/containers.ts';
import { DeadlineError, withDeadline } from '../../docker/deadline.ts';
import { openFreezer } from '../../docker/freezer.ts';
import { CLIError } from '../../spec/errors.ts';
import { criticalSection } from '../interrupts.ts';
import type { Session } from '../session.ts';
import { LABEL, ROLE } from './labels.ts';

/** The longest the work inside the window may take before the save gives up and thaws the VM. */
export const WINDOW_MS = 30_000;
/** The watchdog thaws a cgroup freeze this long after it began, whatever happened to dockervm. */
export const WATCHDOG_SECONDS = WINDOW_MS / 1000 + 10;
/** What a window is expected to need at most, for keeping it clear of a health probe. */
const EXPECTED_WINDOW_MS = 2_000;
const POLL_MS = 100;

export type FreezeMethod = 'cgroup' | 'pause';

export interface Frozen<T> {
  value: T;
  frozenMs: number;
  method: FreezeMethod;
  /** Why the engine's pause was used instead of the cgroup freezer. */
  fallbackReason?: string;
}

/**
 * When the engine will start its next probe, as its health monitor schedules them: one interval
 * after the previous probe ended (the start interval while starting within the start period).
 */
export function nextProbeAt(s: HealthSchedule, now: number): number {
  const from = s.lastProbeEnd ?? s.startedAt;
  const inStartPeriod = from - s.startedAt < s.startPeriodMs;
  const interval = inStartPeriod && s.status === 'starting' ? s.startIntervalMs : s.intervalMs;
  return Math.max(from + interval, now - s.timeoutMs);
}

/**
 * Waits (bounded) until the window can open without a health probe inside it: when the next probe
 * is due before the window would close, wait for that probe's result first.
 */
export async function waitForProbeGap(session: Pick<Session, 'engine'>, vmId: string, now = () => Date.now()): Promise<void> {
  const first = await healthSchedule(session.engine, vmId);
  if (!first) return;
  const due = nextProbeAt(first, now());
  if (due > now() + EXPECTED_WINDOW_MS) return;
  const giveUpAt = Math.max(due, now()) + first.timeoutMs + 2_000;
  for (let i = 0; i < 1_000 && now() < giveUpAt; i++) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const s = await healthSchedule(session.engine, vmId);
    if (!s || s.lastProbeEnd !== first.lastProbeEnd) return;
  }
}

/** Runs `work` with the VM frozen; thaws whatever happens. */
export async function withVmFrozen<T>(session: Session, vm: { id: string; imageId: string }, work: () => Promise<T>): Promise<Frozen<T>> {
  const { engine, project } = session;
  const opened = await openFreezer(engine, vm.id, vm.imageId, { [LABEL.project]: project.name, [LABEL.role]: ROLE.helper });
  if ('unavailable' in opened) {
    await waitForProbeGap(session, vm.id);
    return { ...(await withEnginePause(session, vm.id, work)), fallbackReason: opened.unavailable };
  }
  const { freezer } = opened;
  try {
    await waitForProbeGap(session, vm.id);
    return await criticalSection(async () => {
      // Measured from the freeze request to the thaw's confirmation: all the time the VM may have
      // been still, not only the work in between.
      const frozenAt = performance.now();
      let value: T;
      try {
        await freezer.freeze(WATCHDOG_SECONDS);
        value = await withDeadline(WINDOW_MS, 'the frozen part of the save', work());
      } finally {
        await thawOrExplain(freezer.thaw, `its watchdog thaws it within ${WATCHDOG_SECONDS} s`);
      }
      return { value, frozenMs: performance.now() - frozenAt, method: 'cgroup' as const };
    });
  } finally {
    await freezer.close();
  }
}

async function withEnginePause<T>(session: Session, vmId: string, work: () => Promise<T>): Promise<Omit<Frozen<T>, 'fallbackReason'>> {
  const { engine } = session;
  return criticalSection(async () => {
    const pausedAt = performance.now();
    let value: T;
    try {
      await withDeadline(WINDOW_MS, 'pausing the VM', pauseContainer(engine, vmId));
      value = await withDeadline(WINDOW_MS, 'the paused part of the save', work());
    } finally {
      await thawOrExplain(() => unpauseContainer(engine, vmId), 'unpause it with `docker unpause` once the engine answers, or run `npx dockervm doctor`');
    }
    return { value, frozenMs: performance.now() - pausedAt, method: 'pause' as const };
  });
}

async function thawOrExplain(thaw: () => Promise<void>, otherwise: string): Promise<void> {
  try {
    await withDeadline(WINDOW_MS, 'thawing the VM', thaw());
  } catch (error) {
    const why = error instanceof DeadlineError || error instanceof CLIError ? error.message : String(error);
    throw new CLIError(`the VM could not be thawed (${why}): ${otherwise}`);
  }
}
