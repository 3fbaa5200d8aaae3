// Saving a snapshot: the VM's container layer (docker commit) and its persisted volumes (an image
// whose filesystem holds the volume data, built on the previous one so that it holds only what
// changed). The VM is paused while the volume changes are copied and the container is committed,
// so both describe one moment. Nothing is tagged until both images exist; then the volume tag, the
// snapshot tag (from then on the snapshot exists), and `current` move.
import { commitContainer, createIdleContainer, pauseContainer, removeContainer, unpauseContainer } from '../../docker/containers.ts';
import { findVm } from '../vm.ts';
import { ensureImage, inspectImage, removeImageIfUnused, tagImage } from '../../docker/images.ts';
import { startHelper } from '../../docker/helper.ts';
import { listVolumes, type VolumeInfo } from '../../docker/volumes.ts';
import { type VolumeIdentity, identityOf, liveDir, readManifest, readSaved, sameIdentity, saveVolume, dropSavedExcept, writeSnapshotInfo } from '../../docker/volume-sync.ts';
import { planSync, type Manifest } from '../../docker/volume-plan.ts';
import { CLIError } from '../../spec/errors.ts';
import { formatBytes } from '../messages.ts';
import type { Session } from '../session.ts';
import { stepTimer } from './timing.ts';
import { helperImage } from './lock.ts';
import { LABEL, labelInstruction, ROLE, type SavedVolume, type SnapshotKind } from './labels.ts';
import { currentTag, snapshotTag, uniqueId, volumesTag } from './naming.ts';
import { loadSnapshots, type Snapshot } from './store.ts';

export interface SaveOptions {
  message: string;
  kind: SnapshotKind;
  now?: Date;
  /** Record the VM as running even though it is stopped now (restore stops it before saving). */
  running?: boolean;
}

export interface SaveResult {
  snapshot: Snapshot;
  /** Bytes of volume files copied into the snapshot (the change since the parent). */
  copiedBytes: number;
  copiedPaths: number;
  pausedMs: number;
  /** The volumes as they were saved: a restore that follows can skip reading them again. */
  live: Map<string, { manifest: Manifest; identity: VolumeIdentity }>;
}

/** Compose sets these on the containers it creates (overriding any from the image). */
export const COMPOSE_CONTAINER_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  ['project', 'service', 'oneoff', 'container-number', 'config-hash', 'replace', 'depends_on', 'image'].map((k) => [`com.docker.compose.${k}`, '']),
);

const savedVolume = (v: VolumeInfo): SavedVolume => ({ name: v.name, driver: v.driver, labels: v.labels, options: v.options });

