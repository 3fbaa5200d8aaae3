// Validators shared by flags and prompts. Each returns an error message, or undefined when the value is
// fine, so @inquirer/prompts can show the same text the flag path throws.
import type { Family } from './types.ts';

/** A compose project name and a Docker image repository name at once: lowercase, digits, `-`, `_`. */
const PROJECT_NAME = /^[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+)*$/;

export function checkProjectName(name: string): string | undefined {
  if (name.length === 0) return 'the project name is empty';
  if (name.length > 63) return `project name "${name}" is longer than 63 characters (it is also the hostname)`;
  if (!PROJECT_NAME.test(name)) {
    return `project name "${name}" must be lowercase letters and digits, separated by single "-" or "_" (it becomes the compose project and image name)`;
  }
  return undefined;
}

/** Best project name derived from a directory's base name ("My VM" → "my-vm"), or undefined. */
export function projectNameFromDirectory(base: string): string | undefined {
  const candidate = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/[-_]*([_-])[-_]*/g, '$1')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 63)
    .replace(/[-_]+$/, '');
  return checkProjectName(candidate) === undefined ? candidate : undefined;
}

const RESERVED_USERS = new Set([
  'root',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'www-data',
  'backup',
  'list',
  'irc',
  'gnats',
  'nobody',
  'sshd',
  'messagebus',
  'adm',
  'operator',
  'halt',
  'shutdown',
  'ftp',
  'postfix',
  'guest',
  'nogroup',
  'users',
  'sudo',
  'wheel',
  'staff',
]);

export function checkUserName(name: string): string | undefined {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(name)) {
    return `user name "${name}" must start with a lowercase letter or "_" and have at most 32 lowercase letters, digits, "-" or "_"`;
  }
  if (RESERVED_USERS.has(name) || name.startsWith('_') || name.startsWith('systemd-')) {
    return `user name "${name}" is reserved for the system; choose another (e.g. "dev")`;
  }
  return undefined;
}

export function checkId(kind: 'UID' | 'GID', value: string): string | undefined {
  if (!/^\d+$/.test(value)) return `${kind} "${value}" is not a whole number`;
  const id = Number(value);
  if (id === 0) return `${kind} 0 is root: the login user must not be root`;
  if (id > 2_147_483_647) return `${kind} ${value} is too large`;
  return undefined;
}

// Package names per family: names only, optionally pinned to a version. Nothing that a shell would
// interpret can pass, which is why the names may be written into a RUN line unquoted.
const PACKAGE_NAME: Record<Exclude<Family, 'busybox'>, RegExp> = {
  debian: /^[a-z0-9][a-z0-9+.-]+(?:=[A-Za-z0-9.+~:-]+)?$/,
  fedora: /^[A-Za-z0-9][A-Za-z0-9._+-]*(?:-[A-Za-z0-9.+~^_]+)?$/,
  alpine: /^[a-z0-9][a-z0-9._+-]*(?:[=~][A-Za-z0-9._+-]+)?$/,
};

export function checkPackageName(family: Family, name: string): string | undefined {
  if (family === 'busybox') return `busybox has no package manager: cannot install "${name}"`;
  if (!PACKAGE_NAME[family].test(name)) {
    return `"${name}" is not a valid ${family} package name (letters, digits, "+", "-", "." only; nothing a shell would interpret)`;
  }
  return undefined;
}

export interface PortMapping {
  host: number;
  container: number;
}

function parsePortNumber(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** `8080` (same port inside and out) or `8080:80` (host:container). */
export function parsePort(text: string): PortMapping | string {
  const parts = text.trim().split(':');
  if (parts.length > 2) {
    return `port "${text}": use PORT or HOST:CONTAINER (ports go on 127.0.0.1, or on every interface with --bind-all)`;
  }
  const numbers = parts.map(parsePortNumber);
  const [host, container = host] = numbers;
  // Every part, not only the two after the default: `8080:x` must not fall back to 8080 inside.
  if (numbers.includes(undefined) || host === undefined || container === undefined) return `port "${text}": ports are whole numbers from 1 to 65535`;
  return { host, container };
}
