// Bringing the snapshot helper's copy of each volume up to date with the live volume. Two kinds of
// pass: while the VM runs (the bulk of the copy; files may change or vanish under it, which is
// fine: whatever such a pass got wrong, the next pass sees as changed), and with the VM still (the
// pass that makes the snapshot exact: only what changed since the pass before).
import { applyChanges, changedSince, mergeWalked, parseChanges } from '../../docker/volume-changes.ts';
import { afterFailedSync, isEmptyPlan, planSync, type Manifest } from '../../docker/volume-plan.ts';
import {
  changesScan,
  helperClock,
  identityOf,
  liveDir,
  manifestScan,
  parseManifestOutput,
  readManifest,
  runScan,
  saveVolume,
  sameIdentity,
  type StillScan,
  type VolumeIdentity,
} from '../../docker/volume-sync.ts';
import type { VolumeInfo } from '../../docker/volumes.ts';
import { formatBytes } from '../messages.ts';
import type { Session } from '../session.ts';

/** What the helper holds for a volume: the manifest of its copy and which volume instance it was. */
export interface HeldState {
  manifest: Manifest;
  identity: VolumeIdentity;
  /** When the walk that made `manifest` began (the helper's clock, in seconds), if it was one of this save. */
  walkedAt?: number;
  /** A file in the helper touched just before that walk (its ctime marks the moment exactly). */
  ref?: string;
}

export interface CopyTotals {
  bytes: number;
  paths: number;
}

/** A first running pass this big gets a second one, so that the still pass has little left to do. */
const SECOND_ROUND_PATHS = 500;
const SECOND_ROUND_BYTES = 16 * 1024 * 1024;

const label = (plan: { full: boolean; copy: string[]; remove: string[]; bytes: number }) =>
  `${plan.full ? 'full copy' : 'changes'}: ${plan.copy.length} paths, ${formatBytes(plan.bytes)}, ${plan.remove.length} removed`;

/**
 * Copies each volume while the VM keeps running (up to two rounds). Returns what the helper holds
 * afterwards; a volume whose pass could not be done keeps its earlier state.
 */
export async function copyWhileRunning(
  session: Session,
  helper: string,
  volumes: readonly VolumeInfo[],
  held: Map<string, HeldState | undefined>,
): Promise<CopyTotals> {
  const totals = { bytes: 0, paths: 0 };
  for (let round = 1; round <= 2; round++) {
    let big = false;
    for (const v of volumes) {
      session.checkpoint();
      let live: Manifest;
      let walkedAt: number;
      try {
        walkedAt = await helperClock(session.engine, helper);
        live = await readManifest(session.engine, helper, liveDir(v.name), { live: true, ref: walkRef(v.name) });
      } catch (error) {
        session.out.progress(`volume ${v.name}: not copied ahead (${(error as Error).message}); the frozen pass copies it`);
        continue;
      }
      const identity = identityOf(v, live);
      const before = held.get(v.name);
      const current = before && sameIdentity(before.identity, identity) ? before.manifest : undefined;
      const plan = planSync(live, current);
      if (isEmptyPlan(plan)) {
        held.set(v.name, { manifest: live, identity, walkedAt, ref: walkRef(v.name) });
        continue;
      }
      if (round === 1) session.out.progress(`volume ${v.name}: copying while the VM runs: ${label(plan)}`);
      big ||= plan.copy.length > SECOND_ROUND_PATHS || plan.bytes > SECOND_ROUND_BYTES;
      try {
        await saveVolume(session.engine, helper, v.name, plan, live, identity);
        held.set(v.name, { manifest: live, identity, walkedAt, ref: walkRef(v.name) });
        totals.bytes += plan.bytes;
        totals.paths += plan.copy.length + plan.remove.length;
      } catch {
        // A file vanished or changed under cpio: mark what this pass touched as unknown.
        const marked = afterFailedSync(current, live, plan);
        held.set(v.name, marked ? { manifest: marked, identity } : undefined);
      }
    }
    if (!big) break;
  }
  return totals;
}

