// Catching up with a volume that stood still after an earlier walk: what changes.sh found since
// (changed paths and the entries of changed directories), applied to that walk's manifest, gives
// the manifest now without a stat of every path. Pure; the real-filesystem test is
// test/unit/dockervm-volume-changes.test.ts.
import { entry, type Manifest, type ManifestEntry, parentOf, S_IFDIR } from './volume-plan.ts';

/** What changes.sh found: the changed paths with their stat lines, and the entries of changed directories. */
export interface ChangeScan {
  changed: Manifest;
  entries: Map<string, string[]>;
}

/** Parses changes.sh's output: tagged, NUL-terminated records (see there for the layout). */
export function parseChanges(output: Buffer): ChangeScan {
  const changed: Manifest = new Map();
  const entries = new Map<string, string[]>();
  const pending: string[] = [];
  let dir: string[] | undefined;
  for (const record of output.toString('utf8').split('\0')) {
    if (record === '') continue;
    const tag = record[0];
    const value = record.slice(1);
    if (tag === 'N') pending.push(value);
    else if (tag === 'S') {
      const path = pending.shift();
      if (path === undefined) throw new Error('a change listing with more stat lines than names');
      changed.set(path, entry(path, value));
    } else if (tag === 'D') {
      dir = [];
      entries.set(value, dir);
    } else if (tag === 'E') {
      if (!dir) throw new Error('a change listing with an entry outside a directory');
      dir.push(value);
    } else if (tag === '.') dir = undefined;
    else throw new Error(`a change listing with an unknown record "${record.slice(0, 20)}"`);
  }
  if (pending.length > 0) throw new Error(`a change listing with ${pending.length} names without stat lines`);
  return { changed, entries };
}

/**
 * How many paths of a manifest changed since `since` (seconds since the epoch), by their ctime
 * (the last field of STAT_FORMAT, printed in UTC). When most of a volume is that young (just
 * seeded, or restored), reading only the changes is no cheaper than reading it whole.
 */
export function changedSince(manifest: Manifest, since: number): number {
  let count = 0;
  for (const e of manifest.values()) {
    const fields = e.line.split(' ');
    const [date, time] = [fields.at(-3), fields.at(-2)];
    if (date && time && Date.parse(`${date}T${time.slice(0, 12)}Z`) / 1000 >= since) count++;
  }
  return count;
}

const inodeOf = (e: ManifestEntry | undefined) => e?.line.split(' ')[2];

/**
 * The manifest now, from the manifest of an earlier walk and what changed since: changed paths get
 * their new lines, entries missing from a changed directory go (with what was below them). A
 * directory new at its path (made, or moved there with its contents, whose ctimes did not move)
 * and an entry that is neither known nor changed have to be walked whole: they are returned in
 * `walk`, topmost only, for the caller to read and merge with `mergeWalked`.
 */
export function applyChanges(before: Manifest, scan: ChangeScan): { manifest: Manifest; walk: string[] } {
  const manifest: Manifest = new Map(before);
  const children = new Map<string, string[]>();
  for (const path of before.keys()) {
    const parent = parentOf(path);
    if (parent === undefined) continue;
    const list = children.get(parent);
    if (list) list.push(path);
    else children.set(parent, [path]);
  }
  const dropTree = (path: string) => {
    manifest.delete(path);
    for (const child of children.get(path) ?? []) dropTree(child);
  };
  for (const [dir, now] of scan.entries) {
    const present = new Set(now);
    for (const old of children.get(dir) ?? []) if (!present.has(old)) dropTree(old);
  }
  const walk = new Set<string>();
  for (const [path, e] of scan.changed) {
    const old = before.get(path);
    if (e.type === S_IFDIR && old && (old.type !== S_IFDIR || inodeOf(old) !== inodeOf(e))) dropTree(path);
    manifest.set(path, e);
    if (e.type === S_IFDIR && (!old || old.type !== S_IFDIR || inodeOf(old) !== inodeOf(e))) walk.add(path);
  }
  for (const [dir, now] of scan.entries) {
    for (const child of now) if (!manifest.has(child) && !scan.changed.has(child)) walk.add(dir);
  }
  const topmost = [...walk].filter((p) => {
    for (let q = parentOf(p); q !== undefined; q = parentOf(q)) if (walk.has(q)) return false;
    return true;
  });
  return { manifest, walk: topmost };
}

/** Puts a walk of `dir` (paths relative to it, as `./x`) into `manifest`, replacing what was below `dir`. */
export function mergeWalked(manifest: Manifest, dir: string, walked: Manifest): void {
  const prefix = `${dir}/`;
  for (const path of [...manifest.keys()]) if (path.startsWith(prefix)) manifest.delete(path);
  for (const [path, e] of walked) {
    const full = path === '.' ? dir : `${dir}${path.slice(1)}`;
    manifest.set(full, { ...e, path: full });
  }
}
