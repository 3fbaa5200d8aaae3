// The connection to the Docker Engine. Every engine call in dockervm goes through Engine.call, which
// turns "cannot connect" into one clear line and the engine's refusals into EngineErrors that keep
// the HTTP status (404 missing, 304 already in that state, 409 conflict) for callers to branch on.
import Docker from 'dockerode';
import { CLIError } from '../errors.ts';
import { childEnvFor, dockerodeOptions } from './connect.ts';
import { SshTransportError } from './ssh-transport.ts';
import { describeEndpoint, resolveEndpoint, type EngineEndpoint } from './endpoint.ts';

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE']);

export class EngineError extends CLIError {
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode: number | undefined) {
    super(message);
    this.name = 'EngineError';
    this.statusCode = statusCode;
  }
}

export const isStatus = (error: unknown, ...codes: number[]) => error instanceof EngineError && codes.includes(error.statusCode ?? -1);

/** Where the engine is (see endpoint.ts): the same answer for dockerode and the docker CLI. */
export function engineAddress(env: NodeJS.ProcessEnv): string {
  return resolveEndpoint(env).host;
}

/**
 * docker-modem reads process.env.DOCKER_HOST itself and, when it is tcp, loads DOCKER_CERT_PATH's
 * files on its own terms (throwing when cert.pem is missing, which the CLI allows). Our options set
 * every connection key anyway, so it is kept from looking while the client is made.
 */
function withoutDockerHost<T>(make: () => T): T {
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    return make();
  } finally {
    if (saved !== undefined) process.env.DOCKER_HOST = saved;
  }
}

export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

export class Engine {
  readonly docker: Docker;
  readonly endpoint: EngineEndpoint;
  /** For messages: the address, and the docker context it came from. */
  readonly address: string;
  /** The environment child `docker` processes need to talk to the same engine. */
  readonly childEnv: NodeJS.ProcessEnv;

  /** Takes the environment (resolved here) or an endpoint resolved already. */
  constructor(env: NodeJS.ProcessEnv, endpoint: EngineEndpoint = resolveEndpoint(env)) {
    this.endpoint = endpoint;
    this.address = describeEndpoint(endpoint);
    this.childEnv = childEnvFor(endpoint, env);
    this.docker = withoutDockerHost(() => new Docker(dockerodeOptions(endpoint, env)));
  }

  /** The engine is on this machine (a unix socket): its data directory can be looked at. */
  get local(): boolean {
    return this.endpoint.host.startsWith('unix://');
  }

  unreachable(): CLIError {
    return new CLIError(`cannot reach the Docker engine at ${this.address}: is it running? (docker info)`);
  }

  /** Runs one engine request; `what` names it in an error ("commit the VM container"). */
  async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.translate(what, error);
    }
  }

  translate(what: string, error: unknown): Error {
    if (error instanceof CLIError) return error;
    const e = error as { code?: string; statusCode?: number; json?: { message?: string } | null; reason?: string; message?: string };
    if (e.code === 'EACCES') {
      return new CLIError(`permission denied on the Docker socket (${this.address}): add your user to the docker group, or run with sudo`);
    }
    if (e.code && CONNECT_ERRORS.has(e.code)) return this.unreachable();
    // A certificate the engine or we refuse: say so, not "cannot reach".
    if (e.code && /^(?:ERR_TLS|ERR_SSL|EPROTO|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(e.code)) {
      return new CLIError(
        `TLS with the Docker engine at ${this.address} failed (${e.code}): check its certificates (DOCKER_CERT_PATH, or the context's ca/cert/key)`,
      );
    }
    // ssh's own words: "Host key verification failed.", "Permission denied (publickey).", …
    if (error instanceof SshTransportError) return new CLIError(`ssh to the Docker engine at ${this.address} failed: ${error.message}`);
    if (typeof e.statusCode === 'number') {
      const detail = (e.json && typeof e.json === 'object' ? e.json.message : undefined) ?? e.reason ?? e.message ?? 'failed';
      return new EngineError(`cannot ${what}: ${String(detail).trim()}`, e.statusCode);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  /** Which engine this is (its ID tells two engines apart) and where it keeps its data. */
  async info(): Promise<{ id: string; name: string; rootDir: string }> {
    const info = await this.call('read the engine info', () => this.docker.info());
    const text = (value: unknown, fallback: string) => (typeof value === 'string' && value ? value : fallback);
    return { id: text(info.ID, ''), name: text(info.Name, ''), rootDir: text(info.DockerRootDir, '/var/lib/docker') };
  }

  /** Where the engine keeps its data (images, volumes), for the disk space check. */
  async rootDir(): Promise<string> {
    return (await this.info()).rootDir;
  }

  /** Checks the engine answers (bounded), and what it is. */
  async version(timeoutMs = 10_000): Promise<EngineVersion> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CLIError(`the Docker engine at ${this.address} did not answer within ${timeoutMs / 1000} s: is it running? (docker info)`)),
        timeoutMs,
      );
    });
    try {
      const v = await Promise.race([this.call('ask the engine its version', () => this.docker.version()), timeout]);
      return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
    } finally {
      clearTimeout(timer);
    }
  }
}
