import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { importTar } from '../../docker/images.ts';
import { CLIError } from '../../errors.ts';
import { FAMILIES } from '../../vmspec/types.ts';
import type { Command } from '../command.ts';
import type { Io } from '../context.ts';
import { formatBytes } from '../messages.ts';
import { openEngine } from '../session.ts';
import { mountDisk, type MountedDisk } from '../import/disk.ts';
import { detectFormat } from '../import/formats.ts';
import { openTar, type TarSource } from '../import/source.ts';
import { familyOf, NotTarError, parseOsRelease, resolvesToFile, TarScanner, type TarSummary } from '../import/tar-scan.ts';
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
    const input = resolve(ctx.cwd, ctx.positionals[0] ?? '');
    const stat = statSync(input, { throwIfNoEntry: false });
    if (!stat) throw new CLIError(`${ctx.positionals[0]}: no such file or directory`);
    const name = ctx.string('name') ?? imageNameFor(input);
    const tag = ctx.string('tag') ?? 'imported';
    if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(name))
      throw new CLIError(`--name ${name}: not a valid image name (lowercase letters, digits, . _ - and /)`);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new CLIError(`--tag ${tag}: not a valid tag`);
    const family = ctx.string('family');
    if (family && !(FAMILIES as readonly string[]).includes(family)) throw new CLIError(`--family must be ${FAMILIES.join(', ')} (got "${family}")`);

    let disk: MountedDisk | undefined;
    let source: TarSource;
    let format: string;
    try {
      if (stat.isDirectory()) {
        source = { kind: 'dir', path: input };
        format = 'directory';
      } else {
        const detected = detectFormat(readHead(input));
        if (detected.kind === 'unknown') {
          throw new CLIError(
            `${ctx.positionals[0]} is not a tar archive or a disk image dockervm knows (tar, tar.gz, tar.zst, tar.xz, raw, qcow2, vmdk, vdi, vhdx)`,
          );
        }
        if (detected.kind === 'disk') {
          // The conversion and mount are slow: find out first whether the import can happen at all.
          await openEngine(ctx);
          disk = mountDisk(input, detected.format, ctx.string('tmp-dir') ?? tmpdir(), ctx.out.progress);
          source = { kind: 'dir', path: disk.root };
          format = `${detected.format} disk (${disk.partition})`;
        } else {
          source = { kind: 'file', path: input, compression: detected.compression };
          format =
            detected.compression === 'none'
              ? 'tar'
              : `tar.${detected.compression === 'gzip' ? 'gz' : detected.compression === 'zstd' ? 'zst' : detected.compression}`;
        }
      }
      const summary = await ctx.out.timed(`checking ${basename(input)} (${format})`, () => scan(source, ctx.signal));
      if (summary.entries < 3)
        throw new CLIError(`${ctx.positionals[0]} holds ${summary.entries} entr${summary.entries === 1 ? 'y' : 'ies'}: not a root filesystem`);
      if (!resolvesToFile(summary.paths, 'bin/sh')) {
        throw new CLIError(
          `${ctx.positionals[0]} has no /bin/sh: not a root filesystem a container can run (was it made from inside a directory, or with a prefix? tar -C ROOT -cf - .)`,
        );
      }
      const os = parseOsRelease(summary.osRelease);
      ctx.checkpoint();
      const { engine } = await openEngine(ctx);
      const labels = {
        [LABEL.role]: ROLE.imported,
        [LABEL.importSource]: basename(input),
        [LABEL.importFormat]: format,
        [LABEL.importOs]: os.prettyName ?? os.id ?? 'unknown',
        'org.opencontainers.image.created': new Date().toISOString(),
        ...(os.prettyName ? { 'org.opencontainers.image.description': `imported from ${basename(input)}: ${os.prettyName}` } : {}),
      };
      const imageId = await ctx.out.timed(`importing ${formatBytes(summary.bytes)} in ${summary.entries} entries as ${name}:${tag}`, () =>
        importTar(engine, openTar(source), {
          repo: name,
          tag,
          changes: [labelInstruction(labels), 'CMD ["/bin/sh"]'],
          message: `dockervm import ${basename(input)}`,
          signal: ctx.signal,
        }),
      );
      const detectedFamily = familyOf(os);
      let project: string | undefined;
      const newDir = ctx.string('new');
      if (newDir) {
        const chosen = family ?? detectedFamily ?? (resolvesToFile(summary.paths, 'bin/busybox') && !os.id ? 'busybox' : undefined);
        if (!chosen)
          throw new CLIError(
            `imported ${name}:${tag}, but cannot tell its package family from /etc/os-release (ID=${os.id ?? 'none'}): run \`npx dockervm new ${newDir} --base ${name}:${tag} --family …\``,
          );
        const desktop = ctx.string('desktop');
        const argv = [
          newDir,
          '--base',
          `${name}:${tag}`,
          '--family',
          chosen,
          '--no-pin',
          '--yes',
          ...(desktop ? ['--desktop', desktop] : []),
          ...(ctx.flag('install') === false ? ['--no-install'] : []),
        ];
        const status = await scaffold(argv, ctx.json, ctx);
        if (status !== 0) throw new CLIError(`imported ${name}:${tag}, but creating the project in ${newDir} failed (see above)`, status);
        project = resolve(ctx.cwd, newDir);
      }
      return {
        data: {
          image: `${name}:${tag}`,
          id: imageId,
          format,
          entries: summary.entries,
          bytes: summary.bytes,
          os: os.prettyName ?? null,
          family: detectedFamily ?? null,
          project: project ?? null,
        },
        text: [
          `imported ${name}:${tag} (${os.prettyName ?? 'unknown OS'}, ${formatBytes(summary.bytes)})`,
          `  try it: docker run --rm -it ${name}:${tag}`,
          ...(project ? [] : [`  a VM around it: npx dockervm new my-vm --base ${name}:${tag} --no-pin${detectedFamily ? ` --family ${detectedFamily}` : ''}`]),
        ],
      };
    } finally {
      disk?.cleanup();
    }
  },
};
