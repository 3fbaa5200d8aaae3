// Freezing a VM for the moment a snapshot needs it still, through its cgroup's freezer instead of
// the engine's pause. Why not `docker pause`:
//  - the engine reports every paused container as unhealthy, and probes again only one health
//    interval after the unpause (moby issue 46203): each save made the VM "unhealthy" for seconds;
//  - an exec that starts while the container is being paused (a health probe, `compose exec`) can
//    freeze inside it and wedge the container's shim; the engine's unpause then waits on the shim
//    forever, and so does every later call that names the container. A thaw written to the
//    freezer directly does not wait on anything.
// A helper that writes to the freezer sees the engine host's cgroup tree (CGROUP_ACCESS). Engines
// that refuse that (rootless, some remote set-ups) make `findFreezer` say why, and the caller falls
// back to the engine's pause.
import type { Duplex } from 'node:stream';
import freezeScript from './scripts/freeze.sh?raw';
import { removeContainer } from './containers.ts';
import { DeadlineError, withDeadline } from './deadline.ts';
import type { Engine } from './engine.ts';
import { execCollect, FrameReader } from './exec.ts';
import { startHelper } from './helper.ts';

const HOST_CGROUP = '/host/cgroup';
/** Generous for a helper exec on a loaded engine; each call is far shorter in practice. */
const CALL_MS = 15_000;

/** What a helper needs to reach the freezers: the host's cgroup tree, and its cgroup namespace. */
export const CGROUP_ACCESS = { binds: [`/sys/fs/cgroup:${HOST_CGROUP}`], hostCgroupns: true } as const;

/** Where a container's freezer is, as seen from a helper with CGROUP_ACCESS. */
export interface FreezerLocation {
  version: 'v1' | 'v2';
  dir: string;
}

async function script(engine: Engine, helperId: string, args: string[], what: string): Promise<string> {
  const result = await withDeadline(CALL_MS, what, execCollect(engine, helperId, ['sh', '-c', freezeScript, 'freeze.sh', ...args]));
  if (result.exitCode !== 0) throw new Error(`${what}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  return result.stdout.toString('utf8').trim();
}

export async function findFreezer(engine: Engine, helperId: string, containerId: string): Promise<FreezerLocation | { unavailable: string }> {
  try {
    const found = await script(engine, helperId, ['find', containerId], "finding the VM's cgroup");
    const [version, dir] = [found.slice(0, 2), found.slice(3)];
    if ((version !== 'v1' && version !== 'v2') || !dir) return { unavailable: `unexpected answer "${found}"` };
    return { version, dir };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

export const freeze = (engine: Engine, helperId: string, at: FreezerLocation, watchdogSeconds: number) =>
  script(engine, helperId, ['freeze', at.version, at.dir, String(Math.ceil(watchdogSeconds))], 'freezing the VM').then(() => undefined);
export const thaw = (engine: Engine, helperId: string, at: FreezerLocation) =>
  script(engine, helperId, ['thaw', at.version, at.dir], 'thawing the VM').then(() => undefined);
export const isFrozen = async (engine: Engine, helperId: string, at: FreezerLocation) =>
  (await script(engine, helperId, ['state', at.version, at.dir], "reading the VM's freezer")) === 'frozen';

/** A freeze held by one exec (freeze.sh hold): thawed when told, or when dockervm goes away. */
export interface HeldFreeze {
  /** The output of each scan, in order, read while frozen. */
  scans: Buffer[];
  /** Thaws and waits for it to be confirmed. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * Freezes the container, runs `scans` (shell command lines) frozen and returns their output, the
 * VM still frozen. `onFrozen` runs the moment the freeze is confirmed (to start work that needs the
 * VM still but not the scans, such as committing its container).
 */
export async function holdFrozen(
  engine: Engine,
  helperId: string,
  at: FreezerLocation,
  options: { watchdogSeconds: number; scans: readonly string[]; onFrozen: () => void; deadlineMs: number },
): Promise<HeldFreeze> {
  const args = ['sh', '-c', freezeScript, 'freeze.sh', 'hold', at.version, at.dir, String(Math.ceil(options.watchdogSeconds)), ...options.scans];
  const exec = await engine.call('freeze the VM', () =>
    engine.docker.getContainer(helperId).exec({ Cmd: args, AttachStdin: true, AttachStdout: true, AttachStderr: true, User: 'root' }),
  );
  const stream = (await engine.call('freeze the VM', () => exec.start({ hijack: true, stdin: true }))) as Duplex;
  const reader = new FrameReader(stream);
  let stage = 'starting the freeze';
  const fail = (what: string): never => {
    const stderr = reader.stderr().trim();
    throw new Error(`${what}${stderr ? `: ${stderr.split('\n').slice(-2).join('; ')}` : ''}`);
  };
  const released = new Promise<void>((resolve) => stream.once('close', resolve));
  let done = false;
  const release = async () => {
    if (done) return;
    done = true;
    stream.write('thaw\n');
    const line = await withDeadline(CALL_MS, 'thawing the VM', reader.line());
    stream.end();
    await Promise.race([released, new Promise((r) => setTimeout(r, 1_000))]);
    if (line !== 'thawed') fail('the VM was not thawed');
  };
  const hold = async () => {
    if ((await reader.line()) !== 'frozen') fail('the VM did not freeze');
    options.onFrozen();
    const scans: Buffer[] = [];
    for (let i = 0; i < options.scans.length; i++) {
      stage = `reading volume ${i + 1} of ${options.scans.length} with the VM frozen`;
      const size = Number(await reader.line());
      if (!Number.isSafeInteger(size)) fail('a read of the frozen volumes failed');
      scans.push(await reader.bytes(size));
    }
    stage = 'finishing the frozen reads';
    if ((await reader.line()) !== 'held') fail('the frozen volumes could not be read');
    return { scans, release };
  };
  try {
    return await withDeadline(options.deadlineMs, 'the freeze', hold()).catch((error: Error) => {
      throw error instanceof DeadlineError ? new Error(`${stage} took longer than ${options.deadlineMs / 1000} s`) : error;
    });
  } catch (error) {
    // The script thaws on its own way out, and when its stdin ends; the caller thaws as well.
    done = true;
    stream.destroy();
    throw error;
  }
}

/**
 * A freezer helper of its own, for a VM that no save holds (recovery, doctor): started from
 * `image`, which needs sh, find, grep and sleep (the VM's own image has them).
 */
export async function openFreezer(engine: Engine, containerId: string, image: string, labels: Record<string, string>) {
  let helperId: string;
  try {
    helperId = await startHelper(engine, { image, labels, mounts: [], ...CGROUP_ACCESS });
  } catch (error) {
    return { unavailable: `the engine did not start the freezer helper (${(error as Error).message})` };
  }
  const at = await findFreezer(engine, helperId, containerId);
  if ('unavailable' in at) {
    await removeContainer(engine, helperId);
    return at;
  }
  return {
    freezer: {
      helperId,
      freeze: (watchdogSeconds: number) => freeze(engine, helperId, at, watchdogSeconds),
      thaw: () => thaw(engine, helperId, at),
      isFrozen: () => isFrozen(engine, helperId, at),
      close: () => removeContainer(engine, helperId),
    },
  };
}

export type CgroupFreezer = Extract<Awaited<ReturnType<typeof openFreezer>>, { freezer: unknown }>['freezer'];
