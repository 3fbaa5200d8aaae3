// One resolved endpoint, two consumers: dockerode's connection options, and the environment of every
// `docker` / `docker compose` child. Both are spelled out in full so neither falls back on its own
// defaults (docker-modem reads process.env.DOCKER_HOST; the CLI reads the config's currentContext).
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { CLIError } from '../spec/errors.ts';
import type { EngineEndpoint, EngineTls } from './endpoint.ts';
import { checkHostKey, readKnownHosts } from './known-hosts.ts';

const ENGINE_ENV = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'] as const;

/** The child environment: exactly this endpoint, whatever the parent's env and config say. */
export function childEnvFor(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...env };
  for (const name of ENGINE_ENV) delete child[name];
  // A context goes by name: the CLI then reads the same store we did, SkipTLSVerify and all.
  if (endpoint.context) return { ...child, DOCKER_CONTEXT: endpoint.context };
  child.DOCKER_HOST = endpoint.host;
  if (endpoint.tls) {
    child.DOCKER_CERT_PATH = endpoint.tls.certDir;
    if (endpoint.tls.verify) child.DOCKER_TLS_VERIFY = '1';
    else child.DOCKER_TLS = '1';
  }
  return child;
}

/** Filled when the ssh host key was refused, so the error can say why (ssh2 only says "Host denied"). */
export interface SshNotes {
  refusal?: string;
}

/** dockerode's options for the endpoint. Every key is set, so docker-modem's env defaults cannot leak in. */
export function dockerodeOptions(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv, notes: SshNotes = {}): DockerOptions {
  const none = { socketPath: undefined, host: undefined, port: undefined, username: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined };
  if (endpoint.host.startsWith('unix://')) return { ...none, socketPath: endpoint.host.slice('unix://'.length) };
  const url = new URL(endpoint.host);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (endpoint.host.startsWith('ssh://')) {
    return {
      ...none,
      protocol: 'ssh',
      host: hostname,
      port: url.port || '22',
      username: decodeURIComponent(url.username) || undefined,
      sshOptions: { ...sshAuth(env), hostVerifier: verifyHostKey(env, hostname, Number(url.port || '22'), notes) },
    };
  }
  if (!endpoint.tls) return { ...none, protocol: 'http', host: hostname, port: url.port };
  const files = tlsFiles(endpoint.tls);
  const options: DockerOptions & { agent?: Agent } = { ...none, protocol: 'https', host: hostname, port: url.port, ...files };
  // docker-modem passes no rejectUnauthorized of its own; an agent carries it (agent options win).
  if (!endpoint.tls.verify) options.agent = new Agent({ ...files, rejectUnauthorized: false });
  return options;
}

function tlsFiles(tls: EngineTls): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (name: string) => {
    const file = join(tls.certDir, name);
    if (!existsSync(file)) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new CLIError(`cannot read the engine's TLS file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const ca = read('ca.pem');
  const cert = read('cert.pem');
  const key = read('key.pem');
  if (Boolean(cert) !== Boolean(key)) throw new CLIError(`${tls.certDir}: has ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}; the engine's client certificate needs both`);
  if (tls.verify && !ca) throw new CLIError(`${tls.certDir}: no ca.pem to verify the engine's certificate with (set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem)`);
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}

function verifyHostKey(env: NodeJS.ProcessEnv, host: string, port: number, notes: SshNotes): (key: Buffer) => boolean {
  return (key) => {
    const verdict = checkHostKey(readKnownHosts(env), host, port, key);
    if (!verdict.ok) notes.refusal = verdict.reason;
    return verdict.ok;
  };
}

/** What the ssh CLI would offer: the agent, else the usual unencrypted key files. */
function sshAuth(env: NodeJS.ProcessEnv): NonNullable<DockerOptions['sshOptions']> {
  const options: NonNullable<DockerOptions['sshOptions']> = { readyTimeout: 20_000 };
  if (env.SSH_AUTH_SOCK) options.agent = env.SSH_AUTH_SOCK;
  const dir = join(env.HOME || homedir(), '.ssh');
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    try {
      const key = readFileSync(file, 'utf8');
      // ssh2 cannot ask for a passphrase; an encrypted key is left to the agent.
      if (!/ENCRYPTED/.test(key) && !isEncryptedOpenSsh(key)) {
        options.privateKey = key;
        break;
      }
    } catch {}
  }
  return options;
}

/** An OpenSSH-format key names its cipher in the binary header; "none" means unencrypted. */
function isEncryptedOpenSsh(pem: string): boolean {
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(pem)?.[1];
  if (!body) return false;
  const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0'.length;
  const length = bytes.length >= magic + 4 ? bytes.readUInt32BE(magic) : 0;
  return bytes.subarray(magic + 4, magic + 4 + length).toString() !== 'none';
}
