// Registry credentials from the docker config: auths entries, and real docker-credential-<name>
// programs (shell scripts written here, found on the PATH given to the lookup).
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromAuths, parseHelperOutput, registryCredentials, serverKey } from '../../src/registry/credentials.ts';
import { CLIError } from '../../src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'dvm-creds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = join(root, 'bin');
mkdirSync(bin);
const seen = join(root, 'seen');

/** A helper that records its argument and stdin, then runs `body`. */
function helper(name: string, body: string): void {
  const file = join(bin, `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\nread -r url || true\necho "$1 $url" > '${seen}-${name}'\n${body}\n`);
  chmodSync(file, 0o755);
}
helper('good', `printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret"}' "$url"`);
helper('other', `printf '{"ServerURL":"%s","Username":"bob","Secret":"pw"}' "$url"`);
helper('token', `printf '{"ServerURL":"%s","Username":"<token>","Secret":"tok-123"}' "$url"`);
helper('empty', 'echo "credentials not found in native keychain"; exit 1');
helper('broken', 'echo "keychain is locked" >&2; exit 3');
helper('garbled', 'echo "not json"');
helper('slow', 'exec sleep 30');

let configs = 0;
function env(config: object): NodeJS.ProcessEnv {
  const dir = join(root, `config-${configs++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin:/bin` };
}
const b64 = (s: string) => Buffer.from(s).toString('base64');
const HOST = '127.0.0.1:5999';

describe('registryCredentials', () => {
  it('no docker config: anonymous', async () => {
    expect(await registryCredentials({ DOCKER_CONFIG: join(root, 'none') }, HOST)).toBeUndefined();
  });

  it('credHelpers for the host: the helper gets `get` and the server on stdin', async () => {
    const auth = await registryCredentials(env({ credHelpers: { [HOST]: 'good' }, credsStore: 'other', auths: { [HOST]: { auth: b64('x:y') } } }), HOST);
    expect(auth).toEqual({ serveraddress: HOST, username: 'alice', password: 's3cret' });
    expect(readFileSync(`${seen}-good`, 'utf8')).toBe(`get ${HOST}\n`);
  });

  it('credsStore for every other host, before auths', async () => {
    expect(
      await registryCredentials(env({ credHelpers: { 'elsewhere:1': 'good' }, credsStore: 'other', auths: { [HOST]: { auth: b64('x:y') } } }), HOST),
    ).toEqual({ serveraddress: HOST, username: 'bob', password: 'pw' });
  });

  it('Docker Hub under its legacy key', async () => {
    expect(serverKey('docker.io')).toBe('https://index.docker.io/v1/');
    await registryCredentials(env({ credsStore: 'good' }), 'docker.io');
    expect(readFileSync(`${seen}-good`, 'utf8')).toBe('get https://index.docker.io/v1/\n');
  });

  it('a <token> username: an identity token', async () => {
    expect(await registryCredentials(env({ credsStore: 'token' }), HOST)).toEqual({ serveraddress: HOST, identitytoken: 'tok-123' });
  });

  it('"credentials not found": anonymous, as docker does', async () => {
    expect(await registryCredentials(env({ credsStore: 'empty' }), HOST)).toBeUndefined();
  });

  const failures: Array<[string, object, RegExp, number?]> = [
    [
      'a failing helper',
      { credHelpers: { [HOST]: 'broken' } },
      /^credential helper docker-credential-broken failed for 127\.0\.0\.1:5999 \(exit 3\): keychain is locked$/,
    ],
    [
      'a helper that is not installed',
      { credsStore: 'missing' },
      /^credential helper docker-credential-missing \(credsStore in .*config\.json\) is not on PATH/,
    ],
    ['a helper that answers nonsense', { credsStore: 'garbled' }, /^credential helper docker-credential-garbled answered for 127\.0\.0\.1:5999 without JSON/],
    ['a helper that hangs', { credsStore: 'slow' }, /^credential helper docker-credential-slow did not answer within 0\.5 s/, 500],
  ];
  it.each(failures)('%s: one line naming it', async (_what, config, message, timeoutMs) => {
    const error = await registryCredentials(env(config), HOST, timeoutMs ? { timeoutMs } : {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CLIError);
    expect((error as Error).message).toMatch(message);
  });

  it('a config.json that is not JSON: one line', async () => {
    const dir = join(root, 'bad-json');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), '{');
    await expect(registryCredentials({ DOCKER_CONFIG: dir }, HOST)).rejects.toThrow(/^cannot read the docker config \(.*\): not a JSON object$/);
  });
});

describe('auths entries', () => {
  it.each([
    [
      'auth: base64 user:password (a colon in the password survives)',
      { [HOST]: { auth: b64('carol:pa:ss') } },
      { serveraddress: HOST, username: 'carol', password: 'pa:ss' },
    ],
    ['identitytoken', { [HOST]: { auth: '', identitytoken: 'idt' } }, { serveraddress: HOST, identitytoken: 'idt' }],
    ['the same host spelled as a URL', { [`https://${HOST}/v2/`]: { auth: b64('dan:pw') } }, { serveraddress: HOST, username: 'dan', password: 'pw' }],
    ['another host only', { 'other:5000': { auth: b64('e:f') } }, undefined],
    ['an empty entry', { [HOST]: {} }, undefined],
  ])('%s', (_what, auths, expected) => {
    expect(fromAuths(auths, HOST)).toEqual(expected);
  });

  it('an auth that is not user:password: one line', () => {
    expect(() => fromAuths({ [HOST]: { auth: b64('nocolon') } }, HOST)).toThrow(/is not base64 of user:password/);
  });
});

describe('helper output', () => {
  it.each([
    ['{"ServerURL":"h","Username":"u","Secret":"s"}', { serveraddress: 'h', username: 'u', password: 's' }],
    ['{"ServerURL":"h","Username":"<token>","Secret":"t"}', { serveraddress: 'h', identitytoken: 't' }],
    ['{"ServerURL":"h","Username":"u"}', undefined],
    ['nope', undefined],
  ])('%s', (stdout, expected) => {
    expect(parseHelperOutput(stdout, 'h')).toEqual(expected);
  });
});
