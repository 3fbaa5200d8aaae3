// What an import source is, from its first bytes (never from its file name alone), and where the
// partitions of a raw disk start.

export type SourceFormat =
  | { kind: 'tar'; compression: 'none' | 'gzip' | 'zstd' | 'xz' | 'bzip2' }
  | { kind: 'disk'; format: 'raw' | 'qcow2' | 'vmdk' | 'vdi' | 'vhdx' | 'vpc' }
  | { kind: 'unknown' };

/** Needs the first 64 KiB (or the whole file if shorter). */
export function detectFormat(head: Buffer): SourceFormat {
  const starts = (bytes: number[] | string, at = 0) => {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    return head.length >= at + b.length && head.subarray(at, at + b.length).equals(b);
  };
  if (starts([0x1f, 0x8b])) return { kind: 'tar', compression: 'gzip' };
  if (starts([0x28, 0xb5, 0x2f, 0xfd])) return { kind: 'tar', compression: 'zstd' };
  if (starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return { kind: 'tar', compression: 'xz' };
  if (starts('BZh')) return { kind: 'tar', compression: 'bzip2' };
  if (starts('ustar', 257)) return { kind: 'tar', compression: 'none' };
  if (starts('QFI\xfb')) return { kind: 'disk', format: 'qcow2' };
  if (starts('KDMV') || starts('# Disk DescriptorFile')) return { kind: 'disk', format: 'vmdk' };
  if (head.length >= 0x44 && head.readUInt32LE(0x40) === 0xbeda107f) return { kind: 'disk', format: 'vdi' };
  if (starts('vhdxfile')) return { kind: 'disk', format: 'vhdx' };
  if (starts('conectix')) return { kind: 'disk', format: 'vpc' };
  if (partitionTable(head) !== undefined || filesystemAt(head, 0)) return { kind: 'disk', format: 'raw' };
  return { kind: 'unknown' };
}

/** A Linux filesystem superblock at `offset` (ext2/3/4, XFS, btrfs): enough to try a mount. */
export function filesystemAt(head: Buffer, offset: number): string | undefined {
  if (head.length >= offset + 1082 && head.readUInt16LE(offset + 1080) === 0xef53) return 'ext4';
  if (head.length >= offset + 4 && head.subarray(offset, offset + 4).toString('latin1') === 'XFSB') return 'xfs';
  if (head.length >= offset + 0x10048 && head.subarray(offset + 0x10040, offset + 0x10048).toString('latin1') === '_BHRfS_M') return 'btrfs';
  return undefined;
}

export interface Partition {
  index: number;
  /** Byte offset and size. */
  start: number;
  size: number;
  type: string;
}

const SECTOR = 512;
const LINUX_GPT = '0fc63daf-8483-4772-8e79-3d69d8477de4';

function guid(bytes: Buffer): string {
  const hex = (b: Buffer) => b.toString('hex');
  const le = (b: Buffer) => Buffer.from(b).reverse().toString('hex');
  return `${le(bytes.subarray(0, 4))}-${le(bytes.subarray(4, 6))}-${le(bytes.subarray(6, 8))}-${hex(bytes.subarray(8, 10))}-${hex(bytes.subarray(10, 16))}`;
}

/**
 * MBR or GPT partitions, from the first 34 sectors (GPT header at LBA 1, entries from LBA 2). Linux
 * data partitions first, then the rest by size: the order to try mounting them in.
 */
export function partitionTable(head: Buffer): Partition[] | undefined {
  if (head.length < SECTOR || head.readUInt16LE(510) !== 0xaa55) return undefined;
  const partitions: Partition[] = [];
  if (head.length >= 2 * SECTOR && head.subarray(SECTOR, SECTOR + 8).toString('latin1') === 'EFI PART') {
    const entriesLba = Number(head.readBigUInt64LE(SECTOR + 72));
    const count = head.readUInt32LE(SECTOR + 80);
    const entrySize = head.readUInt32LE(SECTOR + 84);
    for (let i = 0; i < Math.min(count, 128); i++) {
      const at = entriesLba * SECTOR + i * entrySize;
      if (at + 128 > head.length) break;
      const entry = head.subarray(at, at + entrySize);
      if (entry.subarray(0, 16).every((b) => b === 0)) continue;
      const first = Number(entry.readBigUInt64LE(32));
      const last = Number(entry.readBigUInt64LE(40));
      partitions.push({ index: i + 1, start: first * SECTOR, size: (last - first + 1) * SECTOR, type: guid(entry.subarray(0, 16)) });
    }
  } else {
    for (let i = 0; i < 4; i++) {
      const at = 446 + i * 16;
      const type = head[at + 4] ?? 0;
      const first = head.readUInt32LE(at + 8);
      const sectors = head.readUInt32LE(at + 12);
      if (type === 0 || sectors === 0) continue;
      // 0xee is the protective MBR of a GPT disk whose header we could not read; 0x05/0x0f extended.
      if (type === 0xee || type === 0x05 || type === 0x0f) continue;
      partitions.push({ index: i + 1, start: first * SECTOR, size: sectors * SECTOR, type: `0x${type.toString(16).padStart(2, '0')}` });
    }
  }
  const linux = (p: Partition) => p.type === '0x83' || p.type === LINUX_GPT || p.type === '4f68bce3-e8cd-4db1-96e7-fbcaf984b709';
  return partitions.sort((a, b) => Number(linux(b)) - Number(linux(a)) || b.size - a.size);
}
