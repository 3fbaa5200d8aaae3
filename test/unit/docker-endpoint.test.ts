// Engine selection, the docker CLI's way: a table over environments and docker config dirs holding
// real context stores (written here in the store's format, and once by `docker context create`).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnvFor, dockerodeOptions } from '../../src/docker/connect.ts';
import { resolveEndpoint, type EngineEndpoint } from '../../src/docker/endpoint.ts';
import { sshArgs } from '../../src/docker/ssh-transport.ts';
import { CLIError } from '../../src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'dvm-endpoint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

const sha = (name: string) => createHash('sha256').update(name).digest('hex');

interface StoreContext {
  host?: string;
  skipTlsVerify?: boolean;
  tls?: string[];
  meta?: string;
}

/** A docker config dir: config.json (when given) and a context store. */
function configDir(config: object | string | undefined, contexts: Record<string, StoreContext> = {}): string {
  const dir = join(root, `config-${dirs++}`);
  mkdirSync(dir, { recursive: true });
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  for (const [name, c] of Object.entries(contexts)) {
    const meta = join(dir, 'contexts', 'meta', sha(name));
    mkdirSync(meta, { recursive: true });
    const endpoints = c.host === undefined ? {} : { docker: { Host: c.host, SkipTLSVerify: c.skipTlsVerify ?? false } };
    writeFileSync(join(meta, 'meta.json'), c.meta ?? JSON.stringify({ Name: name, Metadata: {}, Endpoints: endpoints }));
    if (c.tls) {
      const tls = join(dir, 'contexts', 'tls', sha(name), 'docker');
      mkdirSync(tls, { recursive: true });
      for (const file of c.tls) writeFileSync(join(tls, file), `${file} of ${name}`);
    }
  }
  return dir;
}

const remote = configDir({ currentContext: 'remote' }, { remote: { host: 'tcp://10.0.0.5:2375' }, other: { host: 'unix:///run/other.sock' } });
const tlsStore = configDir(undefined, {
  secure: { host: 'tcp://127.0.0.1:2376', tls: ['ca.pem', 'cert.pem', 'key.pem'] },
  loose: { host: 'tcp://127.0.0.1:2376', skipTlsVerify: true, tls: ['cert.pem', 'key.pem'] },
});
const home = join(root, 'home');
const empty = configDir(undefined);

