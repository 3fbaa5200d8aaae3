// Volume data in and out of snapshot images, inside a helper container. The helper's own filesystem
// is the previous snapshot's volume image, which holds, per volume:
//   /.dockervm-snapshot/volumes/<name>/data/      the files, as they were
//   /.dockervm-snapshot/volumes/<name>/manifest   their stat lines when saved (see volume-plan.ts)
//   /.dockervm-snapshot/volumes/<name>/meta.json  which volume instance that manifest describes
// The volumes themselves are mounted at /live/<name>. Copies go through BusyBox/GNU `cpio -0` (no
// recursion: exactly the planned paths), so a committed helper holds only what changed.
import { gunzipSync, gzipSync } from 'node:zlib';
import { CLIError } from '../errors.ts';
import {
  nulList,
  parseLiveManifest,
  parseStoredManifest,
  removeScript,
  serializeManifest,
  shellQuote,
  STAT_FORMAT,
  type Manifest,
  type SyncPlan,
} from './volume-plan.ts';
import type { Engine } from './engine.ts';
import { execCollect, putFiles } from './exec.ts';
import dropSavedScript from './scripts/drop-saved.sh?raw';
import changesScript from './scripts/changes.sh?raw';
import manifestScript from './scripts/manifest.sh?raw';
import readSavedScript from './scripts/read-saved.sh?raw';
import syncScript from './scripts/sync.sh?raw';

export const SNAPSHOT_ROOT = '/.dockervm-snapshot';
const PLAN_DIR = '/.dockervm-plan';
export const liveDir = (volume: string) => `/live/${volume}`;
export const savedDir = (volume: string) => `${SNAPSHOT_ROOT}/volumes/${volume}`;

/** Identifies one instance of a volume: inode numbers and ctimes only compare within it. */
export interface VolumeIdentity {
  volume: string;
  createdAt: string;
  rootInode: string;
}

async function run(engine: Engine, helper: string, script: string, args: string[], what: string): Promise<Buffer> {
  const result = await execCollect(engine, helper, ['sh', '-c', script, 'dockervm-helper', ...args]);
  if (result.exitCode !== 0) {
    const detail = `${result.stdout.toString('utf8')}\n${result.stderr}`.trim().split('\n').slice(-3).join('; ');
    throw new CLIError(`the snapshot helper failed ${what}: ${detail || `exit ${result.exitCode}`}`);
  }
  return result.stdout;
}

/** A read of a still volume, as data: run by an exec of its own, or inside a held freeze. */
export interface StillScan {
  kind: 'manifest' | 'changes';
  dir: string;
  script: string;
  args: string[];
}

/**
 * The whole manifest of `dir` (see manifest.sh); `live`: the VM may be writing to it; `ref`: a file
 * in the helper to touch just before, for a later changesScan.
 */
export const manifestScan = (dir: string, live = false, ref = ''): StillScan => ({
  kind: 'manifest',
  dir,
  script: manifestScript,
  args: [dir, STAT_FORMAT, live ? 'live' : '', ref],
});

/** What changed in `dir` since `since` (the helper's clock) or since `ref` was touched (see changes.sh). */
export const changesScan = (dir: string, since: number, ref = ''): StillScan => ({
  kind: 'changes',
  dir,
  script: changesScript,
  args: [dir, String(since), STAT_FORMAT, ref],
});

/** Whether the helper's find compares ctimes exactly (GNU's -newercc; BusyBox counts minutes). */
export async function findsChangesExactly(engine: Engine, helper: string): Promise<boolean> {
  return (await execCollect(engine, helper, ['sh', '-c', 'find / -maxdepth 0 -newercc / >/dev/null 2>&1'])).exitCode === 0;
}

/** The scan as one shell command line (for freeze.sh hold). */
export const scanCommand = (scan: StillScan) => ['sh', '-c', scan.script, `${scan.kind}.sh`, ...scan.args].map(shellQuote).join(' ');

export async function runScan(engine: Engine, helper: string, scan: StillScan): Promise<Buffer> {
  return run(engine, helper, scan.script, scan.args, `reading ${scan.dir}`);
}

/** manifest.sh's output: the NUL-terminated names, one more NUL, then the stat lines in the same order. */
export function parseManifestOutput(output: Buffer, dir: string): Manifest {
  const split = output.indexOf('\0\0');
  if (split < 0) throw new CLIError(`the snapshot helper gave no listing of ${dir}`);
  return parseLiveManifest(output.subarray(0, split + 1), output.subarray(split + 2).toString('utf8'));
}

