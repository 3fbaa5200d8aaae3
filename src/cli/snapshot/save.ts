// Saving a snapshot: the VM's container layer (docker commit) and its persisted volumes (an image
// whose filesystem holds the volume data, built on the previous one so that it holds only what
// changed). A running VM is copied in two stages, as a live migration copies memory: first while it
// runs (the bulk, however long it takes), then frozen for the moment it takes to copy what changed
// meanwhile and to commit the container, so that both describe one instant (window.ts). Nothing is
// tagged until both images exist; then the volume tag, the snapshot tag (from then on the snapshot
// exists), and `current` move.
import { commitContainer, createIdleContainer, removeContainer, type ContainerDetails } from '../../docker/containers.ts';
import { findFreezer } from '../../docker/freezer.ts';
import { inspectImage, removeImageIfUnused, tagImage } from '../../docker/images.ts';
import type { Manifest } from '../../docker/volume-plan.ts';
import { type VolumeIdentity, findsChangesExactly, liveDir, readSaved, dropSavedExcept, writeSnapshotInfo } from '../../docker/volume-sync.ts';
import { listVolumes, type VolumeInfo } from '../../docker/volumes.ts';
import { CLIError } from '../../errors.ts';
import type { Session } from '../session.ts';
import { findVm } from '../vm.ts';
import { startSnapshotHelper, type SnapshotHelper } from './helper-image.ts';
import { LABEL, ROLE } from '../../constants.ts';
import { labelInstruction, type SavedVolume, type SnapshotKind } from './labels.ts';
import { currentTag, snapshotTag, uniqueId, volumesTag } from './naming.ts';
import { loadSnapshots, type Snapshot } from './store.ts';
import { stepTimer } from './timing.ts';
import { copyStill, copyWhileRunning, finishStill, stillScans, type CopyTotals, type HeldState } from './volume-copy.ts';
import { withVmStill, type FreezeMethod } from './window.ts';

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
  /** How long the VM was frozen (0 when it was not running). */
  pausedMs: number;
  /** How it was frozen, when it was. */
  freeze: FreezeMethod | undefined;
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
  const step = stepTimer(out, session.env);
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
  const totals: CopyTotals = { bytes: 0, paths: 0 };
  const running = Boolean(vm?.running && !vm.paused);
  try {
    // The helper starts from the parent's volume image, reads what that image saved, and drops
    // what is no longer part of the project. For a running VM it also holds the freeze.
    let helper: SnapshotHelper | undefined;
    const held = new Map<string, HeldState | undefined>();
    const parentData = parent?.volumesImageId && (await inspectImage(engine, parent.volumesImageId)) ? parent.volumesImageId : undefined;
    if (volumes.length > 0 || running) {
      helper = await startSnapshotHelper(session, vm, {
        base: volumes.length > 0 ? parentData : undefined,
        labels: { [LABEL.project]: project.name, [LABEL.role]: ROLE.helper },
        mounts: volumes.map((v) => ({ volume: v.name, target: liveDir(v.name), readOnly: true })),
        cgroup: running,
      });
      helpers.push(helper.id);
    }
    const dataHelper = volumes.length > 0 ? helper?.id : undefined;
    if (dataHelper) {
      for (const v of volumes) held.set(v.name, parentData ? await readSaved(engine, dataHelper, v.name) : undefined);
      await dropSavedExcept(
        engine,
        dataHelper,
        volumes.map((v) => v.name),
      );
      await writeSnapshotInfo(engine, dataHelper, { project: project.name, snapshot: id, volumes: volumes.map(savedVolume) });
      step('helper ready');
    }
    session.checkpoint();

    const labels = snapshotLabels(session, options, { id, now, parent, volumes, running: options.running ?? Boolean(vm?.running) });
    const commitOptions = { pause: false, comment: `dockervm ${project.name} snapshot ${id}: ${options.message}`, changes: [labelInstruction(labels)] };
    let imageId: string;
    let live = new Map<string, HeldState>();
    let pausedMs = 0;
    let freeze: FreezeMethod | undefined;
    if (running && vm && helper) {
      const freezer = helper.cgroup === true ? await findFreezer(engine, helper.id, vm.id) : helper.cgroup;
      if (dataHelper) {
        const ahead = await copyWhileRunning(session, dataHelper, volumes, held);
        totals.bytes += ahead.bytes;
        totals.paths += ahead.paths;
        step('copied while running');
      }
      session.checkpoint();
      const scans = dataHelper ? stillScans(volumes, held, await findsChangesExactly(engine, dataHelper)) : [];
      const moment = await withVmStill(session, vm, {
        freezer: 'unavailable' in freezer ? freezer : { helper: helper.id, at: freezer },
        helper: dataHelper,
        scans,
        // Recorded at once: a save that fails after the commit still removes its image.
        commit: async () => {
          const committed = await commitContainer(engine, vm.id, commitOptions);
          created.push(committed);
          return committed;
        },
        keepHelper: () => {
          const at = helpers.indexOf(helper.id);
          if (at >= 0) helpers.splice(at, 1);
        },
        finish: async (outputs) =>
          dataHelper
            ? finishStill(
                session,
                dataHelper,
                volumes,
                held,
                scans.map((scan, i) => {
                  const output = outputs[i];
                  if (!output) throw new Error(`the frozen read returned ${outputs.length} outputs for ${scans.length} volumes`);
                  return { scan, output };
                }),
                totals,
              )
            : new Map<string, HeldState>(),
      });
      ({ value: live, imageId, frozenMs: pausedMs, method: freeze } = moment);
      if ('unavailable' in freezer) {
        out.warn(
          `the VM was paused by the engine, which reports it unhealthy until its next health probe (its cgroup freezer was out of reach: ${freezer.unavailable})`,
        );
      }
    } else {
      // Stopped or paused by the user: it is still already.
      if (dataHelper) live = await copyStill(session, dataHelper, volumes, held, totals);
      imageId = await commitStill(session, vm, commitOptions, helpers);
      created.push(imageId);
    }

    let volumesImageId: string | undefined;
    if (dataHelper) {
      volumesImageId = await commitContainer(engine, dataHelper, {
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
    return { snapshot, copiedBytes: totals.bytes, copiedPaths: totals.paths, pausedMs, freeze, live };
  } finally {
    for (const helper of helpers) await removeContainer(engine, helper);
    // Interrupted before the tags: drop what was written, nothing points at it.
    for (const image of created.reverse()) await removeImageIfUnused(engine, image);
  }
}

/** The container layer of a VM that is not running; after `down`, the image compose would start. */
async function commitStill(
  session: Session,
  vm: ContainerDetails | undefined,
  commitOptions: Parameters<typeof commitContainer>[2],
  helpers: string[],
): Promise<string> {
  if (vm) return commitContainer(session.engine, vm.id, commitOptions);
  const stand = await createIdleContainer(session.engine, session.project.image, {
    ...COMPOSE_CONTAINER_LABELS,
    [LABEL.project]: session.project.name,
    [LABEL.role]: ROLE.helper,
  });
  helpers.push(stand);
  return commitContainer(session.engine, stand, commitOptions);
}

function snapshotLabels(
  session: Session,
  options: SaveOptions,
  s: { id: string; now: Date; parent: Snapshot | undefined; volumes: VolumeInfo[]; running: boolean },
): Record<string, string> {
  return {
    [LABEL.project]: session.project.name,
    [LABEL.role]: ROLE.snapshot,
    [LABEL.snapshot]: s.id,
    [LABEL.message]: options.message,
    [LABEL.parent]: s.parent?.id ?? '',
    [LABEL.created]: s.now.toISOString(),
    [LABEL.engine]: session.engineVersion.version,
    [LABEL.kind]: options.kind,
    [LABEL.volumes]: JSON.stringify(s.volumes.map(savedVolume)),
    [LABEL.running]: String(s.running),
    [LABEL.snapshotPersistence]: session.project.persistence,
    // docker commit copies compose's container labels into the image; blank them, so that a
    // container someone `docker run`s from a snapshot is not taken for the project's VM by compose.
    ...COMPOSE_CONTAINER_LABELS,
  };
}