const cases: Array<[string, NodeJS.ProcessEnv, Omit<EngineEndpoint, 'source'> & { source: EngineEndpoint['source'] }]> = [
  ['nothing set: the system socket', { DOCKER_CONFIG: empty }, { host: 'unix:///var/run/docker.sock', source: 'default' }],
  ['no docker config dir at all', { HOME: home }, { host: 'unix:///var/run/docker.sock', source: 'default' }],
  ['DOCKER_HOST tcp', { DOCKER_HOST: 'tcp://127.0.0.1:2375' }, { host: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST' }],
  ['DOCKER_HOST tcp without a port', { DOCKER_HOST: 'tcp://engine.internal' }, { host: 'tcp://engine.internal:2375', source: 'DOCKER_HOST' }],
  ['DOCKER_HOST host:port without a scheme is tcp', { DOCKER_HOST: '127.0.0.1:2375' }, { host: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST' }],
  ['DOCKER_HOST unix socket anywhere', { DOCKER_HOST: 'unix:///tmp/dvm/docker.sock' }, { host: 'unix:///tmp/dvm/docker.sock', source: 'DOCKER_HOST' }],
  ['DOCKER_HOST ssh with user and port', { DOCKER_HOST: 'ssh://me@build-box:2222' }, { host: 'ssh://me@build-box:2222', source: 'DOCKER_HOST' }],
  [
    'DOCKER_TLS_VERIFY: TLS, verified, certs from DOCKER_CERT_PATH',
    { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
    { host: 'tcp://127.0.0.1:2376', source: 'DOCKER_HOST', tls: { verify: true, certDir: '/certs' } },
  ],
  [
    'DOCKER_TLS_VERIFY=0 is still on (the CLI checks for non-empty)',
    { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '0', DOCKER_CERT_PATH: '/certs' },
    { host: 'tcp://127.0.0.1:2376', source: 'DOCKER_HOST', tls: { verify: true, certDir: '/certs' } },
  ],
  [
    'DOCKER_TLS: TLS without verification, certs from the config dir',
    { DOCKER_HOST: 'tcp://h', DOCKER_TLS: '1', DOCKER_CONFIG: empty },
    { host: 'tcp://h:2376', source: 'DOCKER_HOST', tls: { verify: false, certDir: empty } },
  ],
  [
    'DOCKER_HOST wins over DOCKER_CONTEXT and currentContext',
    { DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_CONTEXT: 'other', DOCKER_CONFIG: remote },
    { host: 'tcp://127.0.0.1:1', source: 'DOCKER_HOST' },
  ],
  ['currentContext from config.json', { DOCKER_CONFIG: remote }, { host: 'tcp://10.0.0.5:2375', source: 'config', context: 'remote' }],
  [
    'DOCKER_CONTEXT wins over currentContext',
    { DOCKER_CONFIG: remote, DOCKER_CONTEXT: 'other' },
    { host: 'unix:///run/other.sock', source: 'DOCKER_CONTEXT', context: 'other' },
  ],
  [
    'DOCKER_CONTEXT=default: the system socket, whatever the config says',
    { DOCKER_CONFIG: remote, DOCKER_CONTEXT: 'default' },
    { host: 'unix:///var/run/docker.sock', source: 'default' },
  ],
  ['currentContext default', { DOCKER_CONFIG: configDir({ currentContext: 'default' }) }, { host: 'unix:///var/run/docker.sock', source: 'default' }],
  ['config.json without currentContext', { DOCKER_CONFIG: configDir({ auths: {} }) }, { host: 'unix:///var/run/docker.sock', source: 'default' }],
  [
    'a context with TLS files: verified',
    { DOCKER_CONFIG: tlsStore, DOCKER_CONTEXT: 'secure' },
    {
      host: 'tcp://127.0.0.1:2376',
      source: 'DOCKER_CONTEXT',
      context: 'secure',
      tls: { verify: true, certDir: join(tlsStore, 'contexts', 'tls', sha('secure'), 'docker') },
    },
  ],
  [
    'a context with SkipTLSVerify',
    { DOCKER_CONFIG: tlsStore, DOCKER_CONTEXT: 'loose' },
    {
      host: 'tcp://127.0.0.1:2376',
      source: 'DOCKER_CONTEXT',
      context: 'loose',
      tls: { verify: false, certDir: join(tlsStore, 'contexts', 'tls', sha('loose'), 'docker') },
    },
  ],
  ['DOCKER_CONFIG falls back to ~/.docker', { HOME: join(remote, '..'), DOCKER_CONFIG: '' }, { host: 'unix:///var/run/docker.sock', source: 'default' }],
];

describe('resolveEndpoint', () => {
  it.each(cases)('%s', (_what, env, expected) => {
    expect(resolveEndpoint(env, home)).toEqual(expected);
  });

  const failures: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    [
      'a DOCKER_CONTEXT that does not exist',
      { DOCKER_CONFIG: remote, DOCKER_CONTEXT: 'nope' },
      /^docker context "nope" \(from DOCKER_CONTEXT\) does not exist: `docker context ls`/,
    ],
    [
      'a currentContext that does not exist',
      { DOCKER_CONFIG: configDir({ currentContext: 'gone' }) },
      /^docker context "gone" \(from currentContext in .*config\.json\) does not exist/,
    ],
    ['a config.json that is not JSON', { DOCKER_CONFIG: configDir('{ nope') }, /^cannot read the docker config \(.*config\.json\): not a JSON object$/],
    [
      'a meta.json that is not JSON',
      { DOCKER_CONFIG: configDir(undefined, { broken: { meta: '[1,' } }), DOCKER_CONTEXT: 'broken' },
      /^cannot read docker context "broken" \(.*meta\.json\): not a JSON object$/,
    ],
    [
      'a context without a docker endpoint',
      { DOCKER_CONFIG: configDir(undefined, { k8s: {} }), DOCKER_CONTEXT: 'k8s' },
      /^docker context "k8s" has no docker endpoint/,
    ],
    [
      'npipe on Linux',
      { DOCKER_HOST: 'npipe:////./pipe/docker_engine' },
      /^DOCKER_HOST="npipe:\/\/\/\/\.\/pipe\/docker_engine": npipe:\/\/ is not supported here \(expected unix:\/\/\/PATH/,
    ],
    [
      'http:// is not an engine address',
      { DOCKER_HOST: 'http://127.0.0.1:2375' },
      /^DOCKER_HOST="http:\/\/127\.0\.0\.1:2375": http:\/\/ is not supported here/,
    ],
    ['a relative unix socket', { DOCKER_HOST: 'unix://run/docker.sock' }, /the socket path must be absolute/],
    [
      'a context with a bad host',
      { DOCKER_CONFIG: configDir(undefined, { odd: { host: 'fd://' } }), DOCKER_CONTEXT: 'odd' },
      /^docker context "odd"="fd:\/\/": fd:\/\/ is not supported here/,
    ],
  ];
  it.each(failures)('%s: one clear line', (_what, env, message) => {
    let error: unknown;
    try {
      resolveEndpoint(env, home);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CLIError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('the docker CLI writes the store this reads', () => {
  // `docker --version` answers without an engine; `openssl version` is openssl's spelling.
  const have = (command: string, flag: string) => spawnSync(command, [flag], { encoding: 'utf8', timeout: 10_000 }).status === 0;
  it.skipIf(!have('docker', '--version') || !have('openssl', 'version'))('docker context create → the same host and TLS', () => {
    const dir = configDir(undefined);
    const certs = join(root, 'cli-certs');
    mkdirSync(certs, { recursive: true });
    // The CLI checks the PEM files: a real (self-signed) certificate, its own CA.
    const openssl = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=dvm-test',
        '-days',
        '1',
        '-keyout',
        join(certs, 'key.pem'),
        '-out',
        join(certs, 'cert.pem'),
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(openssl.status, openssl.stderr).toBe(0);
    writeFileSync(join(certs, 'ca.pem'), readFileSync(join(certs, 'cert.pem')));
    const env = { ...process.env, DOCKER_CONFIG: dir, DOCKER_HOST: '', DOCKER_CONTEXT: '' };
    const create = (args: string[]) => {
      const r = spawnSync('docker', ['context', 'create', ...args], { env, encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(0);
    };
    create(['plain', '--docker', 'host=tcp://127.0.0.1:23750']);
    create(['secure', '--docker', `host=tcp://127.0.0.1:23760,ca=${join(certs, 'ca.pem')},cert=${join(certs, 'cert.pem')},key=${join(certs, 'key.pem')}`]);
    create(['loose', '--docker', `host=tcp://127.0.0.1:23760,cert=${join(certs, 'cert.pem')},key=${join(certs, 'key.pem')},skip-tls-verify=true`]);
    expect(spawnSync('docker', ['context', 'use', 'plain'], { env, timeout: 20_000 }).status).toBe(0);
    const clean = { DOCKER_CONFIG: dir };
    expect(resolveEndpoint(clean, home)).toEqual({ host: 'tcp://127.0.0.1:23750', source: 'config', context: 'plain' });
    expect(resolveEndpoint({ ...clean, DOCKER_CONTEXT: 'secure' }, home)).toMatchObject({ context: 'secure', tls: { verify: true } });
    expect(resolveEndpoint({ ...clean, DOCKER_CONTEXT: 'loose' }, home)).toMatchObject({ context: 'loose', tls: { verify: false } });
  });
});

describe('one endpoint for dockerode and the CLI children', () => {
  const parent = {
    PATH: '/bin',
    DOCKER_HOST: 'tcp://stale:1',
    DOCKER_CONTEXT: 'stale',
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: '/stale',
    DOCKER_CONFIG: '/cfg',
  };

  it("a context goes to the children by name, nothing else of the parent's engine settings", () => {
    expect(childEnvFor({ host: 'tcp://127.0.0.1:2376', source: 'config', context: 'remote', tls: { verify: true, certDir: '/x' } }, parent)).toEqual({
      PATH: '/bin',
      DOCKER_CONFIG: '/cfg',
      DOCKER_CONTEXT: 'remote',
    });
  });
  it('an address goes as DOCKER_HOST with exactly its TLS settings', () => {
    expect(childEnvFor({ host: 'unix:///var/run/docker.sock', source: 'default' }, parent)).toEqual({
      PATH: '/bin',
      DOCKER_CONFIG: '/cfg',
      DOCKER_HOST: 'unix:///var/run/docker.sock',
    });
    expect(childEnvFor({ host: 'tcp://h:2376', source: 'DOCKER_HOST', tls: { verify: true, certDir: '/c' } }, parent)).toEqual({
      PATH: '/bin',
      DOCKER_CONFIG: '/cfg',
      DOCKER_HOST: 'tcp://h:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/c',
    });
    expect(childEnvFor({ host: 'tcp://h:2376', source: 'DOCKER_HOST', tls: { verify: false, certDir: '/c' } }, parent)).toEqual({
      PATH: '/bin',
      DOCKER_CONFIG: '/cfg',
      DOCKER_HOST: 'tcp://h:2376',
      DOCKER_TLS: '1',
      DOCKER_CERT_PATH: '/c',
    });
  });

  it("dockerode options name every connection key, so docker-modem's env defaults cannot leak in", () => {
    expect(dockerodeOptions({ host: 'unix:///tmp/d.sock', source: 'DOCKER_HOST' }, {})).toMatchObject({
      socketPath: '/tmp/d.sock',
      host: undefined,
      protocol: undefined,
    });
    expect(dockerodeOptions({ host: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST' }, {})).toMatchObject({
      protocol: 'http',
      host: '127.0.0.1',
      port: '2375',
      socketPath: undefined,
    });
    // ssh goes through an agent whose connections are `ssh` processes, as the docker CLI's are.
    const ssh = dockerodeOptions({ host: 'ssh://me@build-box:2222', source: 'DOCKER_HOST' }, {}) as Record<string, unknown>;
    expect(ssh).toMatchObject({ protocol: 'http', host: 'build-box', socketPath: undefined });
    expect(ssh.agent).toBeInstanceOf(Agent);
  });
  it("ssh: the docker CLI's arguments", () => {
    expect(sshArgs('ssh://me@build-box:2222')).toEqual([
      '-o',
      'ConnectTimeout=30',
      '-T',
      '-l',
      'me',
      '-p',
      '2222',
      '--',
      'build-box',
      'docker',
      'system',
      'dial-stdio',
    ]);
    expect(sshArgs('ssh://build-box')).toEqual(['-o', 'ConnectTimeout=30', '-T', '--', 'build-box', 'docker', 'system', 'dial-stdio']);
  });
  it('TLS: verified with the CA, or through an agent that does not verify', () => {
    const certDir = join(tlsStore, 'contexts', 'tls', sha('secure'), 'docker');
    const verified = dockerodeOptions({ host: 'tcp://127.0.0.1:2376', source: 'config', context: 'secure', tls: { verify: true, certDir } }, {}) as Record<
      string,
      unknown
    >;
    expect(verified).toMatchObject({ protocol: 'https', host: '127.0.0.1', port: '2376' });
    expect(String(verified.ca)).toBe('ca.pem of secure');
    expect(verified.agent).toBeUndefined();
    const looseDir = join(tlsStore, 'contexts', 'tls', sha('loose'), 'docker');
    const loose = dockerodeOptions({ host: 'tcp://127.0.0.1:2376', source: 'config', context: 'loose', tls: { verify: false, certDir: looseDir } }, {}) as {
      agent?: { options: { rejectUnauthorized?: boolean } };
    };
    expect(loose.agent?.options.rejectUnauthorized).toBe(false);
    expect(() => dockerodeOptions({ host: 'tcp://h:2376', source: 'DOCKER_HOST', tls: { verify: true, certDir: looseDir } }, {})).toThrow(
      /no ca\.pem to verify the engine's certificate/,
    );
    // A context without a CA verifies against the system's CAs, as the CLI does.
    const systemCas = dockerodeOptions({ host: 'tcp://h:2376', source: 'config', context: 'loose', tls: { verify: true, certDir: looseDir } }, {}) as Record<
      string,
      unknown
    >;
    expect(systemCas).toMatchObject({ protocol: 'https', ca: undefined });
    expect(String(systemCas.cert)).toBe('cert.pem of loose');
  });
});