/**
 * How the exact pass reads each volume: after a walk of this save, only what changed since (one
 * pass over the inodes instead of a stat of every path: most of the frozen moment otherwise), else
 * all of it. A second before the walk: ctimes are whole ticks of a coarse clock.
 */
export function stillScans(volumes: readonly VolumeInfo[], held: Map<string, HeldState | undefined>, exact: boolean): StillScan[] {
  return volumes.map((v) => {
    const state = held.get(v.name);
    if (state?.walkedAt === undefined) return manifestScan(liveDir(v.name));
    const changes = changesScan(liveDir(v.name), state.walkedAt - 1, state.ref);
    if (exact) return changes;
    // -cmin counts whole minutes back from the scan: what it lists is what changed in that span.
    const young = changedSince(state.manifest, state.walkedAt - 1 - 180);
    return young > YOUNG_LIMIT ? manifestScan(liveDir(v.name)) : changes;
  });
}

/** In the helper's /dev/shm: a tmpfs, so nothing of it lands in the committed volume image. */
const walkRef = (volume: string) => `/dev/shm/dockervm-walk-${volume}`;

/** Above this many paths changed in the last minutes, the still pass reads a volume whole. */
const YOUNG_LIMIT = 3_000;

/**
 * The exact pass (the VM frozen or stopped), from what `stillScans` read: the helper's copy of every
 * volume becomes the volume, and its manifest is recorded. Returns the manifests, which describe
 * the snapshot.
 */
export async function finishStill(
  session: Session,
  helper: string,
  volumes: readonly VolumeInfo[],
  held: Map<string, HeldState | undefined>,
  scans: readonly { scan: StillScan; output: Buffer }[],
  totals: CopyTotals,
): Promise<Map<string, HeldState>> {
  const states = new Map<string, HeldState>();
  for (const [i, v] of volumes.entries()) {
    const before = held.get(v.name);
    const still = scans[i];
    if (!still) throw new Error(`no still scan of volume ${v.name}`);
    const { scan, output } = still;
    let live: Manifest;
    if (scan.kind === 'manifest') live = parseManifestOutput(output, scan.dir);
    else if (before) live = await caughtUp(session, helper, scan.dir, before.manifest, output);
    // stillScans reads only the changes of a volume this save walked before.
    else throw new Error(`a changes scan of volume ${v.name} without its earlier walk`);
    const identity = identityOf(v, live);
    const plan = planSync(live, before && sameIdentity(before.identity, identity) ? before.manifest : undefined);
    states.set(v.name, { manifest: live, identity });
    // Nothing changed since a pass that recorded exactly this manifest.
    if (isEmptyPlan(plan)) continue;
    session.out.progress(`volume ${v.name}: ${label(plan)}`);
    await saveVolume(session.engine, helper, v.name, plan, live, identity);
    totals.bytes += plan.bytes;
    totals.paths += plan.copy.length + plan.remove.length;
  }
  return states;
}

/** The manifest now: the earlier walk's, with the changes applied (and new subtrees walked). */
async function caughtUp(session: Session, helper: string, dir: string, before: Manifest, output: Buffer): Promise<Manifest> {
  const { manifest, walk } = applyChanges(before, parseChanges(output));
  for (const sub of walk) mergeWalked(manifest, sub, await readManifest(session.engine, helper, `${dir}/${sub.slice(2)}`));
  return manifest;
}

/** The exact pass with each read an exec of its own (the VM stopped, or paused by the engine). */
export async function copyStill(
  session: Session,
  helper: string,
  volumes: readonly VolumeInfo[],
  held: Map<string, HeldState | undefined>,
  totals: CopyTotals,
): Promise<Map<string, HeldState>> {
  const scans = [];
  for (const scan of stillScans(volumes, held, false)) scans.push({ scan, output: await runScan(session.engine, helper, scan) });
  return finishStill(session, helper, volumes, held, scans, totals);
}
