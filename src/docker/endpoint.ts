// Which engine to talk to, decided once and the way the docker CLI decides it, so that dockerode
// and every `docker`/`docker compose` child reach the same daemon:
//   DOCKER_HOST (+ DOCKER_TLS_VERIFY / DOCKER_TLS, DOCKER_CERT_PATH), else DOCKER_CONTEXT, else the
//   docker config's currentContext, else the default unix socket.
// A context lives in the CLI's context store: contexts/meta/<sha256 of its name>/meta.json holds
// Endpoints.docker.{Host,SkipTLSVerify}; contexts/tls/<same>/docker/{ca,cert,key}.pem its TLS files.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CLIError } from '../errors.ts';

export const DEFAULT_SOCKET = '/var/run/docker.sock';
export const DEFAULT_HOST = `unix://${DEFAULT_SOCKET}`;

export interface EngineTls {
  /** Check the engine's certificate (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  verify: boolean;
  /** The directory with ca.pem, cert.pem, key.pem (each optional). */
  certDir: string;
}

export interface EngineEndpoint {
  /** Normalized: unix:///path, tcp://host:port or ssh://[user@]host[:port]. */
  host: string;
  /** Where the choice came from, for messages. */
  source: 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'config' | 'default';
  /** The docker context, when one was selected (not `default`). */
  context?: string;
  tls?: EngineTls;
}

export const dockerConfigDir = (env: NodeJS.ProcessEnv, home = env.HOME || homedir()): string => env.DOCKER_CONFIG || join(home, '.docker');

export const contextDigest = (name: string): string => createHash('sha256').update(name).digest('hex');

/** Pure but for reading the docker config and context store. Throws one-line CLIErrors. */
export function resolveEndpoint(env: NodeJS.ProcessEnv, home = env.HOME || homedir()): EngineEndpoint {
  const configDir = dockerConfigDir(env, home);
  if (env.DOCKER_HOST) {
    const tlsOn = Boolean(env.DOCKER_TLS_VERIFY) || Boolean(env.DOCKER_TLS);
    // The CLI takes DOCKER_TLS_VERIFY=<anything non-empty> as on, "0" included.
    const tls = tlsOn ? { verify: Boolean(env.DOCKER_TLS_VERIFY), certDir: env.DOCKER_CERT_PATH || configDir } : undefined;
    return { host: normalizeHost(env.DOCKER_HOST, 'DOCKER_HOST', tlsOn), source: 'DOCKER_HOST', ...(tls ? { tls } : {}) };
  }
  const fromEnv = env.DOCKER_CONTEXT;
  const name = fromEnv || currentContext(configDir);
  if (!name || name === 'default') return { host: DEFAULT_HOST, source: 'default' };
  return readContext(configDir, name, fromEnv ? 'DOCKER_CONTEXT' : 'config');
}

function currentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  const config = readJson(file, 'the docker config');
  const name = (config as { currentContext?: unknown }).currentContext;
  return typeof name === 'string' ? name : undefined;
}

function readContext(configDir: string, name: string, source: 'DOCKER_CONTEXT' | 'config'): EngineEndpoint {
  const from = source === 'DOCKER_CONTEXT' ? 'DOCKER_CONTEXT' : `currentContext in ${join(configDir, 'config.json')}`;
  const digest = contextDigest(name);
  const metaFile = join(configDir, 'contexts', 'meta', digest, 'meta.json');
  if (!existsSync(metaFile))
    throw new CLIError(
      `docker context "${name}" (from ${from}) does not exist: \`docker context ls\` lists them, \`docker context use default\` goes back to the local engine`,
    );
  const meta = readJson(metaFile, `docker context "${name}"`) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  const docker = meta.Endpoints?.docker;
  if (typeof docker?.Host !== 'string' || docker.Host === '')
    throw new CLIError(`docker context "${name}" has no docker endpoint (${metaFile}): recreate it with \`docker context create ${name} --docker host=…\``);
  const tlsDir = join(configDir, 'contexts', 'tls', digest, 'docker');
  const hasTls = ['ca.pem', 'cert.pem', 'key.pem'].some((f) => existsSync(join(tlsDir, f)));
  const host = normalizeHost(docker.Host, `docker context "${name}"`, hasTls);
  // The CLI speaks TLS to a context's tcp endpoint when the context carries TLS material or skips
  // verification (which only makes sense over TLS).
  const skip = docker.SkipTLSVerify === true;
  const tls = (hasTls || skip) && host.startsWith('tcp://') ? { verify: !skip, certDir: tlsDir } : undefined;
  return { host, source, context: name, ...(tls ? { tls } : {}) };
}

function readJson(file: string, what: string): object {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CLIError(`cannot read ${what} (${file}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {}
  throw new CLIError(`cannot read ${what} (${file}): not a JSON object`);
}

/** The docker CLI's address forms; a bare host:port is tcp. Anything else is one clear line. */
export function normalizeHost(raw: string, what: string, tls: boolean): string {
  const value = raw.trim();
  const bad = (why: string) => new CLIError(`${what}=${JSON.stringify(raw)}: ${why} (expected unix:///PATH, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT])`);
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    if (path && !path.startsWith('/')) throw bad('the socket path must be absolute');
    return `unix://${path || DEFAULT_SOCKET}`;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'tcp' && scheme !== 'ssh') throw bad(`${scheme}:// is not supported here`);
  let url: URL;
  try {
    url = new URL(scheme ? value : `tcp://${value}`);
  } catch {
    throw bad('not an address');
  }
  if (!url.hostname) throw bad('no host');
  if (url.pathname && url.pathname !== '/') throw bad('a path after the host is not supported');
  if (scheme === 'ssh') return `ssh://${url.username ? `${url.username}@` : ''}${url.host}`;
  // The CLI's default ports: 2376 for TLS, 2375 without.
  return `tcp://${url.hostname}:${url.port || (tls ? '2376' : '2375')}`;
}

/** How messages name the engine: the address, and the context it came from. */
export function describeEndpoint(endpoint: EngineEndpoint): string {
  return endpoint.context ? `${endpoint.host} (docker context ${endpoint.context})` : endpoint.host;
}
