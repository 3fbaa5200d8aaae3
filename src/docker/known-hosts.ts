// The ssh engine's host key, checked against known_hosts the way ssh checks it. ssh2 accepts any key
// unless told otherwise, and the engine behind an ssh endpoint is root on that host: a key we have
// not seen before is refused (connect once with `ssh` to check and accept it), as the docker CLI's
// own ssh would refuse it without a terminal to ask on.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface KnownHostsVerdict {
  ok: boolean;
  /** Why not, in one line. */
  reason?: string;
}

/** The files ssh reads by default, user's first. */
export function knownHostsFiles(env: NodeJS.ProcessEnv): string[] {
  const ssh = join(env.HOME || homedir(), '.ssh');
  return [join(ssh, 'known_hosts'), join(ssh, 'known_hosts2'), '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export const hostPattern = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Does the hostnames field (comma list, hashed `|1|salt|hash`, wildcards, `!` negation) name `name`? */
export function hostsFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt = '', hash = ''] = field.split('|');
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) matched = true;
  }
  return matched;
}

/** Pure: checks `key` (the server's public key blob) for host:port against known_hosts texts. */
export function checkHostKey(texts: readonly string[], host: string, port: number, key: Buffer): KnownHostsVerdict {
  const name = hostPattern(host, port);
  const offered = key.toString('base64');
  let known = 0;
  let matched = false;
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
      const [hosts = '', , blob = ''] = fields;
      if (!hostsFieldMatches(hosts, name)) continue;
      if (marker === '@revoked') {
        if (blob === offered) return { ok: false, reason: `the ssh host key of ${name} is marked @revoked in known_hosts` };
        continue;
      }
      // Host certificates are not checked here; such an entry neither admits nor refuses a key.
      if (marker === '@cert-authority') continue;
      known++;
      if (blob === offered) matched = true;
    }
  }
  if (matched) return { ok: true };
  if (known > 0) return { ok: false, reason: `the ssh host key of ${name} does not match known_hosts (the host was reinstalled, or someone is in between): check it, then fix known_hosts` };
  return { ok: false, reason: `the ssh host key of ${name} is not in known_hosts: connect once with \`ssh${port === 22 ? '' : ` -p ${port}`} ${host}\` to check and accept it` };
}

/** Reads the known_hosts files that exist. */
export function readKnownHosts(env: NodeJS.ProcessEnv): string[] {
  const texts: string[] = [];
  for (const file of knownHostsFiles(env)) {
    try {
      texts.push(readFileSync(file, 'utf8'));
    } catch {}
  }
  return texts;
}
