// Import sources as tar streams: a (compressed) tarball, a directory (tarred by the system's tar,
// numeric owners kept) or a mounted disk. Each stream can be opened twice: once to check, once to
// import, so that nothing is imported that would have been refused.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { CLIError } from '../../errors.ts';

export type TarSource = { kind: 'file'; path: string; compression: 'none' | 'gzip' | 'zstd' | 'xz' | 'bzip2' } | { kind: 'dir'; path: string };

/** A stream of the source as an uncompressed tar. Errors (a tool missing, a failing tar) surface as stream errors. */
export function openTar(source: TarSource): Readable {
  if (source.kind === 'dir')
    return fromCommand(
      'tar',
      ['-C', source.path, '--numeric-owner', '-cf', '-', '.'],
      `tar could not read ${source.path} (importing a directory needs read access to every file in it: often root)`,
    );
  const file = () => createReadStream(source.path);
  switch (source.compression) {
    case 'none':
      return file();
    case 'gzip':
      return file().pipe(zlib.createGunzip());
    case 'zstd': {
      const native = (zlib as { createZstdDecompress?: () => NodeJS.ReadWriteStream }).createZstdDecompress;
      return native ? (file().pipe(native()) as unknown as Readable) : fromCommand('zstd', ['-dc', source.path], `zstd could not decompress ${source.path}`);
    }
    case 'xz':
      return fromCommand('xz', ['-dc', source.path], `xz could not decompress ${source.path}`);
    case 'bzip2':
      return fromCommand('bzip2', ['-dc', source.path], `bzip2 could not decompress ${source.path}`);
  }
}

function fromCommand(command: string, args: string[], failure: string): Readable {
  const out = new PassThrough();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  child.on('error', (error: NodeJS.ErrnoException) =>
    out.destroy(new CLIError(error.code === 'ENOENT' ? `${command} is needed for this source but is not installed` : `${command}: ${error.message}`)),
  );
  child.stdout.pipe(out, { end: false });
  let exited: number | null | undefined;
  let drained = false;
  const finish = () => {
    if (exited === undefined || !drained) return;
    if (exited === 0) out.end();
    else out.destroy(new CLIError(`${failure}: ${stderr.trim().split('\n')[0] ?? `exit ${exited}`}`));
  };
  child.stdout.on('end', () => {
    drained = true;
    finish();
  });
  child.on('close', (code) => {
    exited = code;
    finish();
  });
  out.on('close', () => {
    if (exited === undefined) child.kill();
  });
  return out;
}
