// Restoring a snapshot: stop the VM, save its current state (so a restore never loses anything, not
// even what changed a moment before), put the volumes back (only the paths that differ), point the
// VM's image at the snapshot's commit and let compose recreate the container. From the first change
// to the VM on, Ctrl-C waits for the end: a VM half-restored would be worse than a restore that took
// a few seconds longer.
import { composeOrFail } from '../../docker/compose.ts';
import { removeContainer, startContainer, stopContainer, type ContainerDetails } from '../../docker/containers.ts';
import { startHelper } from '../../docker/helper.ts';
import { inspectImage, tagImage } from '../../docker/images.ts';
import { planSync } from '../../docker/volume-plan.ts';
import { createVolume, inspectVolume } from '../../docker/volumes.ts';
import { identityOf, liveDir, readManifest, readSaved, restoreVolume, sameIdentity } from '../../docker/volume-sync.ts';
import { CLIError } from '../../errors.ts';
import { formatBytes } from '../messages.ts';
import type { Session } from '../session.ts';
import { stepTimer } from './timing.ts';
import { findVm } from '../vm.ts';
import { LABEL, ROLE } from '../../constants.ts';
import { currentTag, TAG_PREFIX } from './naming.ts';
import { saveSnapshot, type SaveResult } from './save.ts';
import type { Snapshot } from './store.ts';

export interface RestoreResult {
  restored: Snapshot;
  autoSave: SaveResult | undefined;
  started: boolean;
  copiedBytes: number;
}

type Step = ReturnType<typeof stepTimer>;
type Volumes = Awaited<ReturnType<typeof inspectVolume>>[];

/** Call with the snapshot lock held. */
export async function restoreSnapshot(session: Session, target: Snapshot, options: { start?: boolean } = {}): Promise<RestoreResult> {
  const step = stepTimer(session.out, session.env);
  await checkRestorable(session, target);
  const vm = await findVm(session);
  const wasRunning = Boolean(vm?.running);
  const volumes = await Promise.all(target.volumes.map((v) => inspectVolume(session.engine, v.name)));
  const autoSave = await stopAndAutoSave(session, target, vm, volumes, step);
  const start = options.start ?? (wasRunning || target.running);

  // From here on: no checkpoints, and compose runs shielded from the terminal's Ctrl-C.
  if (vm) {
    await removeContainer(session.engine, vm.id);
    step('container removed');
  }
  const copiedBytes =
    target.volumes.length > 0 && target.volumesImageId ? await restoreVolumes(session, target, target.volumesImageId, volumes, autoSave, step) : 0;
  await recreateVm(session, target, start);
  step('container recreated');
  return { restored: { ...target, current: true }, autoSave, started: start, copiedBytes };
}

async function checkRestorable({ engine }: Pick<Session, 'engine'>, target: Snapshot): Promise<void> {
  if (target.damaged)
    throw new CLIError(
      `${TAG_PREFIX}${target.id} cannot be restored: ${target.damaged} (remove it with \`npx dockervm rm --force ${TAG_PREFIX}${target.id}\`)`,
    );
  if (!target.complete || !(await inspectImage(engine, target.imageId))) {
    throw new CLIError(`${TAG_PREFIX}${target.id} is incomplete (its volume image is missing): it cannot be restored`);
  }
}

/**
 * Stopped first, so the auto-save holds everything up to the restore and the volumes stay still. The
 * last point where Ctrl-C may still stop the restore; a failure up to here leaves the VM as it was found.
 */
async function stopAndAutoSave(
  session: Session,
  target: Snapshot,
  vm: ContainerDetails | undefined,
  volumes: Volumes,
  step: Step,
): Promise<SaveResult | undefined> {
  const { engine, out } = session;
  const wasRunning = Boolean(vm?.running);
  let autoSave: SaveResult | undefined;
  try {
    if (vm && wasRunning) {
      out.progress(`stopping ${vm.name} …`);
      // The engine applies the stop timeout compose gave the container (stop_grace_period).
      await stopContainer(engine, vm.id);
      step('stopped');
    }
    if (vm || volumes.some(Boolean)) {
      autoSave = await saveSnapshot(session, { message: `auto-save before restoring ${TAG_PREFIX}${target.id}`, kind: 'auto', running: wasRunning });
      out.info(`saved the current state as ${TAG_PREFIX}${autoSave.snapshot.id} (restore it to undo this restore)`);
      step('auto-saved');
    }
    session.checkpoint();
  } catch (error) {
    // Nothing was changed yet: leave the VM as it was found.
    if (vm && wasRunning) await startContainer(engine, vm.id);
    throw error;
  }
  return autoSave;
}

/** Puts the snapshot's volumes back (missing ones created first), copying only what differs. Returns the bytes copied. */
async function restoreVolumes(
  session: Session,
  target: Snapshot,
  volumesImageId: string,
  volumes: Volumes,
  autoSave: SaveResult | undefined,
  step: Step,
): Promise<number> {
  const { engine, project, out } = session;
  for (const [i, saved] of target.volumes.entries()) {
    if (!volumes[i]) {
      out.progress(`creating volume ${saved.name}`);
      await createVolume(engine, saved);
    }
  }
  const helper = await startHelper(engine, {
    image: volumesImageId,
    labels: { [LABEL.project]: project.name, [LABEL.role]: ROLE.helper },
    mounts: target.volumes.map((v) => ({ volume: v.name, target: liveDir(v.name), readOnly: false })),
  });
  let copiedBytes = 0;
  try {
    for (const saved of target.volumes) {
      const record = await readSaved(engine, helper, saved.name);
      if (!record) throw new CLIError(`${TAG_PREFIX}${target.id} has no data for volume ${saved.name}: it cannot be restored`);
      // The auto-save read the volume with the VM stopped: nothing has touched it since.
      const fromAutoSave = autoSave?.live.get(saved.name);
      const live = fromAutoSave ?? { manifest: await readManifest(engine, helper, liveDir(saved.name)), identity: undefined };
      const info = await inspectVolume(engine, saved.name);
      const identity = fromAutoSave?.identity ?? identityOf({ name: saved.name, createdAt: info?.createdAt ?? '' }, live.manifest);
      const plan = planSync(record.manifest, sameIdentity(record.identity, identity) ? live.manifest : undefined);
      out.progress(
        `volume ${saved.name}: ${plan.full ? 'full restore' : 'restoring changes'}: ${plan.copy.length} paths, ${formatBytes(plan.bytes)}, ${plan.remove.length} removed`,
      );
      await restoreVolume(engine, helper, saved.name, plan);
      step(`restored ${saved.name}`);
      copiedBytes += plan.bytes;
    }
  } finally {
    await removeContainer(engine, helper);
  }
  return copiedBytes;
}

/**
 * compose runs the VM from its image tag: pointing the tag at the snapshot's commit makes compose
 * create exactly that container, and a later plain `docker compose up` keeps it.
 */
async function recreateVm({ engine, project }: Pick<Session, 'engine' | 'project'>, target: Snapshot, start: boolean): Promise<void> {
  await tagImage(engine, target.imageId, project.image);
  // --no-deps: the volumes are back as they were, seeded; rootfs-init has nothing to do.
  await composeOrFail(
    engine,
    project,
    start ? ['up', '--detach', '--no-build', '--no-deps', project.service] : ['up', '--no-start', '--no-build', '--no-deps', project.service],
    'stderr',
    { shielded: true },
  );
  await tagImage(engine, target.imageId, currentTag(project.repository));
}
