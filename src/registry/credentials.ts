// Registry credentials the way `docker push` finds them in the docker config: a credential helper
// for the host (credHelpers), else the default helper (credsStore), else the `auths` entry.
// Helpers speak the docker-credential-<name> protocol: `get`, the server URL on stdin, JSON
// {ServerURL, Username, Secret} on stdout; Username "<token>" means Secret is an identity token.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerConfigDir } from '../docker/endpoint.ts';
import { CLIError } from '../errors.ts';

/** What the engine takes as X-Registry-Auth. */
export interface RegistryAuth {
  serveraddress: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: unknown;
  credHelpers?: Record<string, unknown>;
}

export const HELPER_TIMEOUT_MS = 15_000;
const HUB_KEY = 'https://index.docker.io/v1/';

/** The key the CLI stores a registry under: Docker Hub's legacy URL, otherwise host[:port]. */
export const serverKey = (domain: string) => (domain === 'docker.io' || domain === 'index.docker.io' ? HUB_KEY : domain);

/** `https://host:port/v1/` and `host:port` name the same registry (the CLI compares hostnames). */
const hostOf = (key: string) => key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');

export interface CredentialOptions {
  timeoutMs?: number;
}

/** Credentials for the registry `domain`, or undefined for an anonymous push. Throws one-line CLIErrors. */
export async function registryCredentials(env: NodeJS.ProcessEnv, domain: string, options: CredentialOptions = {}): Promise<RegistryAuth | undefined> {
  return (await findCredentials(env, domain, options)).auth;
}

/** The credentials and, for messages, where they came from (undefined source: none found). */
export async function findCredentials(
  env: NodeJS.ProcessEnv,
  domain: string,
  options: CredentialOptions = {},
): Promise<{ auth: RegistryAuth | undefined; source: string | undefined }> {
  const file = join(dockerConfigDir(env), 'config.json');
  if (!existsSync(file)) return { auth: undefined, source: undefined };
  const config = readConfig(file);
  const key = serverKey(domain);
  const helpers = config.credHelpers && typeof config.credHelpers === 'object' ? config.credHelpers : {};
  const perHost = helpers[key] ?? Object.entries(helpers).find(([k]) => hostOf(k) === hostOf(key))?.[1];
  const helper =
    typeof perHost === 'string' && perHost
      ? { name: perHost, from: `credHelpers["${key}"]` }
      : typeof config.credsStore === 'string' && config.credsStore
        ? { name: config.credsStore, from: 'credsStore' }
        : undefined;
  if (helper) {
    const auth = await fromHelper(helper.name, key, env, options.timeoutMs ?? HELPER_TIMEOUT_MS, `${helper.from} in ${file}`);
    return { auth, source: auth ? `docker-credential-${helper.name} (${helper.from})` : undefined };
  }
  const auth = fromAuths(config.auths ?? {}, key, file);
  return { auth, source: auth ? `auths["${key}"] in ${file}` : undefined };
}

function readConfig(file: string): DockerConfig {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as DockerConfig;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw new CLIError(`cannot read the docker config (${file}): ${(error as NodeJS.ErrnoException).code}`);
  }
  throw new CLIError(`cannot read the docker config (${file}): not a JSON object`);
}

/** Pure: the `auths` entry for the key (exact, or the same host under another spelling). */
export function fromAuths(auths: Record<string, AuthEntry>, key: string, file = 'config.json'): RegistryAuth | undefined {
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => hostOf(k) === hostOf(key))?.[1];
  if (!entry || typeof entry !== 'object') return undefined;
  const auth: RegistryAuth = { serveraddress: key };
  if (typeof entry.auth === 'string' && entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new CLIError(`${file}: the auth for ${key} is not base64 of user:password (log in again: docker login ${key})`);
    auth.username = decoded.slice(0, colon);
    auth.password = decoded.slice(colon + 1);
  } else if (typeof entry.username === 'string' && typeof entry.password === 'string') {
    auth.username = entry.username;
    auth.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken) auth.identitytoken = entry.identitytoken;
  return auth.username !== undefined || auth.identitytoken !== undefined ? auth : undefined;
}

/** Pure: a helper's `get` answer → credentials. */
export function parseHelperOutput(stdout: string, key: string): RegistryAuth | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as { Username?: unknown; Secret?: unknown };
  if (typeof record.Secret !== 'string' || record.Secret === '') return undefined;
  const username = typeof record.Username === 'string' ? record.Username : '';
  // The CLI stores identity tokens under this username.
  if (username === '<token>') return { serveraddress: key, identitytoken: record.Secret };
  return { serveraddress: key, username, password: record.Secret };
}

async function fromHelper(name: string, key: string, env: NodeJS.ProcessEnv, timeoutMs: number, from: string): Promise<RegistryAuth | undefined> {
  const program = `docker-credential-${name}`;
  const result = await runHelper(program, key, env, timeoutMs);
  if (result.error === 'ENOENT') throw new CLIError(`credential helper ${program} (${from}) is not on PATH: install it, or remove it from the docker config`);
  if (result.error === 'timeout') throw new CLIError(`credential helper ${program} did not answer within ${timeoutMs / 1000} s for ${key}`);
  if (result.error) throw new CLIError(`credential helper ${program} could not run: ${result.error}`);
  const said = (result.stdout.trim() || result.stderr.trim()).split('\n')[0] ?? '';
  // The protocol's answer for "nothing stored": push anonymously, as docker does.
  if (result.status !== 0 && /credentials not found/i.test(said)) return undefined;
  if (result.status !== 0) throw new CLIError(`credential helper ${program} failed for ${key} (exit ${result.status})${said ? `: ${said}` : ''}`);
  const auth = parseHelperOutput(result.stdout, key);
  if (!auth) throw new CLIError(`credential helper ${program} answered for ${key} without JSON {ServerURL, Username, Secret}`);
  return auth;
}

interface HelperRun {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

function runHelper(program: string, key: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<HelperRun> {
  return new Promise((resolve) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = 'timeout';
      child.kill('SIGKILL');
      // A grandchild may hold the pipes open: do not wait for them to close.
      child.stdout.destroy();
      child.stderr.destroy();
      finish(null);
    }, timeoutMs);
    // Secrets are small; a runaway helper is cut off rather than buffered without end.
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString('utf8')).slice(0, 1 << 20)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)));
    child.stdin.on('error', () => undefined);
    function finish(status: number | null) {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ...(error ? { error } : {}) });
    }
    // A program that cannot start reports only 'error'; one that ran, 'close'. Resolving twice is harmless.
    child.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
      finish(null);
    });
    child.on('close', finish);
    child.stdin.end(key);
  });
}
