// Bringing the snapshot helper's copy of each volume up to date with the live volume. Two kinds of
// pass: while the VM runs (the bulk of the copy; files may change or vanish under it, which is
// fine: whatever such a pass got wrong, the next pass sees as changed), and with the VM still (the
// pass that makes the snapshot exact: only what changed since the pass before).
import { afterFailedSync, isEmptyPlan, planSync, type Manifest } from '../../docker/volume-plan.ts';
import { identityOf, liveDir, readManifest, saveVolume, sameIdentity, type VolumeIdentity } from '../../docker/volume-sync.ts';
import type { VolumeInfo } from '../../docker/volumes.ts';
import { formatBytes } from '../messages.ts';
import type { Session } from '../session.ts';

/** What the helper holds for a volume: the manifest of its copy and which volume instance it was. */
export interface HeldState {
  manifest: Manifest;
  identity: VolumeIdentity;
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
export async function copyWhileRunning(session: Session, helper: string, volumes: readonly VolumeInfo[], held: Map<string, HeldState | undefined>): Promise<CopyTotals> {
  const totals = { bytes: 0, paths: 0 };
  for (let round = 1; round <= 2; round++) {
    let big = false;
    for (const v of volumes) {
      session.checkpoint();
      let live: Manifest;
      try {
        live = await readManifest(session.engine, helper, liveDir(v.name));
      } catch (error) {
        session.out.progress(`volume ${v.name}: not copied ahead (${(error as Error).message}); the frozen pass copies it`);
        continue;
      }
      const identity = identityOf(v, live);
      const before = held.get(v.name);
      const current = before && sameIdentity(before.identity, identity) ? before.manifest : undefined;
      const plan = planSync(live, current);
      if (isEmptyPlan(plan)) continue;
      if (round === 1) session.out.progress(`volume ${v.name}: copying while the VM runs: ${label(plan)}`);
      big ||= plan.copy.length > SECOND_ROUND_PATHS || plan.bytes > SECOND_ROUND_BYTES;
      try {
        await saveVolume(session.engine, helper, v.name, plan, live, identity);
        held.set(v.name, { manifest: live, identity });
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
 * The exact pass (the VM frozen or stopped): the helper's copy of every volume becomes the volume,
 * and its manifest is recorded. Returns the manifests read, which describe the snapshot.
 */
export async function copyStill(session: Session, helper: string, volumes: readonly VolumeInfo[], held: Map<string, HeldState | undefined>, totals: CopyTotals): Promise<Map<string, HeldState>> {
  const states = new Map<string, HeldState>();
  for (const v of volumes) {
    const live = await readManifest(session.engine, helper, liveDir(v.name));
    const identity = identityOf(v, live);
    const before = held.get(v.name);
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
