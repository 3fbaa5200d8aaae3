// The moment a save needs the VM still: frozen through its cgroup (see src/docker/freezer.ts), or
// paused by the engine where the cgroup is out of reach. Either way the moment is short (the bulk of
// the copy happened before it), starts between two health probes, and is bounded: the work inside
// has a deadline, the thaw always runs, a second Ctrl-C waits for it, and a cgroup freeze undoes
// itself when dockervm goes away, or after a watchdog period whatever happens.
import { healthSchedule, pauseContainer, unpauseContainer, type HealthSchedule } from '../../docker/containers.ts';
import { DeadlineError, withDeadline } from '../../docker/deadline.ts';
import { holdFrozen, thaw, type FreezerLocation, type HeldFreeze } from '../../docker/freezer.ts';
import { runScan, scanCommand, type StillScan } from '../../docker/volume-sync.ts';
import { CLIError } from '../../errors.ts';
import { criticalSection } from '../interrupts.ts';
import type { Session } from '../session.ts';
import { stepTimer } from './timing.ts';

/**
 * How long freezing and reading the frozen volumes may take before the save gives up and thaws.
 * A bound on a hang, not a goal: the frozen moment is a fraction of a second on a calm machine,
 * and a save on a machine loaded past all reason must still finish.
 */
const HOLD_MS = 60_000;
/** The same for copying the changes found and committing, with the VM frozen. */
const WINDOW_MS = 60_000;
/** The watchdog thaws a cgroup freeze this long after it began, whatever happened to dockervm. */
export const WATCHDOG_SECONDS = (HOLD_MS + WINDOW_MS) / 1000 + 10;
/** What a window is expected to need at most, for keeping it clear of a health probe. */
const EXPECTED_WINDOW_MS = 2_000;
const POLL_MS = 100;

export type FreezeMethod = 'cgroup' | 'pause';

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

export interface StillMoment<T> {
  value: T;
  imageId: string;
  frozenMs: number;
  method: FreezeMethod;
}

export interface StillWork<T> {
  /** A helper that can reach the freezers (CGROUP_ACCESS) and where the VM's freezer is, or why not. */
  freezer: { helper: string; at: FreezerLocation } | { unavailable: string };
  /** The snapshot helper that reads the volumes, if there are volumes. */
  helper: string | undefined;
  scans: readonly StillScan[];
  /** Commits the VM's container (started the moment the VM is still). */
  commit: () => Promise<string>;
  /** Finishes the copy from the scans' output, the VM still still. */
  finish: (outputs: Buffer[]) => Promise<T>;
  /** Called when the VM may still be frozen: the helper must not be removed (its watchdog thaws it). */
  keepHelper: () => void;
}

/** Runs a save's exact pass with the VM still, and thaws it whatever happens. */
export async function withVmStill<T>(session: Session, vm: { id: string }, work: StillWork<T>): Promise<StillMoment<T>> {
  const step = stepTimer(session.out, session.env);
  await waitForProbeGap(session, vm.id);
  step('between two health probes');
  const moment = 'unavailable' in work.freezer ? await enginePaused(session, vm.id, work) : await cgroupFrozen(session, work.freezer, work);
  step(`still for ${moment.frozenMs.toFixed(0)} ms (${moment.method})`);
  return moment;
}

async function cgroupFrozen<T>(session: Session, freezer: { helper: string; at: FreezerLocation }, work: StillWork<T>): Promise<StillMoment<T>> {
  const { engine } = session;
  return criticalSection(async () => {
    // Measured from the freeze's confirmation to the thaw's: the exec that freezes prints the
    // confirmation the moment the cgroup is frozen, so this is the frozen time to a few ms.
    const step = stepTimer(session.out, session.env);
    let started = performance.now();
    let commit: Promise<string> | undefined;
    let held: HeldFreeze;
    try {
      held = await holdFrozen(engine, freezer.helper, freezer.at, {
        watchdogSeconds: WATCHDOG_SECONDS,
        deadlineMs: HOLD_MS,
        scans: work.scans.map(scanCommand),
        onFrozen: () => {
          started = performance.now();
          step('frozen');
          commit = work.commit();
          commit.catch(() => undefined);
        },
      });
    } catch (error) {
      // The hold's exec may be stuck anywhere: thaw from a fresh one, then say what failed.
      await thawOrExplain(() => thaw(engine, freezer.helper, freezer.at), work.keepHelper);
      throw new CLIError(`the save could not be finished with the VM frozen (${(error as Error).message}); the VM runs on, nothing was saved`);
    }
    step('volumes read');
    let value: T;
    let imageId: string;
    try {
      value = await withDeadline(WINDOW_MS, 'the frozen part of the save', work.finish(held.scans));
      step('changes copied');
      // onFrozen started it: holdFrozen returns only once the VM is frozen.
      if (!commit) throw new Error('the VM was held without being frozen: nothing was committed');
      imageId = await withDeadline(WINDOW_MS, 'committing the frozen VM', commit);
      step('container committed');
    } finally {
      await thawOrExplain(() => held.release().catch(() => thaw(engine, freezer.helper, freezer.at)), work.keepHelper);
      step('thawed');
    }
    return { value, imageId, frozenMs: performance.now() - started, method: 'cgroup' };
  });
}

async function enginePaused<T>(session: Session, vmId: string, work: StillWork<T>): Promise<StillMoment<T>> {
  const { engine } = session;
  return criticalSection(async () => {
    const started = performance.now();
    let value: T | undefined;
    let imageId: string | undefined;
    let failure: unknown;
    try {
      await withDeadline(WINDOW_MS, 'pausing the VM', pauseContainer(engine, vmId));
      const commit = work.commit();
      commit.catch(() => undefined);
      const outputs: Buffer[] = [];
      for (const scan of work.scans) outputs.push(await withDeadline(WINDOW_MS, 'reading a paused volume', runScan(engine, work.helper ?? '', scan)));
      value = await withDeadline(WINDOW_MS, 'the paused part of the save', work.finish(outputs));
      imageId = await withDeadline(WINDOW_MS, 'committing the paused VM', commit);
    } catch (error) {
      failure = error;
    }
    // Unpaused whatever happened; a VM left paused is the worse news, so it is the error told.
    try {
      await withDeadline(WINDOW_MS, 'unpausing the VM', unpauseContainer(engine, vmId));
    } catch (error) {
      throw new CLIError(
        `the VM could not be unpaused (${(error as Error).message}): run \`docker unpause\` once the engine answers, or \`npx dockervm doctor\``,
      );
    }
    if (failure !== undefined || value === undefined || imageId === undefined) throw failure;
    return { value, imageId, frozenMs: performance.now() - started, method: 'pause' };
  });
}

/**
 * Runs a thaw; when even that fails, the VM may still be frozen: the helper must then stay (its
 * watchdog thaws the VM), and the error says so.
 */
async function thawOrExplain(thawVm: () => Promise<void>, keepHelper: () => void): Promise<void> {
  try {
    await withDeadline(WINDOW_MS, 'thawing the VM', thawVm());
  } catch (error) {
    keepHelper();
    const why = error instanceof DeadlineError || error instanceof CLIError ? error.message : String(error);
    throw new CLIError(`the VM could not be thawed (${why}): it thaws by itself within ${WATCHDOG_SECONDS} s, or run \`npx dockervm doctor\``);
  }
}
