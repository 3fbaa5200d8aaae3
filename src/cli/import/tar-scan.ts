// Reads a tar stream's headers (not its data) to check that it is a root filesystem before anything
// is imported: that it is a tar at all, that /bin/sh resolves (through symlinks, for merged-/usr
// systems), and what /etc/os-release says. ustar, pax and GNU long names.
import type { Family } from '../../vmspec/types.ts';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  type: EntryType;
  link?: string;
}

export interface TarSummary {
  entries: number;
  /** Bytes of file data in the archive. */
  bytes: number;
  paths: Map<string, TarEntry>;
  osRelease: string | undefined;
}

export class NotTarError extends Error {}

/** `./usr/bin/` → `usr/bin`; the root itself is ''. */
export function normalizePath(path: string): string {
  return path
    .replace(/^(\.\/|\/)+/, '')
    .replace(/^\.$/, '')
    .replace(/\/+$/, '');
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function numeric(block: Buffer, start: number, length: number): number {
  // GNU base-256 for sizes over 8 GiB: high bit of the first byte set.
  if ((block[start] ?? 0) & 0x80) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (block[i] ?? 0);
    return value;
  }
  const text = field(block, start, length).trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return numeric(block, 148, 8) === sum;
}

function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(data.subarray(offset, space).toString('ascii'));
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return records;
}

/** Feed it the tar bytes chunk by chunk; `finish()` says what was in it. */
export class TarScanner {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of the current entry's data still to skip (or to keep, for the few we read). */
  private remaining = 0;
  private padding = 0;
  private keep: { kind: 'pax' | 'longname' | 'longlink' | 'os-release'; chunks: Buffer[] } | undefined;
  private pending: { path?: string; link?: string } = {};
  private headers = 0;
  private ended = false;
  private readonly summary: TarSummary = { entries: 0, bytes: 0, paths: new Map(), osRelease: undefined };

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let offset = 0;
    while (!this.ended) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, this.buffer.length - offset);
        if (take <= 0) break;
        this.keep?.chunks.push(this.buffer.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        if (this.remaining === 0) this.entryDataDone();
        continue;
      }
      if (this.padding > 0) {
        const take = Math.min(this.padding, this.buffer.length - offset);
        if (take <= 0) break;
        this.padding -= take;
        offset += take;
        continue;
      }
      if (this.buffer.length - offset < 512) break;
      this.header(this.buffer.subarray(offset, offset + 512));
      offset += 512;
    }
    this.buffer = Buffer.from(this.buffer.subarray(offset));
  }

  private header(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      this.ended = this.headers > 0;
      if (this.headers === 0) throw new NotTarError('it starts with an empty block');
      return;
    }
    if (!checksumOk(block)) {
      throw new NotTarError(this.headers === 0 ? 'no tar header at its start' : `a damaged header after ${this.summary.entries} entries`);
    }
    this.headers++;
    const size = numeric(block, 124, 12);
    const flag = String.fromCharCode(block[156] ?? 0x30);
    this.remaining = size;
    this.padding = (512 - (size % 512)) % 512;
    this.keep = undefined;
    const kept = flag === 'x' ? 'pax' : flag === 'L' ? 'longname' : flag === 'K' ? 'longlink' : undefined;
    if (kept) {
      this.keep = { kind: kept, chunks: [] };
      return;
    }
    if (flag === 'g') return;
    const prefix = field(block, 345, 155);
    const name = this.pending.path ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    const link = this.pending.link ?? field(block, 157, 100);
    this.pending = {};
    const path = normalizePath(name);
    const type: EntryType =
      flag === '5' ? 'dir' : flag === '2' ? 'symlink' : flag === '1' ? 'hardlink' : flag === '0' || flag === '\0' || flag === '7' ? 'file' : 'other';
    this.summary.entries++;
    if (type === 'file') this.summary.bytes += size;
    this.summary.paths.set(path, type === 'symlink' || type === 'hardlink' ? { type, link } : { type });
    if ((path === 'etc/os-release' || path === 'usr/lib/os-release') && type === 'file' && size < 65536) this.keep = { kind: 'os-release', chunks: [] };
    if (size === 0) this.entryDataDone();
  }

  private entryDataDone(): void {
    if (!this.keep) return;
    const data = Buffer.concat(this.keep.chunks);
    if (this.keep.kind === 'pax') {
      const records = paxRecords(data);
      if (records.path) this.pending.path = records.path;
      if (records.linkpath) this.pending.link = records.linkpath;
    } else if (this.keep.kind === 'longname') this.pending.path = field(data, 0, data.length);
    else if (this.keep.kind === 'longlink') this.pending.link = field(data, 0, data.length);
    else if (this.keep.kind === 'os-release') this.summary.osRelease ??= data.toString('utf8');
    this.keep = undefined;
  }

  finish(): TarSummary {
    if (this.headers === 0) throw new NotTarError('it is empty');
    return this.summary;
  }
}

/**
 * Follows symlinks the way the kernel would inside the archive's root: does `path` end at a file?
 * Absolute link targets start at the archive's root, not the host's.
 */
export function resolvesToFile(paths: ReadonlyMap<string, TarEntry>, path: string): boolean {
  let parts = normalizePath(path).split('/').filter(Boolean);
  for (let hops = 0, i = 0; i < parts.length; ) {
    const current = parts.slice(0, i + 1).join('/');
    const entry = paths.get(current);
    if (!entry) {
      // Tars often omit directory entries; a deeper entry proves the directory exists.
      if (i < parts.length - 1) {
        i++;
        continue;
      }
      return false;
    }
    if (entry.type === 'symlink' && entry.link !== undefined) {
      if (++hops > 40) return false;
      const base = entry.link.startsWith('/') ? [] : parts.slice(0, i);
      const resolved: string[] = [];
      for (const part of [...base, ...entry.link.split('/'), ...parts.slice(i + 1)]) {
        if (part === '' || part === '.') continue;
        if (part === '..') resolved.pop();
        else resolved.push(part);
      }
      parts = resolved;
      i = 0;
      continue;
    }
    if (i === parts.length - 1) return entry.type === 'file' || entry.type === 'hardlink';
    if (entry.type !== 'dir') return false;
    i++;
  }
  return false;
}

export interface OsRelease {
  id: string | undefined;
  idLike: string[];
  prettyName: string | undefined;
}

export function parseOsRelease(text: string | undefined): OsRelease {
  const values: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) values[match[1]] = (match[2] ?? '').replace(/^["']|["']$/g, '');
  }
  return { id: values.ID?.toLowerCase(), idLike: (values.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter(Boolean), prettyName: values.PRETTY_NAME };
}

/** create-dockervm's package family for an os-release. */
export function familyOf(os: OsRelease): Exclude<Family, 'busybox'> | undefined {
  const ids = [os.id, ...os.idLike];
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) return 'debian';
  if (ids.some((i) => i === 'fedora' || i === 'rhel' || i === 'centos')) return 'fedora';
  if (ids.includes('alpine')) return 'alpine';
  return undefined;
}
