// ssh:// engines through the system's `ssh`, exactly as the docker CLI reaches them (its connection
// helper runs `ssh … -- HOST docker system dial-stdio` and speaks HTTP over the pipe). So dockervm's
// own calls and its `docker compose` children use the same ssh_config aliases, keys, agent and
// known_hosts, and an unknown host key is refused by ssh itself. An http.Agent hands dockerode one
// such pipe per connection; kept alive, one ssh process serves a command's requests in turn.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex, type Readable, type Writable } from 'node:stream';

/** An ssh that failed: why, in ssh's own words (the last line it printed). */
export class SshTransportError extends Error {
  override readonly name = 'SshTransportError';
}

/** The docker CLI's ssh arguments for `ssh://[user@]host[:port]`. */
export function sshArgs(host: string): string[] {
  const url = new URL(host);
  const user = decodeURIComponent(url.username);
  return [
    '-o',
    'ConnectTimeout=30',
    '-T',
    ...(user ? ['-l', user] : []),
    ...(url.port ? ['-p', url.port] : []),
    '--',
    url.hostname.replace(/^\[|\]$/g, ''),
    'docker',
    'system',
    'dial-stdio',
  ];
}

/** One ssh process as a socket-like stream for http. */
type SshChild = ChildProcessByStdio<Writable, Readable, Readable>;

class SshStream extends Duplex {
  private readonly child: SshChild;
  private stderr = '';
  private gotData = false;

  constructor(child: SshChild) {
    super();
    this.child = child;
    const out = child.stdout;
    out.on('data', (chunk: Buffer) => {
      this.gotData = true;
      if (!this.push(chunk)) out.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000)));
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.destroy(
        new SshTransportError(error.code === 'ENOENT' ? 'the ssh command is not on PATH (ssh:// engines need it, as the docker CLI does)' : error.message),
      );
    });
    // The stream ends only once ssh has exited and closed its pipes: an ssh that failed before any
    // answer is an error in its own words (on stderr), not a connection that hung up.
    child.on('close', (code) => {
      if (code !== 0 && !this.gotData) {
        const said = this.stderr.trim().split('\n').filter(Boolean).at(-1);
        this.destroy(new SshTransportError(said ?? `ssh exited with status ${code}`));
      } else this.push(null);
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.child.stdin.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.child.exitCode === null) this.child.kill();
    callback(error);
  }

  // What http's client and agent call on a socket.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  /** An idle kept-alive connection must not keep dockervm from exiting. */
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as Partial<Socket> | null)?.unref?.();
    return this;
  }
  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as Partial<Socket> | null)?.ref?.();
    return this;
  }
}

export function sshAgent(host: string, env: NodeJS.ProcessEnv): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  // Every connection is a new `ssh`; the request's own host and port are ignored.
  agent.createConnection = () => new SshStream(spawn('ssh', sshArgs(host), { env, stdio: ['pipe', 'pipe', 'pipe'] })) as unknown as Socket;
  return agent;
}
