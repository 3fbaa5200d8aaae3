// Runs commands in a container and collects their output (demultiplexed), and puts files into one.
import type { Duplex } from 'node:stream';
import type { Engine } from './engine.ts';
import { tarFiles, type TarFile } from './tar.ts';

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** Docker multiplexes stdout and stderr of a non-TTY exec in frames: [stream, 0, 0, 0, size (BE32)]. */
export function demultiplex(chunks: readonly Buffer[]): { stdout: Buffer; stderr: Buffer } {
  const all = Buffer.concat(chunks);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= all.length) {
    const kind = all[offset];
    const size = all.readUInt32BE(offset + 4);
    const payload = all.subarray(offset + 8, offset + 8 + size);
    (kind === 2 ? err : out).push(payload);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

export async function execCollect(engine: Engine, containerId: string, cmd: string[], options: { user?: string } = {}): Promise<ExecResult> {
  const what = `run ${cmd[0]} in a helper container`;
  const exec = await engine.call(what, () =>
    engine.docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: options.user ?? 'root' }),
  );
  const stream = (await engine.call(what, () => exec.start({ hijack: true, stdin: false }))) as Duplex;
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', (error) => reject(engine.translate(what, error)));
  });
  const { stdout, stderr } = demultiplex(chunks);
  // The stream can end a moment before the engine records the exit code.
  for (let attempt = 0; attempt < 500; attempt++) {
    const info = await engine.call(what, () => exec.inspect());
    if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, stdout, stderr: stderr.toString('utf8') };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${cmd[0]} in the helper container did not report an exit code`);
}

/** Writes files under `dir` (which must exist) inside the container, through the archive API. */
export async function putFiles(engine: Engine, containerId: string, dir: string, files: readonly TarFile[]): Promise<void> {
  await engine.call('copy files into a helper container', () => engine.docker.getContainer(containerId).putArchive(tarFiles(files), { path: dir }));
}
