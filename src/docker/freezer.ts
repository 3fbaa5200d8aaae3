// Freezing a VM for the moment a snapshot needs it still, through its cgroup's freezer instead of
// the engine's pause. Why not `docker pause`:
//  - the engine reports every paused container as unhealthy, and probes again only one health
//    interval after the unpause (moby issue 46203): each save made the VM "unhealthy" for seconds;
//  - an exec that starts while the container is being paused (a health probe, `compose exec`) can
//    freeze inside it and wedge the container's shim; the engine's unpause then waits on the shim
//    forever, and so does every later call that names the container. A thaw written to the
//    freezer directly does not wait on anything.
// The helper that writes to the freezer sees the engine host's cgroup tree (a bind mount, host
// cgroup namespace). Engines that refuse that (rootless, some remote set-ups) get `unavailable`,
// and the caller falls back to the engine's pause.
import freezeScript from './scripts/freeze.sh?raw';
import { withDeadline } from './deadline.ts';
import type { Engine } from './engine.ts';
import { execCollect } from './exec.ts';
import { startHelper } from './helper.ts';
import { removeContainer } from './containers.ts';

const HOST_CGROUP = '/host/cgroup';
/** Generous for a helper exec on a loaded engine; each call is far shorter in practice. */
const CALL_MS = 15_000;

export interface CgroupFreezer {
  readonly helperId: string;
  readonly cgroup: string;
  /** Freezes; the helper thaws by itself after `watchdogSeconds`, even if dockervm is killed. */
  freeze(watchdogSeconds: number): Promise<void>;
  thaw(): Promise<void>;
  isFrozen(): Promise<boolean>;
  close(): Promise<void>;
}

export type FreezerResult = { freezer: CgroupFreezer } | { unavailable: string };

async function script(engine: Engine, helperId: string, args: string[], what: string): Promise<string> {
  const result = await withDeadline(CALL_MS, what, execCollect(engine, helperId, ['sh', '-c', freezeScript, 'freeze.sh', ...args]));
  if (result.exitCode !== 0) throw new Error(`${what}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  return result.stdout.toString('utf8').trim();
}

/**
 * Starts the freezer helper for `containerId` from `image` (one that has sh, find, grep and sleep:
 * the VM's own image does) and finds the container's freezer. Nothing is frozen yet.
 */
export async function openFreezer(engine: Engine, containerId: string, image: string, labels: Record<string, string>): Promise<FreezerResult> {
  let helperId: string;
  try {
    helperId = await startHelper(engine, { image, labels, mounts: [], binds: [`/sys/fs/cgroup:${HOST_CGROUP}`], hostCgroupns: true });
  } catch (error) {
    return { unavailable: `the engine did not start the freezer helper (${(error as Error).message})` };
  }
  try {
    const found = await script(engine, helperId, ['find', containerId], 'finding the VM\'s cgroup');
    const [version, dir] = [found.slice(0, 2), found.slice(3)];
    if ((version !== 'v1' && version !== 'v2') || !dir) throw new Error(`unexpected answer "${found}"`);
    return {
      freezer: {
        helperId,
        cgroup: dir.slice(HOST_CGROUP.length) || '/',
        freeze: async (watchdogSeconds) => {
          await script(engine, helperId, ['freeze', version, dir, String(Math.ceil(watchdogSeconds))], 'freezing the VM');
        },
        thaw: async () => {
          await script(engine, helperId, ['thaw', version, dir], 'thawing the VM');
        },
        isFrozen: async () => (await script(engine, helperId, ['state', version, dir], 'reading the VM\'s freezer')) === 'frozen',
        close: () => removeContainer(engine, helperId),
      },
    };
  } catch (error) {
    await removeContainer(engine, helperId);
    return { unavailable: (error as Error).message };
  }
}
