// Volume data in snapshots, the pure part. A volume's state is a manifest: one line of `stat` output
// per path (type, size, inode, owner, links, mtime and ctime in nanoseconds). ctime cannot be set
// from user space and changes on every write, chmod, chown, link or rename, so a path whose line is
// unchanged is the same untouched file. Saving and restoring then touch only the lines that differ:
// proportional to the change, not to the volume.

/** stat -c format (GNU and BusyBox): raw mode (hex), size, inode, uid, gid, links, mtime, ctime. */
export const STAT_FORMAT = '%f %s %i %u %g %h %y %z';

export interface ManifestEntry {
  path: string;
  /** The stat line: equal lines mean an untouched file (same inode, same ctime). */
  line: string;
  /** File type bits (mode & 0o170000). */
  type: number;
  size: number;
}

export type Manifest = Map<string, ManifestEntry>;

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFSOCK = 0o140000;

export function entry(path: string, line: string): ManifestEntry {
  const [mode, size] = line.split(' ');
  return { path, line, type: Number.parseInt(mode ?? '0', 16) & S_IFMT, size: Number(size ?? 0) };
}

/**
 * Builds a manifest from `find . -print0` (names) and `find . -exec stat -c FORMAT {} +` (one line per
 * name, in the same order: two walks of a tree nobody writes to). Names may hold any byte but NUL.
 */
export function parseLiveManifest(names: Buffer, stats: string): Manifest {
  const paths = names
    .toString('utf8')
    .split('\0')
    .filter((n) => n !== '');
  const lines = stats.split('\n').filter((l) => l !== '');
  if (paths.length !== lines.length) {
    throw new Error(`the volume changed while it was read (${paths.length} names, ${lines.length} stat lines)`);
  }
  const manifest: Manifest = new Map();
  for (const [i, path] of paths.entries()) manifest.set(path, entry(path, lines[i] ?? ''));
  return manifest;
}

/** Stored form: `line\tpath\0` records, in walk order (parents before children). */
export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from([...manifest.values()].map((e) => `${e.line}\t${e.path}\0`).join(''), 'utf8');
}

export function parseStoredManifest(data: Buffer): Manifest {
  const manifest: Manifest = new Map();
  for (const record of data.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    if (tab < 0) throw new Error('a stored manifest record has no tab');
    const path = record.slice(tab + 1);
    manifest.set(path, entry(path, record.slice(0, tab)));
  }
  return manifest;
}

export interface SyncPlan {
  /** Wipe the target before copying (no usable record of what it holds). */
  full: boolean;
  /** Paths to delete from the target (topmost only: a removed directory takes its children). */
  remove: string[];
  /** Paths to copy from the source, parents before children. */
  copy: string[];
  /** Directories to copy again at the end, so their mtimes are the source's, not "now". */
  dirs: string[];
  /** Bytes of regular files copied. */
  bytes: number;
  /** Sockets are not copied (they only mean something to a running process). */
  skipped: string[];
}

export function parentOf(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  return slash > 0 ? path.slice(0, slash) : path === '.' ? undefined : '.';
}

/**
 * What to do to a target that holds `current` so that it holds `desired`. `current` undefined: the
 * target's content is unknown (first save, or a recreated volume), so everything is copied.
 */
export function planSync(desired: Manifest, current: Manifest | undefined): SyncPlan {
  const remove: string[] = [];
  const copy: string[] = [];
  const skipped: string[] = [];
  const touchedDirs = new Set<string>();
  let bytes = 0;
  const touch = (path: string) => {
    const parent = parentOf(path);
    if (parent !== undefined) touchedDirs.add(parent);
  };
  if (current) {
    const removed = new Set<string>();
    for (const [path, old] of current) {
      if (path === '.') continue;
      const now = desired.get(path);
      if (now && now.type === old.type) continue;
      const parent = parentOf(path);
      let covered = false;
      for (let p = parent; p !== undefined && p !== '.'; p = parentOf(p)) if (removed.has(p)) covered = true;
      if (!covered) {
        remove.push(path);
        touch(path);
      }
      removed.add(path);
    }
  }
  for (const [path, now] of desired) {
    if (now.type === S_IFSOCK) {
      skipped.push(path);
      continue;
    }
    const old = current?.get(path);
    if (old && old.line === now.line) continue;
    copy.push(path);
    // A new entry, or a file (replaced: unlinked and created), changes its directory; updating an
    // existing directory's own metadata does not.
    if (!old || old.type !== now.type || now.type !== S_IFDIR) touch(path);
    if (now.type === S_IFREG) bytes += now.size;
    if (now.type === S_IFDIR) touchedDirs.add(path);
  }
  const dirs = [...desired.values()].filter((e) => e.type === S_IFDIR && touchedDirs.has(e.path)).map((e) => e.path);
  return { full: current === undefined, remove, copy, dirs, bytes, skipped };
}

export const isEmptyPlan = (plan: SyncPlan) => !plan.full && plan.remove.length === 0 && plan.copy.length === 0;

/** POSIX single quotes: safe for any byte but NUL. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A script that removes the paths (relative to the directory it runs in), a few hundred per rm. */
export function removeScript(paths: readonly string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < paths.length; i += 200)
    lines.push(
      `rm -rf -- ${paths
        .slice(i, i + 200)
        .map(shellQuote)
        .join(' ')}`,
    );
  return `${lines.join('\n')}\n`;
}

export const nulList = (paths: readonly string[]) => Buffer.from(paths.map((p) => `${p}\0`).join(''), 'utf8');

/** A stat line no file has: a path marked with it is copied (or removed) by the next plan. */
const UNCERTAIN = '?';

/**
 * What a target holds after applying `plan` to it failed part-way (a file vanished while a running
 * VM was copied): what it held `before`, except that every path the plan touched is uncertain. A
 * later plan against the result copies those again, or removes them, whatever the failed one did.
 * Undefined when `before` was unknown or the plan wiped the target: only a full copy is safe then.
 */
export function afterFailedSync(before: Manifest | undefined, desired: Manifest, plan: SyncPlan): Manifest | undefined {
  if (!before || plan.full) return undefined;
  const result: Manifest = new Map(before);
  const mark = (path: string, like: ManifestEntry | undefined) => {
    if (like) result.set(path, { ...like, line: UNCERTAIN });
  };
  const removed = new Set(plan.remove);
  for (const [path, entry] of before) {
    for (let p: string | undefined = path; p !== undefined && p !== '.'; p = parentOf(p)) {
      if (removed.has(p)) {
        mark(path, entry);
        break;
      }
    }
  }
  for (const path of [...plan.copy, ...plan.dirs]) mark(path, desired.get(path) ?? before.get(path));
  return result;
}
