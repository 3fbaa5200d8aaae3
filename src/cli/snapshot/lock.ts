// One snapshot operation per project at a time, and recovery after a run that was killed (kill -9,
// a crash, a closed terminal): its lock is stale, so the VM it may have paused is unpaused, and its
// helper containers and half-made images are removed. Earlier snapshots and `current` are never
// touched: they only change through tags, which a run moves last.
import { findContainers, removeContainer, unpauseContainer } from '../../docker/containers.ts';
import { openFreezer } from '../../docker/freezer.ts';
import { inspectImage, listImages, removeImageIfUnused, untag } from '../../docker/images.ts';
import { acquireLock, releaseLock } from '../../docker/helper.ts';
import { CLIError } from '../../errors.ts';
import type { Session } from '../session.ts';
import { COMPOSE_LABEL, LABEL, ROLE } from '../../constants.ts';
import { loadSnapshots } from './store.ts';

export const lockName = (project: string) => `dockervm-lock-${project}`;

/** The lock is a container that never runs: any image of the project will do, none is pulled. */
async function lockImage(session: Session): Promise<string> {
  const own = await inspectImage(session.engine, session.project.image);
  if (own) return own.id;
  const vm = (await findContainers(session.engine, { [LABEL.project]: session.project.name }))[0];
  if (vm) return vm.imageId;
  const snapshot = (await listImages(session.engine, { [LABEL.project]: session.project.name }))[0];
  if (snapshot) return snapshot.id;
  throw new CLIError(`${session.project.name} has no image yet: build it first (\`npx dockervm up\`)`);
}

export async function withSnapshotLock<T>(session: Session, operation: string, work: () => Promise<T>): Promise<T> {
  const { engine, project } = session;
  const lock = await acquireLock(
    engine,
    lockName(project.name),
    await lockImage(session),
    { [COMPOSE_LABEL.project]: '', [LABEL.project]: project.name, [LABEL.role]: ROLE.lock },
    operation,
  );
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
  for (const line of await releaseStuckVm(session)) out.progress(line);
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

/**
 * A VM that a killed save left paused (the engine's pause) or frozen (its cgroup: the watchdog
 * would thaw it within WATCHDOG_SECONDS) runs again. Call only when no live save holds the lock. Returns
 * what it did, one line each.
 */
export async function releaseStuckVm(session: Pick<Session, 'engine' | 'project'>): Promise<string[]> {
  const { engine, project } = session;
  const done: string[] = [];
  const containers = await findContainers(engine, { [LABEL.project]: project.name });
  for (const c of containers) {
    if (c.labels[LABEL.role] === ROLE.helper || c.labels[LABEL.role] === ROLE.lock) continue;
    if (c.state === 'paused') {
      await unpauseContainer(engine, c.id);
      done.push(`unpaused ${c.name} (an interrupted save had paused it)`);
    } else if (c.state === 'running') {
      const opened = await openFreezer(engine, c.id, c.imageId, { [LABEL.project]: project.name, [LABEL.role]: ROLE.helper });
      if ('unavailable' in opened) continue;
      try {
        if (await opened.freezer.isFrozen()) {
          await opened.freezer.thaw();
          done.push(`thawed ${c.name} (an interrupted save had frozen it)`);
        }
      } finally {
        await opened.freezer.close();
      }
    }
  }
  return done;
}
