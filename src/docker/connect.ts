// One resolved endpoint, two consumers: dockerode's connection options, and the environment of every
// `docker` / `docker compose` child. Both are spelled out in full so neither falls back on its own
// defaults (docker-modem reads process.env.DOCKER_HOST; the CLI reads the config's currentContext).
// ssh goes through the system's ssh for both (ssh-transport.ts), not docker-modem's ssh2.
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { CLIError } from '../errors.ts';
import type { EngineEndpoint, EngineTls } from './endpoint.ts';
import { sshAgent } from './ssh-transport.ts';

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

/** dockerode's options for the endpoint. Every key is set, so docker-modem's env defaults cannot leak in. */
export function dockerodeOptions(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): DockerOptions {
  const none = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    username: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
  };
  if (endpoint.host.startsWith('unix://')) return { ...none, socketPath: endpoint.host.slice('unix://'.length) };
  const url = new URL(endpoint.host);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  // The request's host is only a label: the agent's ssh decides where the bytes go.
  if (endpoint.host.startsWith('ssh://')) return { ...none, protocol: 'http', host: hostname, agent: sshAgent(endpoint.host, env) } as DockerOptions;
  if (!endpoint.tls) return { ...none, protocol: 'http', host: hostname, port: url.port };
  const files = tlsFiles(endpoint.tls, endpoint.context === undefined);
  const options: DockerOptions & { agent?: Agent } = { ...none, protocol: 'https', host: hostname, port: url.port, ...files };
  // docker-modem passes no rejectUnauthorized of its own; an agent carries it (agent options win).
  if (!endpoint.tls.verify) options.agent = new Agent({ ...files, rejectUnauthorized: false });
  return options;
}

/** `needCa`: DOCKER_TLS_VERIFY reads ca.pem or fails (the CLI does); a context without one trusts the system's CAs. */
function tlsFiles(tls: EngineTls, needCa: boolean): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
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
  if (Boolean(cert) !== Boolean(key))
    throw new CLIError(`${tls.certDir}: has ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}; the engine's client certificate needs both`);
  if (tls.verify && needCa && !ca)
    throw new CLIError(
      `${tls.certDir}: no ca.pem to verify the engine's certificate with (set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem)`,
    );
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}
