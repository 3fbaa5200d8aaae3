import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageNameFor } from '../../src/cli/commands/import.ts';
import { fileInRoot } from '../../src/cli/import/disk.ts';
import { detectFormat, partitionTable } from '../../src/cli/import/formats.ts';
import { familyOf, NotTarError, parseOsRelease, resolvesToFile, TarScanner, type TarEntry } from '../../src/cli/import/tar-scan.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dvm-import-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A small merged-/usr root filesystem, as a directory. */
function rootfs(name: string): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'usr/bin/dash'), '#!binary');
  symlinkSync('dash', join(root, 'usr/bin/sh'));
  symlinkSync('usr/bin', join(root, 'bin'));
  writeFileSync(join(root, 'etc/os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n');
  const deep = join(root, 'usr/share', 'd'.repeat(60), 'e'.repeat(60));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'a-file-whose-path-needs-a-long-name-header'), 'x');
  return root;
}

function tarOf(dir: string, format: string): Buffer {
  const result = spawnSync('tar', ['-C', dir, `--format=${format}`, '-cf', '-', '.']);
  if (result.status !== 0) throw new Error(result.stderr.toString());
  return result.stdout;
}

function scan(bytes: Buffer, chunk = 777) {
  const scanner = new TarScanner();
  for (let i = 0; i < bytes.length; i += chunk) scanner.push(bytes.subarray(i, i + chunk));
  return scanner.finish();
}

