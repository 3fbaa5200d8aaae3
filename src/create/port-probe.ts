// The real PortProbe: a bind test on this machine, and the host ports other dockervm projects publish,
// asked of the docker CLI (create-dockervm carries no engine library). Their containers may be
// stopped, so the ports come from each container's configuration, not from what is listening now.
// No docker, no engine, or a slow one: no claims, silently; the bind test still runs.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { PortProbe } from './ports.ts';
import { LABEL } from '../constants.ts';

export function isFree(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function docker(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    // A timeout kills the child; a failure with no output (ENOENT, no engine, refused) is "no answer".
    // An inspect of a container removed since the ps fails but still prints the others.
    execFile('docker', args, { env, timeout: Math.max(timeoutMs, 1), encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 }, (error, stdout) =>
      resolve(error && !stdout ? undefined : stdout),
    );
  });
}

/** Pure: `docker inspect --format '<project>\t<PortBindings JSON>'` lines → port → project. */
export function parseClaims(text: string, own: string | undefined): Map<number, string> {
  const claims = new Map<number, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const project = line.slice(0, tab);
    if (project === own) continue;
    let bindings: Record<string, { HostPort?: string }[] | null> | null;
    try {
      bindings = JSON.parse(line.slice(tab + 1)) as typeof bindings;
    } catch {
      continue;
    }
    for (const list of Object.values(bindings ?? {})) {
      for (const b of list ?? []) {
        const port = Number(b.HostPort);
        if (Number.isInteger(port) && port > 0) claims.set(port, project);
      }
    }
  }
  return claims;
}

/** At most `timeoutMs` for both docker calls together. `own`: the project being made (a re-scaffold). */
export async function engineClaims(env: NodeJS.ProcessEnv, own: string | undefined, timeoutMs = 3000): Promise<Map<number, string>> {
  const deadline = Date.now() + timeoutMs;
  const ids = await docker(['ps', '--all', '--quiet', '--filter', `label=${LABEL.project}`], env, timeoutMs);
  const list =
    ids
      ?.split('\n')
      .map((id) => id.trim())
      .filter(Boolean) ?? [];
  if (list.length === 0) return new Map();
  const format = `{{index .Config.Labels "${LABEL.project}"}}\t{{json .HostConfig.PortBindings}}`;
  const inspected = await docker(['inspect', '--format', format, ...list], env, deadline - Date.now());
  return inspected === undefined ? new Map() : parseClaims(inspected, own);
}

const PORT_LINE = /^(DOCKERVM_[A-Z0-9_]*PORT[A-Z0-9_]*)=(\d{1,5})\s*$/gm;

/**
 * Ports in the .env files of the projects next to the new one (~/vms/a, ~/vms/b …): a VM made but
 * never started has no container yet, and would otherwise be given the same ports. Bounded.
 */
export function siblingClaims(target: string): Map<number, string> {
  const claims = new Map<number, string>();
  let entries: string[];
  try {
    entries = readdirSync(dirname(target)).slice(0, 500);
  } catch {
    return claims;
  }
  for (const entry of entries) {
    if (entry === basename(target)) continue;
    let text: string;
    try {
      text = readFileSync(join(dirname(target), entry, '.env'), 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(PORT_LINE)) claims.set(Number(match[2]), entry);
  }
  return claims;
}

export function realPortProbe(env: NodeJS.ProcessEnv, own: string | undefined, target: string): PortProbe {
  let claims: Promise<Map<number, string>> | undefined;
  return {
    isFree,
    // Started once, on first use; main.ts starts it early so it runs while the base image is pinned.
    claimed: () => (claims ??= engineClaims(env, own).then((engine) => new Map([...siblingClaims(target), ...engine]))),
  };
}
