import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { importTar } from '../../docker/images.ts';
import { CLIError } from '../../errors.ts';
import { FAMILIES } from '../../vmspec/types.ts';
import type { Command } from '../command.ts';
import type { Context, Io } from '../context.ts';
import { formatBytes } from '../messages.ts';
import { openEngine } from '../session.ts';
import { mountDisk, type MountedDisk } from '../import/disk.ts';
import { detectFormat } from '../import/formats.ts';
import { openTar, type TarSource } from '../import/source.ts';
import { familyOf, NotTarError, type OsRelease, parseOsRelease, resolvesToFile, TarScanner, type TarSummary } from '../import/tar-scan.ts';
import { LABEL, ROLE } from '../../constants.ts';
import { labelInstruction } from '../snapshot/labels.ts';

/** `ubuntu-24.04.qcow2` → `ubuntu-24.04`; something Docker accepts as a repository name. */
export function imageNameFor(source: string): string {
  const base = basename(source).replace(/\.(tar(\.(gz|zst|xz|bz2))?|tgz|tzst|txz|qcow2|img|raw|vmdk|vdi|vhdx|vhd)$/i, '');
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '')
    .replace(/[._-]{2,}/g, '-');
  return name || 'imported';
}

async function scan(source: TarSource, signal: AbortSignal): Promise<TarSummary> {
  const scanner = new TarScanner();
  const stream = openTar(source);
  try {
    for await (const chunk of stream) {
      if (signal.aborted) throw new CLIError('cancelled: nothing was imported', 130);
      scanner.push(chunk as Buffer);
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof NotTarError)
      throw new CLIError(
        `${source.path} is not a tar archive (${error.message}): give a rootfs tarball (.tar, .tar.gz, .tar.zst), a directory, or a disk image`,
      );
    if (error instanceof CLIError) throw error;
    if ((error as { code?: string }).code?.startsWith('Z_')) throw new CLIError(`${source.path}: the compressed data is damaged (${(error as Error).message})`);
    throw error;
  }
  return scanner.finish();
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(65536 + 128);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The scaffolder, as `dockervm new` runs it. With --json its human output must not reach stdout, so
 * it runs as a child process whose stdout goes to our stderr.
 */
async function scaffold(argv: string[], json: boolean, io: Pick<Io, 'stdout' | 'cwd' | 'self'>): Promise<number> {
  if (!json || !io.self) {
    const { command } = await import('./new.ts');
    return command.passthrough(argv, io);
  }
  const child = spawn(process.execPath, [io.self, 'new', ...argv], { cwd: io.cwd, stdio: ['ignore', 2, 2] });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

export const command: Command = {
  name: 'import',
  summary: 'turn a rootfs tarball, a directory or a VM disk image into an image (and optionally a project)',
  usage: 'import <source> [--name NAME] [--new DIR]',
  description: [
    '<source> is a root filesystem as a tar (.tar, .tar.gz, .tar.zst, .tar.xz), a directory, or a VM disk',
    '(raw, qcow2, vmdk, vdi, vhdx). The result is the image NAME:imported (docker import: one layer, the',
    'way `FROM scratch` + `ADD rootfs.tar /` would build it), labelled with where it came from.',
    'It is checked first: a source that is not a tar, or has no /bin/sh, is refused before anything is made.',
    'Disk images are converted with qemu-img and mounted read-only through a loop device: that needs root.',
    '--new DIR then scaffolds a VM project on it (FROM NAME:imported; package family from /etc/os-release).',
  ],
  options: {
    name: { type: 'string', value: 'NAME', description: "image repository (default: from the source's file name)" },
    tag: { type: 'string', value: 'TAG', description: 'image tag (default: imported)' },
    new: { type: 'string', value: 'DIR', description: 'also create a VM project in DIR around the image' },
    family: { type: 'string', value: FAMILIES.join('|'), description: 'package family for --new when /etc/os-release does not tell' },
    desktop: { type: 'string', value: 'shell|xterm|vnc|novnc', description: "desktop for --new (default: the scaffolder's)" },
    install: { type: 'boolean', description: "for --new: install the project's dependencies, its own dockervm CLI (default: yes; --no-install to skip)" },
    'tmp-dir': { type: 'string', value: 'DIR', description: 'where a disk image is converted to raw (needs its full size free; default: the system temp dir)' },
  },
  positionals: { min: 1, max: 1 },
  examples: ['npx dockervm import rootfs.tar.zst --name mylab', 'sudo npx dockervm import old-vm.qcow2 --new ./old-vm'],
  async run(ctx) {
    const given = ctx.positionals[0] ?? '';
    const input = resolve(ctx.cwd, given);
    const stat = statSync(input, { throwIfNoEntry: false });
    if (!stat) throw new CLIError(`${given}: no such file or directory`);
    const name = ctx.string('name') ?? imageNameFor(input);
    const tag = ctx.string('tag') ?? 'imported';
    if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(name))
      throw new CLIError(`--name ${name}: not a valid image name (lowercase letters, digits, . _ - and /)`);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new CLIError(`--tag ${tag}: not a valid tag`);
    const family = ctx.string('family');
    if (family && !(FAMILIES as readonly string[]).includes(family)) throw new CLIError(`--family must be ${FAMILIES.join(', ')} (got "${family}")`);

    let disk: MountedDisk | undefined;
    try {
      const opened = await openSource(ctx, given, input, stat.isDirectory());
      disk = opened.disk;
      const { source, format } = opened;
      const summary = await checkRootfs(ctx, given, input, source, format);
      const os = parseOsRelease(summary.osRelease);
      ctx.checkpoint();
      const image = `${name}:${tag}`;
      const imageId = await importImage(ctx, { input, source, format, summary, os, name, tag });
      const detectedFamily = familyOf(os);
      const newDir = ctx.string('new');
      let project: string | undefined;
      if (newDir) {
        const chosen = family ?? detectedFamily ?? (resolvesToFile(summary.paths, 'bin/busybox') && !os.id ? 'busybox' : undefined);
        if (!chosen)
          throw new CLIError(
            `imported ${image}, but cannot tell its package family from /etc/os-release (ID=${os.id ?? 'none'}): run \`npx dockervm new ${newDir} --base ${image} --family …\``,
          );
        project = await scaffoldAround(ctx, image, newDir, chosen);
      }
      return {
        data: {
          image,
          id: imageId,
          format,
          entries: summary.entries,
          bytes: summary.bytes,
          os: os.prettyName ?? null,
          family: detectedFamily ?? null,
          project: project ?? null,
        },
        text: [
          `imported ${image} (${os.prettyName ?? 'unknown OS'}, ${formatBytes(summary.bytes)})`,
          `  try it: docker run --rm -it ${image}`,
          ...(project ? [] : [`  a VM around it: npx dockervm new my-vm --base ${image} --no-pin${detectedFamily ? ` --family ${detectedFamily}` : ''}`]),
        ],
      };
    } finally {
      disk?.cleanup();
    }
  },
};

/** What to read the root filesystem from: the directory, the tar file, or a disk image mounted read-only (the caller unmounts it). */
async function openSource(
  ctx: Context,
  given: string,
  input: string,
  isDirectory: boolean,
): Promise<{ source: TarSource; format: string; disk?: MountedDisk }> {
  if (isDirectory) return { source: { kind: 'dir', path: input }, format: 'directory' };
  const detected = detectFormat(readHead(input));
  if (detected.kind === 'unknown') {
    throw new CLIError(`${given} is not a tar archive or a disk image dockervm knows (tar, tar.gz, tar.zst, tar.xz, raw, qcow2, vmdk, vdi, vhdx)`);
  }
  if (detected.kind === 'disk') {
    // The conversion and mount are slow: find out first whether the import can happen at all.
    await openEngine(ctx);
    const disk = mountDisk(input, detected.format, ctx.string('tmp-dir') ?? tmpdir(), ctx.out.progress);
    return { source: { kind: 'dir', path: disk.root }, format: `${detected.format} disk (${disk.partition})`, disk };
  }
  const { compression } = detected;
  const format = compression === 'none' ? 'tar' : `tar.${compression === 'gzip' ? 'gz' : compression === 'zstd' ? 'zst' : compression}`;
  return { source: { kind: 'file', path: input, compression }, format };
}

/** Reads the whole source once, before anything is made: it must be a tar of a root filesystem with a /bin/sh. */
async function checkRootfs(ctx: Context, given: string, input: string, source: TarSource, format: string): Promise<TarSummary> {
  const summary = await ctx.out.timed(`checking ${basename(input)} (${format})`, () => scan(source, ctx.signal));
  if (summary.entries < 3) throw new CLIError(`${given} holds ${summary.entries} entr${summary.entries === 1 ? 'y' : 'ies'}: not a root filesystem`);
  if (!resolvesToFile(summary.paths, 'bin/sh')) {
    throw new CLIError(
      `${given} has no /bin/sh: not a root filesystem a container can run (was it made from inside a directory, or with a prefix? tar -C ROOT -cf - .)`,
    );
  }
  return summary;
}

interface Examined {
  input: string;
  source: TarSource;
  format: string;
  summary: TarSummary;
  os: OsRelease;
  name: string;
  tag: string;
}

/** docker import of the checked source, labelled with where it came from; returns the image id. */
async function importImage(ctx: Context, { input, source, format, summary, os, name, tag }: Examined): Promise<string> {
  const { engine } = await openEngine(ctx);
  const labels = {
    [LABEL.role]: ROLE.imported,
    [LABEL.importSource]: basename(input),
    [LABEL.importFormat]: format,
    [LABEL.importOs]: os.prettyName ?? os.id ?? 'unknown',
    'org.opencontainers.image.created': new Date().toISOString(),
    ...(os.prettyName ? { 'org.opencontainers.image.description': `imported from ${basename(input)}: ${os.prettyName}` } : {}),
  };
  return ctx.out.timed(`importing ${formatBytes(summary.bytes)} in ${summary.entries} entries as ${name}:${tag}`, () =>
    importTar(engine, openTar(source), {
      repo: name,
      tag,
      changes: [labelInstruction(labels), 'CMD ["/bin/sh"]'],
      message: `dockervm import ${basename(input)}`,
      signal: ctx.signal,
    }),
  );
}

/** --new: a VM project around the imported image, made by the scaffolder; returns its directory. */
async function scaffoldAround(ctx: Context, image: string, newDir: string, family: string): Promise<string> {
  const desktop = ctx.string('desktop');
  const argv = [
    newDir,
    '--base',
    image,
    '--family',
    family,
    '--no-pin',
    '--yes',
    ...(desktop ? ['--desktop', desktop] : []),
    ...(ctx.flag('install') === false ? ['--no-install'] : []),
  ];
  const status = await scaffold(argv, ctx.json, ctx);
  if (status !== 0) throw new CLIError(`imported ${image}, but creating the project in ${newDir} failed (see above)`, status);
  return resolve(ctx.cwd, newDir);
}
