// `dockervm import` on a real engine: a debootstrap rootfs tarball (plain and zstd), and a qcow2
// disk made here (MBR partition, ext4, the same rootfs) → images that run /bin/sh. Loop mounts need
// root: without it the disk case is skipped with the reason (in CI it runs as root).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockervm, dockervmJson, engineAvailable, mustSh, requireBuiltDockervm, scratchDir, sh, uniqueName } from '../helpers/dockervm-engine.ts';

const haveEngine = engineAvailable();
const DEBOOTSTRAP_TAR = join(import.meta.dirname, '../../.cache/rootfs/debian-bookworm-minbase.tar');

describe.skipIf(!haveEngine)('dockervm import', () => {
  const scratch = scratchDir();
  const name = uniqueName('import');
  let rootfsTar = '';

  beforeAll(() => {
    requireBuiltDockervm();
    // The engine harness keeps the debootstrap tarball it built the base images from; without it,
    // `docker export` of a Debian container is the same kind of archive.
    rootfsTar = join(scratch.path, 'rootfs.tar');
    if (existsSync(DEBOOTSTRAP_TAR)) mustSh('cp', [DEBOOTSTRAP_TAR, rootfsTar]);
    else {
      const id = mustSh('docker', ['create', '--label', `dev.dockervm.project=${name}`, 'debian:bookworm-slim', 'true']).trim();
      mustSh('docker', ['export', '-o', rootfsTar, id]);
      mustSh('docker', ['rm', id]);
    }
  });

  afterAll(() => {
    const images = mustSh('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${name}*`])
      .split('\n')
      .filter(Boolean);
    if (images.length) sh('docker', ['rmi', '-f', ...images]);
    scratch.cleanup();
  });

  const runs = (image: string) => mustSh('docker', ['run', '--rm', '--network', 'none', image, '/bin/sh', '-c', 'cat /etc/debian_version']).trim();

  it('a rootfs tarball, plain and zstd-compressed, becomes an image that runs /bin/sh', () => {
    const plain = dockervmJson<{ image: string; family: string; os: string }>(['import', rootfsTar, '--name', `${name}-tar`], { cwd: scratch.path });
    expect(plain).toMatchObject({ image: `${name}-tar:imported`, family: 'debian', os: expect.stringMatching(/Debian/) });
    expect(runs(plain.image)).toMatch(/^12\.\d+$/);
    const labels = JSON.parse(mustSh('docker', ['image', 'inspect', plain.image, '--format', '{{json .Config.Labels}}'])) as Record<string, string>;
    expect(labels).toMatchObject({ 'dev.dockervm.role': 'imported', 'dev.dockervm.import.source': 'rootfs.tar', 'dev.dockervm.import.format': 'tar' });

    mustSh('zstd', ['-q', '-f', rootfsTar, '-o', `${rootfsTar}.zst`]);
    const zst = dockervmJson<{ image: string }>(['import', `${rootfsTar}.zst`, '--name', `${name}-zst`], { cwd: scratch.path });
    expect(runs(zst.image)).toMatch(/^12\.\d+$/);
  });

  it('--new scaffolds a project whose FROM is the imported image', () => {
    const result = dockervmJson<{ project: string }>(['import', rootfsTar, '--name', `${name}-new`, '--new', 'lab', '--desktop', 'shell', '--no-install'], {
      cwd: scratch.path,
    });
    expect(result.project).toBe(join(scratch.path, 'lab'));
    const dockerfile = mustSh('cat', [join(scratch.path, 'lab', 'Dockerfile')]);
    expect(dockerfile).toMatch(new RegExp(`^FROM ${name}-new:imported$`, 'm'));
  });

  const isRoot = process.getuid?.() === 0;
  if (!isRoot) process.stderr.write('skipping the qcow2 import test: loop mounts need root\n');
  it.skipIf(!isRoot)('a qcow2 disk (MBR, ext4) becomes an image that runs /bin/sh', () => {
    const raw = join(scratch.path, 'disk.raw');
    mustSh('truncate', ['-s', '400M', raw]);
    // One Linux partition from sector 2048 to the end, written by hand (no partitioning tool needed).
    const mbr = Buffer.alloc(512);
    mbr[446 + 4] = 0x83;
    mbr.writeUInt32LE(2048, 446 + 8);
    mbr.writeUInt32LE((400 * 1024 * 1024) / 512 - 2048, 446 + 12);
    mbr.writeUInt16LE(0xaa55, 510);
    const fd = openSync(raw, 'r+');
    writeSync(fd, mbr, 0, 512, 0);
    closeSync(fd);
    const loop = mustSh('losetup', ['--find', '--show', '--offset', String(2048 * 512), raw]).trim();
    const mount = join(scratch.path, 'mnt');
    mkdirSync(mount);
    try {
      mustSh('mkfs.ext4', ['-q', loop]);
      mustSh('mount', [loop, mount]);
      mustSh('tar', ['-C', mount, '-xf', rootfsTar]);
    } finally {
      spawnSync('umount', [mount]);
      spawnSync('losetup', ['-d', loop]);
    }
    const qcow2 = join(scratch.path, 'old-vm.qcow2');
    mustSh('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    const loopsBefore = mustSh('losetup', ['-a']);
    const result = dockervmJson<{ image: string; format: string }>(['import', qcow2, '--name', `${name}-disk`], { cwd: scratch.path });
    expect(result.format).toBe('qcow2 disk (partition 1)');
    expect(runs(result.image)).toMatch(/^12\.\d+$/);
    // Nothing left mounted or attached.
    expect(mustSh('losetup', ['-a'])).toBe(loopsBefore);
    expect(mustSh('mount', [])).not.toMatch(/dockervm-import-/);
  });

  it('refuses a disk without a root filesystem', () => {
    const empty = join(scratch.path, 'empty.qcow2');
    mustSh('qemu-img', ['create', '-q', '-f', 'qcow2', empty, '64M']);
    const result = dockervm(['import', empty], { cwd: scratch.path });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/no partition table and no Linux filesystem|needs root/);
  });
});