/** Call with the snapshot lock held. */
export async function saveSnapshot(session: Session, options: SaveOptions): Promise<SaveResult> {
  const { engine, project, out } = session;
  const step = stepTimer(out);
  const index = await loadSnapshots(engine, project);
  const parent = index.snapshots.find((s) => s.current);
  const now = options.now ?? new Date();
  const id = uniqueId(now, new Set(index.snapshots.map((s) => s.id)));
  const vm = await findVm(session);
  const volumes = await listVolumes(engine, { [LABEL.project]: project.name });
  if (!vm && !(await inspectImage(engine, project.image))) {
    throw new CLIError(`nothing to save: ${project.name} has no VM container and no image ${project.image} yet (start it with \`npx dockervm up\`)`);
  }

  const created: string[] = [];
  const helpers: string[] = [];
  let paused = false;
  let pausedAt = 0;
  let pausedMs = 0;
  let copiedBytes = 0;
  let copiedPaths = 0;
  const liveState = new Map<string, { manifest: Manifest; identity: VolumeIdentity }>();
  try {
    // Everything that can happen before the pause does: the helper starts from the parent's volume
    // image, reads what that image saved, and drops what is no longer part of the project.
    let helper: string | undefined;
    const saved = new Map<string, Awaited<ReturnType<typeof readSaved>>>();
    if (volumes.length > 0) {
      const parentData = parent?.volumesImageId && (await inspectImage(engine, parent.volumesImageId)) ? parent.volumesImageId : undefined;
      const base = parentData ?? (await ensureImage(engine, helperImage(process.env), out.progress));
      helper = await startHelper(engine, {
        image: base,
        labels: { [LABEL.project]: project.name, [LABEL.role]: ROLE.helper },
        mounts: volumes.map((v) => ({ volume: v.name, target: liveDir(v.name), readOnly: true })),
      });
      helpers.push(helper);
      step('helper started');
      for (const v of volumes) saved.set(v.name, parentData ? await readSaved(engine, helper, v.name) : undefined);
      await dropSavedExcept(engine, helper, volumes.map((v) => v.name));
      await writeSnapshotInfo(engine, helper, { project: project.name, snapshot: id, volumes: volumes.map(savedVolume) });
      step('saved manifests read');
    }
    session.checkpoint();

    if (vm?.running && !vm.paused) {
      await pauseContainer(engine, vm.id);
      paused = true;
      pausedAt = performance.now();
    }

    if (helper) {
      for (const v of volumes) {
        step('paused');
        const live = await readManifest(engine, helper, liveDir(v.name));
        step(`live manifest of ${v.name} (${live.size} paths)`);
        const identity = identityOf(v, live);
        liveState.set(v.name, { manifest: live, identity });
        const before = saved.get(v.name);
        const plan = planSync(live, before && sameIdentity(before.identity, identity) ? before.manifest : undefined);
        out.progress(`volume ${v.name}: ${plan.full ? 'full copy' : 'changes'}: ${plan.copy.length} paths, ${formatBytes(plan.bytes)}, ${plan.remove.length} removed`);
        await saveVolume(engine, helper, v.name, plan, live, identity);
        step('copied');
        copiedBytes += plan.bytes;
        copiedPaths += plan.copy.length + plan.remove.length;
      }
    }

    const labels: Record<string, string> = {
      [LABEL.project]: project.name,
      [LABEL.role]: ROLE.snapshot,
      [LABEL.snapshot]: id,
      [LABEL.message]: options.message,
      [LABEL.parent]: parent?.id ?? '',
      [LABEL.created]: now.toISOString(),
      [LABEL.engine]: session.engineVersion.version,
      [LABEL.kind]: options.kind,
      [LABEL.volumes]: JSON.stringify(volumes.map(savedVolume)),
      [LABEL.running]: String(options.running ?? Boolean(vm?.running)),
      [LABEL.persistence]: project.persistence,
      // docker commit copies compose's container labels into the image; blank them, so that a
      // container someone `docker run`s from a snapshot is not taken for the project's VM by compose.
      ...COMPOSE_CONTAINER_LABELS,
    };
    const commitOptions = { pause: false, comment: `dockervm ${project.name} snapshot ${id}: ${options.message}`, changes: [labelInstruction(labels)] };
    let imageId: string;
    if (vm) {
      imageId = await commitContainer(engine, vm.id, commitOptions);
    } else {
      // No container (after `down`): the snapshot's system is the image compose would start.
      const stand = await createIdleContainer(engine, project.image, { ...COMPOSE_CONTAINER_LABELS, [LABEL.project]: project.name, [LABEL.role]: ROLE.helper });
      helpers.push(stand);
      imageId = await commitContainer(engine, stand, commitOptions);
    }
    created.push(imageId);
    step('container committed');
    if (paused) {
      await unpauseContainer(engine, vm!.id);
      paused = false;
      pausedMs = performance.now() - pausedAt;
    }

    // The volume data was copied while the VM was paused; committing it needs the VM no more.
    let volumesImageId: string | undefined;
    if (helper) {
      volumesImageId = await commitContainer(engine, helper, {
        pause: false,
        comment: `dockervm ${project.name} snapshot ${id}: volume data`,
        changes: [labelInstruction({ [LABEL.project]: project.name, [LABEL.role]: ROLE.volumes, [LABEL.snapshot]: id })],
      });
      created.push(volumesImageId);
      step('volume image committed');
    }

    // The commit point: volume tag, then the snapshot tag (from here on it exists), then current.
    if (volumesImageId) await tagImage(engine, volumesImageId, volumesTag(project.repository, id));
    await tagImage(engine, imageId, snapshotTag(project.repository, id));
    await tagImage(engine, imageId, currentTag(project.repository));
    created.length = 0;

    const after = await loadSnapshots(engine, project);
    const snapshot = after.snapshots.find((s) => s.id === id);
    if (!snapshot) throw new Error(`snapshot ${id} was tagged but does not list`);
    return { snapshot, copiedBytes, copiedPaths, pausedMs, live: liveState };
  } finally {
    if (paused && vm) await unpauseContainer(engine, vm.id);
    for (const helper of helpers) await removeContainer(engine, helper);
    // Interrupted before the tags: drop what was written, nothing points at it.
    for (const image of created.reverse()) await removeImageIfUnused(engine, image);
  }
}