describe('TarScanner', () => {
  const root = rootfs('root');
  for (const format of ['gnu', 'pax'] as const) {
    it(`reads ${format} archives in odd-sized chunks: entries, /bin/sh through symlinks, os-release`, () => {
      const summary = scan(tarOf(root, format));
      expect(summary.paths.get('bin')).toEqual({ type: 'symlink', link: 'usr/bin' });
      expect([...summary.paths.keys()].some((p) => p.endsWith('a-file-whose-path-needs-a-long-name-header'))).toBe(true);
      expect(resolvesToFile(summary.paths, '/bin/sh')).toBe(true);
      expect(parseOsRelease(summary.osRelease)).toMatchObject({ id: 'debian', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    });
  }

  it('refuses what is not a tar', () => {
    expect(() => scan(Buffer.from('hello world, certainly not a tar archive'.repeat(20)))).toThrow(NotTarError);
    expect(() => scan(Buffer.alloc(0))).toThrow(/empty/);
  });
});

describe('resolvesToFile', () => {
  const paths = new Map<string, TarEntry>([
    ['bin', { type: 'symlink', link: '/usr/bin' }],
    ['usr/bin/busybox', { type: 'file' }],
    ['usr/bin/sh', { type: 'hardlink', link: 'usr/bin/busybox' }],
    ['loop', { type: 'symlink', link: 'loop' }],
    ['dangling', { type: 'symlink', link: '/nowhere' }],
    ['up', { type: 'symlink', link: '../../../usr/bin/busybox' }],
  ]);
  it('follows absolute, relative and escaping links inside the archive, and stops on loops', () => {
    expect(resolvesToFile(paths, 'bin/sh')).toBe(true);
    expect(resolvesToFile(paths, 'up')).toBe(true);
    expect(resolvesToFile(paths, 'loop')).toBe(false);
    expect(resolvesToFile(paths, 'dangling')).toBe(false);
    expect(resolvesToFile(paths, 'bin')).toBe(false);
    expect(resolvesToFile(new Map(), 'bin/sh')).toBe(false);
  });

  it('does the same on a mounted directory, without leaving its root', () => {
    const root = rootfs('mounted');
    symlinkSync('/etc/../../../../usr/bin/dash', join(root, 'escape'));
    expect(fileInRoot(root, '/bin/sh')).toBe(true);
    expect(fileInRoot(root, '/escape')).toBe(true);
    expect(fileInRoot(root, '/bin/bash')).toBe(false);
  });
});

describe('detectFormat', () => {
  const at = (offset: number, bytes: number[] | string, size = 70000) => {
    const b = Buffer.alloc(size);
    (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes)).copy(b, offset);
    return b;
  };
  it('tells tars, compressed tars and disk images apart by their bytes', () => {
    expect(detectFormat(at(257, 'ustar'))).toEqual({ kind: 'tar', compression: 'none' });
    expect(detectFormat(at(0, [0x1f, 0x8b, 8]))).toEqual({ kind: 'tar', compression: 'gzip' });
    expect(detectFormat(at(0, [0x28, 0xb5, 0x2f, 0xfd]))).toEqual({ kind: 'tar', compression: 'zstd' });
    expect(detectFormat(at(0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))).toEqual({ kind: 'tar', compression: 'xz' });
    expect(detectFormat(at(0, 'QFI\xfb'))).toEqual({ kind: 'disk', format: 'qcow2' });
    expect(detectFormat(at(0, 'KDMV'))).toEqual({ kind: 'disk', format: 'vmdk' });
    const vdi = Buffer.alloc(70000);
    vdi.writeUInt32LE(0xbeda107f, 0x40);
    expect(detectFormat(vdi)).toEqual({ kind: 'disk', format: 'vdi' });
    const ext4 = Buffer.alloc(70000);
    ext4.writeUInt16LE(0xef53, 1080);
    expect(detectFormat(ext4)).toEqual({ kind: 'disk', format: 'raw' });
    expect(detectFormat(Buffer.from('plain text'))).toEqual({ kind: 'unknown' });
  });
});

describe('partitionTable', () => {
  it('reads MBR entries, Linux partitions first', () => {
    const mbr = Buffer.alloc(34 * 512);
    const entry = (i: number, type: number, start: number, sectors: number) => {
      mbr[446 + i * 16 + 4] = type;
      mbr.writeUInt32LE(start, 446 + i * 16 + 8);
      mbr.writeUInt32LE(sectors, 446 + i * 16 + 12);
    };
    entry(0, 0x0c, 2048, 100_000);
    entry(1, 0x83, 102_048, 50_000);
    entry(2, 0x05, 200_000, 10);
    mbr.writeUInt16LE(0xaa55, 510);
    expect(partitionTable(mbr)).toEqual([
      { index: 2, start: 102_048 * 512, size: 50_000 * 512, type: '0x83' },
      { index: 1, start: 2048 * 512, size: 100_000 * 512, type: '0x0c' },
    ]);
    expect(partitionTable(Buffer.alloc(1024))).toBeUndefined();
  });

  it('reads GPT entries', () => {
    const disk = Buffer.alloc(34 * 512);
    disk.writeUInt16LE(0xaa55, 510);
    disk.write('EFI PART', 512, 'latin1');
    disk.writeBigUInt64LE(2n, 512 + 72);
    disk.writeUInt32LE(2, 512 + 80);
    disk.writeUInt32LE(128, 512 + 84);
    // Linux filesystem data GUID 0fc63daf-8483-4772-8e79-3d69d8477de4 (mixed endian on disk).
    Buffer.from('af3dc60f838472478e793d69d8477de4', 'hex').copy(disk, 1024);
    disk.writeBigUInt64LE(2048n, 1024 + 32);
    disk.writeBigUInt64LE(4095n, 1024 + 40);
    expect(partitionTable(disk)).toEqual([{ index: 1, start: 2048 * 512, size: 2048 * 512, type: '0fc63daf-8483-4772-8e79-3d69d8477de4' }]);
  });
});

describe('os-release and names', () => {
  it('gives the package family', () => {
    expect(familyOf(parseOsRelease('ID=ubuntu\nID_LIKE=debian\n'))).toBe('debian');
    expect(familyOf(parseOsRelease('ID="rocky"\nID_LIKE="rhel centos fedora"\n'))).toBe('fedora');
    expect(familyOf(parseOsRelease('ID=alpine\n'))).toBe('alpine');
    expect(familyOf(parseOsRelease(undefined))).toBeUndefined();
  });

  it('derives an image name from the file name', () => {
    expect(imageNameFor('/x/Ubuntu 24.04 Server.qcow2')).toBe('ubuntu-24.04-server');
    expect(imageNameFor('rootfs.tar.zst')).toBe('rootfs');
    expect(imageNameFor('__.tar')).toBe('imported');
  });
});
