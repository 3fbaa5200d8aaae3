// The connection to the Docker Engine. Every engine call in dockervm goes through Engine.call, which
// turns "cannot connect" into one clear line and the engine's refusals into EngineErrors that keep
// the HTTP status (404 missing, 304 already in that state, 409 conflict) for callers to branch on.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { CLIError } from '../spec/errors.ts';

const DEFAULT_SOCKET = '/var/run/docker.sock';
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

/**
 * Where the engine is: DOCKER_HOST, else the current `docker context`'s endpoint (Docker Desktop,
 * rootless), else the system socket.
 */
export function engineAddress(env: NodeJS.ProcessEnv, home = env.HOME ?? homedir()): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const contextHost = dockerContextHost(env, home);
  return contextHost ?? `unix://${DEFAULT_SOCKET}`;
}

function dockerContextHost(env: NodeJS.ProcessEnv, home: string): string | undefined {
  try {
    const configDir = env.DOCKER_CONFIG ?? join(home, '.docker');
    const name = env.DOCKER_CONTEXT ?? (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext;
    if (!name || name === 'default') return undefined;
    const meta = join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json');
    if (!existsSync(meta)) return undefined;
    const host = (JSON.parse(readFileSync(meta, 'utf8')) as { Endpoints?: { docker?: { Host?: string } } }).Endpoints?.docker?.Host;
    return typeof host === 'string' && host ? host : undefined;
  } catch {
    return undefined;
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
  readonly address: string;
  /** The environment child `docker` processes need to talk to the same engine. */
  readonly childEnv: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv) {
    this.address = engineAddress(env);
    this.childEnv = { ...env, DOCKER_HOST: this.address };
    this.docker = this.address.startsWith('unix://')
      ? new Docker({ socketPath: this.address.slice('unix://'.length) || DEFAULT_SOCKET })
      : new Docker();
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
    if (typeof e.statusCode === 'number') {
      const detail = (e.json && typeof e.json === 'object' ? e.json.message : undefined) ?? e.reason ?? e.message ?? 'failed';
      return new EngineError(`cannot ${what}: ${String(detail).trim()}`, e.statusCode);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  /** Where the engine keeps its data (images, volumes), for the disk space check. */
  async rootDir(): Promise<string> {
    const info = await this.call('read the engine info', () => this.docker.info());
    return typeof info.DockerRootDir === 'string' && info.DockerRootDir ? info.DockerRootDir : '/var/lib/docker';
  }

  /** Checks the engine answers (bounded), and what it is. */
  async version(timeoutMs = 10_000): Promise<EngineVersion> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CLIError(`the Docker engine at ${this.address} did not answer within ${timeoutMs / 1000} s: is it running? (docker info)`)), timeoutMs);
    });
    try {
      const v = await Promise.race([this.call('ask the engine its version', () => this.docker.version()), timeout]);
      return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
    } finally {
      clearTimeout(timer);
    }
  }
}
