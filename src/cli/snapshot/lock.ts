// One snapshot operation per project at a time, and recovery after a run that was killed (kill -9,
// a crash, a closed terminal): its lock is stale, so the VM it may have paused is unpaused, and its
// helper containers and half-made images are removed. Earlier snapshots and `current` are never
// touched: they only change through tags, which a run moves last.
import { findContainers, removeContainer, unpauseContainer } from '../../docker/containers.ts';
import { ensureImage, inspectImage, listImages, removeImageIfUnused, untag } from '../../docker/images.ts';
import { acquireLock, releaseLock } from '../../docker/helper.ts';
import { CLIError } from '../../spec/errors.ts';
import type { Session } from '../session.ts';
import { LABEL, ROLE } from './labels.ts';
import { loadSnapshots } from './store.ts';

export const helperImage = (env: NodeJS.ProcessEnv) => env.DOCKERVM_HELPER_IMAGE || 'busybox:latest';
export const lockName = (project: string) => `dockervm-lock-${project}`;

async function lockImage(session: Session): Promise<string> {
  const own = await inspectImage(session.engine, session.project.image);
  if (own) return own.id;
  return ensureImage(session.engine, helperImage(process.env), session.out.progress);
}

export async function withSnapshotLock<T>(session: Session, operation: string, work: () => Promise<T>): Promise<T> {
  const { engine, project } = session;
  const lock = await acquireLock(engine, lockName(project.name), await lockImage(session), { 'com.docker.compose.project': '', [LABEL.project]: project.name, [LABEL.role]: ROLE.lock }, operation);
  if (!lock.acquired) {
    const { holder } = lock;
    throw new CLIError(
      `another dockervm ${holder.operation} (pid ${holder.pid} on ${holder.host}) is working on ${project.name}: wait for it; if it is gone, remove its lock with \`docker rm ${lockName(project.name)}\``,
    );
  }
  try {
    if (lock.stale) await recover(session, lock.stale.pid, lock.stale.operation);
    return await work();
  } finally {
    await releaseLock(engine, lock.containerId);
  }
}

/** Cleans up after a killed run (its lock was stale). */
async function recover(session: Session, pid: number, operation: string): Promise<void> {
  const { engine, project, out } = session;
  out.warn(`a previous dockervm ${operation} (pid ${pid}) was interrupted; cleaning up after it (your snapshots are intact)`);
  for (const vm of await findContainers(engine, { [LABEL.project]: project.name })) {
    if (vm.state === 'paused') {
      await unpauseContainer(engine, vm.id);
      out.progress(`unpaused ${vm.name}`);
    }
  }
  for (const helper of await findContainers(engine, { [LABEL.project]: project.name, [LABEL.role]: ROLE.helper })) {
    await removeContainer(engine, helper.id);
  }
  const index = await loadSnapshots(engine, project);
  for (const tag of index.orphanVolumeTags) await untag(engine, tag);
  // Untagged top-level snapshot images: written by the killed run, never tagged.
  const images = await listImages(engine, { [LABEL.project]: project.name });
  for (const image of images) {
    const role = image.labels[LABEL.role];
    if (image.tags.length === 0 && (role === ROLE.snapshot || role === ROLE.volumes)) await removeImageIfUnused(engine, image.id);
  }
}
