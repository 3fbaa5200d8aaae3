// Short-lived helper containers: the snapshot helper that copies volume data, and the lock that keeps
// two saves or restores of one project apart. Both are labelled, so a run killed with -9 leaves
// nothing the next run cannot find and clear.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Engine } from './engine.ts';
import { isStatus } from './engine.ts';
import { LABEL } from '../constants.ts';

export interface HelperMount {
  volume: string;
  target: string;
  readOnly: boolean;
}

export interface HelperOptions {
  image: string;
  labels: Record<string, string>;
  mounts: readonly HelperMount[];
  name?: string;
  /** Host paths bound into the helper (`SOURCE:TARGET[:ro]`), e.g. the host's cgroup tree. */
  binds?: readonly string[];
  /** Share the host's cgroup namespace, so cgroup paths read the same inside as on the host. */
  hostCgroupns?: boolean;
}

/** Starts a container that idles (bounded: it ends by itself after an hour) while we exec into it. */
export async function startHelper(engine: Engine, options: HelperOptions): Promise<string> {
  const container = await engine.call('create a helper container', () =>
    engine.docker.createContainer({
      ...(options.name ? { name: options.name } : {}),
      Image: options.image,
      Entrypoint: ['sleep'],
      Cmd: ['3600'],
      User: 'root',
      WorkingDir: '/',
      NetworkDisabled: true,
      Labels: options.labels,
      HostConfig: {
        NetworkMode: 'none',
        ...(options.binds?.length ? { Binds: [...options.binds] } : {}),
        // Not in dockerode's types yet; the engine has taken it since API 1.41.
        ...(options.hostCgroupns ? ({ CgroupnsMode: 'host' } as object) : {}),
        Mounts: options.mounts.map((m) => ({ Type: 'volume' as const, Source: m.volume, Target: m.target, ReadOnly: m.readOnly })),
      },
    }),
  );
  try {
    await engine.call('start a helper container', () => container.start());
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  }
  return container.id;
}

export interface LockInfo {
  pid: number;
  host: string;
  operation: string;
  containerId: string;
}

export type LockResult = { acquired: true; containerId: string; stale: LockInfo | undefined } | { acquired: false; holder: LockInfo };

/** Whether the run that holds a lock may still be at work (another host's run is assumed to be). */
export const lockIsLive = (lock: LockInfo) => lock.host !== hostname() || isAlive(lock.pid);

/** The process exists, and (where /proc tells) it is still a dockervm: a pid can be reused. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dockervm');
  } catch {
    return true;
  }
}

/**
 * An engine-wide mutex: a never-started container with a fixed name (names are unique, creation is
 * atomic). A lock whose process is gone (same host, pid dead) is stale: it is taken over, and the
 * caller is told so it can clean up after the dead run.
 */
export async function acquireLock(engine: Engine, name: string, image: string, labels: Record<string, string>, operation: string): Promise<LockResult> {
  const host = hostname();
  let stale: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const container = await engine.call('create the lock container', () =>
        engine.docker.createContainer({
          name,
          Image: image,
          Entrypoint: ['true'],
          NetworkDisabled: true,
          Labels: { ...labels, [LABEL.pid]: String(process.pid), [LABEL.host]: host, [LABEL.operation]: operation },
        }),
      );
      return { acquired: true, containerId: container.id, stale };
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
    }
    const holder = await readLock(engine, name);
    if (!holder) continue;
    if (holder.host !== host || isAlive(holder.pid)) return { acquired: false, holder };
    stale = holder;
    await engine
      .call('remove a stale lock', () => engine.docker.getContainer(holder.containerId).remove({ force: true }))
      .catch((error: unknown) => {
        if (!isStatus(error, 404)) throw error;
      });
  }
  throw new Error(`could not take the lock ${name}`);
}

/** The lock container's holder, if there is a lock. */
export async function readLock(engine: Engine, name: string): Promise<LockInfo | undefined> {
  try {
    const existing = await engine.call('inspect the lock', () => engine.docker.getContainer(name).inspect());
    const l = existing.Config.Labels ?? {};
    return { pid: Number(l[LABEL.pid]), host: l[LABEL.host] ?? '?', operation: l[LABEL.operation] ?? '?', containerId: existing.Id };
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

export async function releaseLock(engine: Engine, containerId: string): Promise<void> {
  await engine
    .call('remove the lock', () => engine.docker.getContainer(containerId).remove({ force: true }))
    .catch((error: unknown) => {
      if (!isStatus(error, 404)) throw error;
    });
}
