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

/**
 * Reads a non-TTY exec's multiplexed stream as it arrives: stdout by lines or by byte counts,
 * stderr kept aside (for error messages).
 */
export class FrameReader {
  #pending = Buffer.alloc(0);
  #stdout = Buffer.alloc(0);
  #stderr: Buffer[] = [];
  #ended = false;
  #waiters: (() => void)[] = [];

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (chunk: Buffer) => {
      this.#pending = Buffer.concat([this.#pending, chunk]);
      while (this.#pending.length >= 8) {
        const size = this.#pending.readUInt32BE(4);
        if (this.#pending.length < 8 + size) break;
        const payload = this.#pending.subarray(8, 8 + size);
        if (this.#pending[0] === 2) this.#stderr.push(payload);
        else this.#stdout = Buffer.concat([this.#stdout, payload]);
        this.#pending = this.#pending.subarray(8 + size);
      }
      this.#wake();
    });
    const end = () => {
      this.#ended = true;
      this.#wake();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  #wake() {
    for (const w of this.#waiters.splice(0)) w();
  }

  async #until(ready: () => boolean): Promise<boolean> {
    while (!ready()) {
      if (this.#ended) return false;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return true;
  }

  /** The next line of stdout without its newline; '' once the stream ended without one. */
  async line(): Promise<string> {
    if (!(await this.#until(() => this.#stdout.includes(0x0a)))) return '';
    const end = this.#stdout.indexOf(0x0a);
    const line = this.#stdout.subarray(0, end).toString('utf8');
    this.#stdout = this.#stdout.subarray(end + 1);
    return line;
  }

  async bytes(count: number): Promise<Buffer> {
    if (!(await this.#until(() => this.#stdout.length >= count))) throw new Error(`the exec ended ${count - this.#stdout.length} bytes short`);
    const data = this.#stdout.subarray(0, count);
    this.#stdout = this.#stdout.subarray(count);
    return data;
  }

  stderr(): string {
    return Buffer.concat(this.#stderr).toString('utf8');
  }
}
