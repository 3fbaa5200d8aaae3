// The ssh engine's host key against known_hosts: plain and [host]:port entries, wildcards and
// negation, @revoked, and hashed entries as `ssh-keygen -H` writes them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHostKey, hostsFieldMatches } from '../../src/docker/known-hosts.ts';

const root = mkdtempSync(join(tmpdir(), 'dvm-known-hosts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Two real public keys (the blob is what the server offers during the handshake).
const haveKeygen = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8', timeout: 10_000 }).error === undefined;
function publicKey(name: string): { line: string; blob: Buffer } {
  if (!haveKeygen) {
    const blob = Buffer.from(`fake key ${name}`);
    return { line: `ssh-ed25519 ${blob.toString('base64')}`, blob };
  }
  const file = join(root, name);
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { encoding: 'utf8', timeout: 20_000 });
  if (made.status !== 0) throw new Error(made.stderr);
  const [type = '', b64 = ''] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { line: `${type} ${b64}`, blob: Buffer.from(b64, 'base64') };
}
const engineKey = publicKey('engine');
const otherKey = publicKey('other');

describe('checkHostKey', () => {
  it.each([
    ['a plain entry on port 22', `build-box ${engineKey.line}`, 'build-box', 22, true],
    ['a [host]:port entry', `[127.0.0.1]:2222 ${engineKey.line}`, '127.0.0.1', 2222, true],
    ['port 22 written without brackets only', `[build-box]:2222 ${engineKey.line}`, 'build-box', 22, false],
    ['one of several names', `alias,build-box,10.0.0.5 ${engineKey.line}`, 'build-box', 22, true],
    ['a wildcard', `*.lab.internal ${engineKey.line}`, 'vm1.lab.internal', 22, true],
    ['a negated name', `*.lab.internal,!vm1.lab.internal ${engineKey.line}`, 'vm1.lab.internal', 22, false],
    ['comments and blank lines', `# mine\n\nbuild-box ${engineKey.line} root@box`, 'build-box', 22, true],
  ])('%s', (_what, text, host, port, ok) => {
    expect(checkHostKey([text], host, port, engineKey.blob).ok).toBe(ok);
  });

  it('an unknown host: refused, and says how to accept the key', () => {
    expect(checkHostKey([`elsewhere ${engineKey.line}`], '127.0.0.1', 2222, engineKey.blob)).toEqual({
      ok: false,
      reason: 'the ssh host key of [127.0.0.1]:2222 is not in known_hosts: connect once with `ssh -p 2222 127.0.0.1` to check and accept it',
    });
  });

  it('a known host with another key: refused as a mismatch', () => {
    expect(checkHostKey([`build-box ${otherKey.line}`], 'build-box', 22, engineKey.blob).reason).toMatch(/does not match known_hosts/);
  });

  it('a second line with the right key is enough (a host has several key types)', () => {
    expect(checkHostKey([`build-box ${otherKey.line}`, `build-box ${engineKey.line}`], 'build-box', 22, engineKey.blob).ok).toBe(true);
  });

  it('@revoked wins over a matching line', () => {
    const text = `build-box ${engineKey.line}\n@revoked build-box ${engineKey.line}`;
    expect(checkHostKey([text], 'build-box', 22, engineKey.blob).reason).toMatch(/@revoked/);
  });

  it('@cert-authority lines neither admit nor refuse', () => {
    expect(checkHostKey([`@cert-authority build-box ${engineKey.line}`], 'build-box', 22, engineKey.blob).reason).toMatch(/is not in known_hosts/);
  });

  it.skipIf(!haveKeygen)('hashed entries, as ssh-keygen -H writes them', () => {
    const file = join(root, 'known_hosts');
    writeFileSync(file, `[127.0.0.1]:2222 ${engineKey.line}\nbuild-box ${otherKey.line}\n`);
    const hashed = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8', timeout: 20_000 });
    expect(hashed.status, hashed.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('127.0.0.1');
    expect(checkHostKey([text], '127.0.0.1', 2222, engineKey.blob).ok).toBe(true);
    expect(checkHostKey([text], '127.0.0.1', 22, engineKey.blob).ok).toBe(false);
    expect(checkHostKey([text], 'build-box', 22, engineKey.blob).reason).toMatch(/does not match/);
  });
});

describe('hostsFieldMatches', () => {
  it('is case-insensitive and anchored', () => {
    expect(hostsFieldMatches('Build-Box', 'build-box')).toBe(true);
    expect(hostsFieldMatches('build', 'build-box')).toBe(false);
    expect(hostsFieldMatches('build-bo?', 'build-box')).toBe(true);
  });
});