/** The manifest of a directory (a mounted volume, or saved data), in one exec. */
export async function readManifest(engine: Engine, helper: string, dir: string, options: { live?: boolean; ref?: string } = {}): Promise<Manifest> {
  return parseManifestOutput(await runScan(engine, helper, manifestScan(dir, options.live, options.ref)), dir);
}

/** The helper's clock, in whole seconds since the epoch: the clock that stamps the volume's ctimes. */
export async function helperClock(engine: Engine, helper: string): Promise<number> {
  const seconds = Number((await run(engine, helper, 'date +%s', [], 'reading the clock')).toString('utf8').trim());
  if (!Number.isSafeInteger(seconds)) throw new CLIError('the snapshot helper gave no clock reading');
  return seconds;
}

export function identityOf(volume: { name: string; createdAt: string }, manifest: Manifest): VolumeIdentity {
  return { volume: volume.name, createdAt: volume.createdAt, rootInode: manifest.get('.')?.line.split(' ')[2] ?? '' };
}

export const sameIdentity = (a: VolumeIdentity | undefined, b: VolumeIdentity) =>
  a !== undefined && a.volume === b.volume && a.createdAt === b.createdAt && a.rootInode === b.rootInode;

/** What the helper's image saved for a volume, or undefined when it holds none (or an unreadable one). */
export async function readSaved(engine: Engine, helper: string, volume: string): Promise<{ manifest: Manifest; identity: VolumeIdentity } | undefined> {
  const dir = savedDir(volume);
  // meta.json is one line of JSON; the (gzipped) manifest follows it.
  const probe = await execCollect(engine, helper, ['sh', '-c', readSavedScript, 'read-saved.sh', dir]);
  if (probe.exitCode !== 0) return undefined;
  const newline = probe.stdout.indexOf(0x0a);
  let identity: VolumeIdentity;
  try {
    identity = JSON.parse(probe.stdout.subarray(0, newline).toString('utf8')) as VolumeIdentity;
  } catch {
    return undefined;
  }
  const stored = probe.stdout.subarray(newline + 1);
  // Stored gzipped (a manifest is ~150 bytes a file and would otherwise weigh on every snapshot).
  const manifest = stored[0] === 0x1f && stored[1] === 0x8b ? gunzipSync(stored) : stored;
  return { manifest: parseStoredManifest(manifest), identity };
}

const planFiles = (plan: SyncPlan) => [
  { name: `${PLAN_DIR.slice(1)}/remove.sh`, content: removeScript(plan.remove) },
  { name: `${PLAN_DIR.slice(1)}/copy.list`, content: nulList(plan.copy) },
  { name: `${PLAN_DIR.slice(1)}/dirs.list`, content: nulList(plan.dirs) },
];

/** Save: brings the helper's copy of the volume up to date with the live volume, and records it. */
export async function saveVolume(engine: Engine, helper: string, volume: string, plan: SyncPlan, manifest: Manifest, identity: VolumeIdentity): Promise<void> {
  await putFiles(engine, helper, '/', [
    ...planFiles(plan),
    { name: `${PLAN_DIR.slice(1)}/manifest`, content: gzipSync(serializeManifest(manifest), { level: 6 }) },
    { name: `${PLAN_DIR.slice(1)}/meta.json`, content: `${JSON.stringify(identity)}\n` },
  ]);
  await run(engine, helper, syncScript, [liveDir(volume), `${savedDir(volume)}/data`, PLAN_DIR, plan.full ? '1' : '0', savedDir(volume)], `saving ${volume}`);
}

/** Restore: makes the live volume hold what the helper's image saved. */
export async function restoreVolume(engine: Engine, helper: string, volume: string, plan: SyncPlan): Promise<void> {
  await putFiles(engine, helper, '/', planFiles(plan));
  await run(engine, helper, syncScript, [`${savedDir(volume)}/data`, liveDir(volume), PLAN_DIR, plan.full ? '1' : '0', ''], `restoring ${volume}`);
}

/** Drops saved data of volumes that are no longer part of the project (from the parent's image). */
export async function dropSavedExcept(engine: Engine, helper: string, keep: readonly string[]): Promise<void> {
  await run(engine, helper, dropSavedScript, [`${SNAPSHOT_ROOT}/volumes`, ...keep], 'dropping old volume data');
}

export async function writeSnapshotInfo(engine: Engine, helper: string, info: object): Promise<void> {
  await putFiles(engine, helper, '/', [{ name: `${SNAPSHOT_ROOT.slice(1)}/snapshot.json`, content: `${JSON.stringify(info, null, 2)}\n` }]);
}
