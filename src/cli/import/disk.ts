// A VM disk image as a directory: qemu-img converts it to raw (qcow2, vmdk, vdi, vhdx), the kernel
// mounts its root partition read-only through a loop device. Loop mounts need root, and nothing
// here works without it; the unprivileged alternative is to export a tarball from the VM itself.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readlinkSync, readSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { CLIError } from '../../errors.ts';
import { filesystemAt, partitionTable, type Partition } from './formats.ts';

export interface MountedDisk {
  root: string;
  partition: string;
  cleanup(): void;
}

function run(command: string, args: string[], timeoutMs = 30 * 60_000): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, output: `${command}: not installed` };
  return { ok: result.status === 0, output: `${result.stderr ?? ''}${result.stdout ?? ''}`.trim() };
}

function readHead(path: string, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Does `path` (inside the tree at `root`) lead to a file, following symlinks within that root? */
export function fileInRoot(root: string, path: string): boolean {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const parts = current.split('/').filter(Boolean);
    let resolved = '';
    let restarted = false;
    for (let i = 0; i < parts.length; i++) {
      const candidate = `${resolved}/${parts[i]}`;
      const stat = lstatSync(join(root, candidate), { throwIfNoEntry: false });
      if (!stat) return false;
      if (stat.isSymbolicLink()) {
        const target = readlinkSync(join(root, candidate));
        current = posix.normalize(
          target.startsWith('/') ? `${target}/${parts.slice(i + 1).join('/')}` : `${resolved}/${target}/${parts.slice(i + 1).join('/')}`,
        );
        restarted = true;
        break;
      }
      if (i === parts.length - 1) return stat.isFile();
      if (!stat.isDirectory()) return false;
      resolved = candidate;
    }
    if (!restarted) return false;
  }
  return false;
}

export function mountDisk(source: string, format: string, workDir: string, log: (line: string) => void): MountedDisk {
  if (process.getuid?.() !== 0) {
    throw new CLIError(
      `importing a ${format} disk image needs root (a read-only loop mount of its filesystem): run it with sudo, or export a tarball from inside the VM (tar -C / -cpf - --one-file-system .) and import that`,
    );
  }
  const dir = mkdtempSync(join(workDir, 'dockervm-import-'));
  const mountPoint = join(dir, 'root');
  mkdirSync(mountPoint);
  let mounted = false;
  const cleanup = () => {
    if (mounted) run('umount', [mountPoint]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let raw = source;
    if (format !== 'raw') {
      log(`converting the ${format} image to raw with qemu-img (in ${dir}) …`);
      raw = join(dir, 'disk.raw');
      const converted = run('qemu-img', ['convert', '-f', format, '-O', 'raw', source, raw]);
      if (!converted.ok) {
        throw new CLIError(
          converted.output.includes('not installed')
            ? 'qemu-img is needed to read qcow2/vmdk/vdi images: apt-get install qemu-utils'
            : `qemu-img could not convert ${source}: ${converted.output.split('\n')[0]}`,
        );
      }
    }
    const head = readHead(raw, 34 * 512 + 0x10048);
    const table = partitionTable(head);
    const candidates: Partition[] = table && table.length ? table : filesystemAt(head, 0) ? [{ index: 0, start: 0, size: 0, type: 'whole disk' }] : [];
    if (candidates.length === 0) throw new CLIError(`${source}: no partition table and no Linux filesystem found on the disk`);
    const tried: string[] = [];
    for (const p of candidates) {
      const where = p.index === 0 ? 'the whole disk' : `partition ${p.index}`;
      const options = [`ro,loop,offset=${p.start}${p.size ? `,sizelimit=${p.size}` : ''}`];
      let ok = false;
      for (const extra of ['', ',noload']) {
        const result = run('mount', ['-o', `${options[0]}${extra}`, raw, mountPoint], 120_000);
        if (result.ok) {
          ok = true;
          break;
        }
        if (extra) tried.push(`${where}: ${result.output.split('\n')[0]}`);
      }
      if (!ok) continue;
      mounted = true;
      if (fileInRoot(mountPoint, '/bin/sh')) {
        log(`mounted ${where} read-only`);
        return { root: mountPoint, partition: where, cleanup };
      }
      tried.push(`${where}: no /bin/sh`);
      run('umount', [mountPoint]);
      mounted = false;
    }
    throw new CLIError(`${source}: no partition holds a root filesystem with /bin/sh (${tried.join('; ')})`);
  } catch (error) {
    cleanup();
    throw error;
  }
}

export const exists = existsSync;
