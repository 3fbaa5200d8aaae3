// Restoring a snapshot: stop the VM, save its current state (so a restore never loses anything, not
// even what changed a moment before), put the volumes back (only the paths that differ), point the
// VM's image at the snapshot's commit and let compose recreate the container. From the first change
// to the VM on, Ctrl-C waits for the end: a VM half-restored would be worse than a restore that took
// a few seconds longer.
import { composeOrFail } from '../../docker/compose.ts';
import { removeContainer, startContainer, stopContainer } from '../../docker/containers.ts';
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

/** Call with the snapshot lock held. */
export async function restoreSnapshot(session: Session, target: Snapshot, options: { start?: boolean } = {}): Promise<RestoreResult> {
  const { engine, project, out } = session;
  const step = stepTimer(out, session.env);
  if (target.damaged)
    throw new CLIError(
      `${TAG_PREFIX}${target.id} cannot be restored: ${target.damaged} (remove it with \`npx dockervm rm --force ${TAG_PREFIX}${target.id}\`)`,
    );
  if (!target.complete || !(await inspectImage(engine, target.imageId))) {
    throw new CLIError(`${TAG_PREFIX}${target.id} is incomplete (its volume image is missing): it cannot be restored`);
  }
  const vm = await findVm(session);
  const wasRunning = Boolean(vm?.running);
  const volumes = await Promise.all(target.volumes.map((v) => inspectVolume(engine, v.name)));

  // Stopped first, so the auto-save holds everything up to the restore and the volumes stay still.
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
  const start = options.start ?? (wasRunning || target.running);

  // From here on: no checkpoints, and compose runs shielded from the terminal's Ctrl-C.
  if (vm) {
    await removeContainer(engine, vm.id);
    step('container removed');
  }
  let copiedBytes = 0;
  if (target.volumes.length > 0 && target.volumesImageId) {
    for (const [i, saved] of target.volumes.entries()) {
      if (!volumes[i]) {
        out.progress(`creating volume ${saved.name}`);
        await createVolume(engine, saved);
      }
    }
    const helper = await startHelper(engine, {
      image: target.volumesImageId,
      labels: { [LABEL.project]: project.name, [LABEL.role]: ROLE.helper },
      mounts: target.volumes.map((v) => ({ volume: v.name, target: liveDir(v.name), readOnly: false })),
    });
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
  }
  // compose runs the VM from its image tag: pointing the tag at the snapshot's commit makes compose
  // create exactly that container, and a later plain `docker compose up` keeps it.
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
  step('container recreated');
  return { restored: { ...target, current: true }, autoSave, started: start, copiedBytes };
}
