// Each seat's password: random, made here, kept in the project's git-ignored secrets/ directory
// (secrets/fleet/seat-NN, mode 600) and handed to the swarm as that seat's secret. A swarm secret
// cannot be read back, so this file is where `fleet status` and `fleet passwords` find it.
import { randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// No look-alikes (0/O, 1/l/I): read aloud to a class or typed from a sheet.
const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
// VNC authentication uses the first 8 characters only: longer would promise more than it gives.
const LENGTH = 8;

export const passwordDir = (projectDir: string) => join(projectDir, 'secrets', 'fleet');
export const passwordFile = (projectDir: string, seat: string) => join(passwordDir(projectDir), seat);

export function newPassword(): string {
  return Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** The seat's password, made and written (mode 600) the first time. */
export function ensurePassword(projectDir: string, seat: string): string {
  const file = passwordFile(projectDir, seat);
  const known = readPassword(projectDir, seat);
  if (known) return known;
  mkdirSync(passwordDir(projectDir), { recursive: true, mode: 0o700 });
  const password = newPassword();
  writeFileSync(file, password, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

export function readPassword(projectDir: string, seat: string): string | undefined {
  const file = passwordFile(projectDir, seat);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}
