// Engine selection on real engines: a second dockerd on 127.0.0.1 over tcp, then over TLS, picked
// through DOCKER_HOST and through docker contexts. dockervm's engine calls (doctor, status) and its
// compose children (up, down) must all reach that engine and never the main one: the engine ID
// differs, and what `dockervm up` creates exists on the second engine only.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockervm, engineAvailable, mustSh, requireBuiltDockervm, uniqueName } from '../helpers/dockervm-engine.ts';
import { mustSh as mustRun } from '../helpers/e2e-engine.ts';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.ts';
import { onEngine, onMain, seedImage, tinyProject, type Doctor } from '../helpers/tiny-project.ts';

const haveEngine = engineAvailable();

describe.skipIf(!haveEngine)('engine selection: a second engine on tcp and tcp+TLS', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dvmcli-eng-'));
  const mainId = haveEngine ? mustSh('docker', ['info', '--format', '{{.ID}}']).trim() : '';
  // Nothing of the machine's own docker config may take part: each run names its config dir.
  const emptyConfig = join(scratch, 'no-docker-config');
  mkdirSync(emptyConfig);
  const isolated = (env: NodeJS.ProcessEnv) => ({
    DOCKER_HOST: '',
    DOCKER_CONTEXT: '',
    DOCKER_TLS_VERIFY: '',
    DOCKER_TLS: '',
    DOCKER_CERT_PATH: '',
    DOCKER_CONFIG: emptyConfig,
    ...env,
  });
  const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv) => dockervm(args, { cwd, env: isolated(env), timeoutMs: 180_000 });
  const json = <T>(args: string[], cwd: string, env: NodeJS.ProcessEnv): T => {
    const result = run([args[0] ?? '', '--json', ...args.slice(1)], cwd, env);
    if (result.status !== 0 && args[0] !== 'doctor') throw new Error(`dockervm ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  /** A docker config dir with one context, made by the docker CLI itself, and in use. */
  const contextConfig = (label: string, docker: string): string => {
    const dir = join(scratch, `config-${label}`);
    mkdirSync(dir);
    const env = { ...process.env, DOCKER_CONFIG: dir, DOCKER_HOST: '', DOCKER_CONTEXT: '' };
    mustRun('docker', ['context', 'create', label, '--docker', docker], { env });
    mustRun('docker', ['context', 'use', label], { env });
    return dir;
  };

  beforeAll(() => requireBuiltDockervm());
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe('plain tcp', () => {
    let engine: SecondEngine;
    const name = uniqueName('engtcp');
    let dir = '';
    beforeAll(async () => {
      engine = await startSecondEngine();
      seedImage(engine, name);
      dir = tinyProject(scratch, name);
    });
    afterAll(async () => {
      await engine?.stop();
    });

    it('the second engine is another engine', () => {
      expect(engine.id).not.toBe('');
      expect(engine.id).not.toBe(mainId);
    });

    it('DOCKER_HOST: doctor asks the second engine, up creates the VM and its volume there only', () => {
      const env = { DOCKER_HOST: engine.host };
      const doctor = json<Doctor>(['doctor'], dir, env);
      expect(doctor.engine).toMatchObject({ address: engine.host, context: null, id: engine.id });
      expect(doctor.checks.find((c) => c.check === 'engine')).toMatchObject({ status: 'ok', detail: expect.stringContaining(engine.host) });
      const up = run(['up'], dir, env);
      expect(up.status, up.stderr).toBe(0);
      expect(onEngine(engine, name)).toEqual({ containers: 1, volumes: 1 });
      expect(onMain(name)).toEqual({ containers: 0, volumes: 0 });
      expect(json<{ vm: { state: string } | null }>(['status'], dir, env).vm?.state).toBe('running');
      // The main engine knows no such VM.
      expect(json<{ vm: unknown }>(['status'], dir, {}).vm).toBeNull();
    });

    it('a docker context (currentContext in DOCKER_CONFIG): status, doctor and down go to the same engine', () => {
      const env = { DOCKER_CONFIG: contextConfig('eng2', `host=${engine.host}`) };
      expect(json<Doctor>(['doctor'], dir, env).engine).toMatchObject({ address: engine.host, context: 'eng2', id: engine.id });
      expect(json<{ vm: { state: string } | null }>(['status'], dir, env).vm?.state).toBe('running');
      const down = run(['down', '--force'], dir, env);
      expect(down.status, down.stderr).toBe(0);
      expect(onEngine(engine, name).containers).toBe(0);
    });

    it('DOCKER_CONTEXT wins over currentContext, DOCKER_HOST over both', () => {
      const config = contextConfig('eng2b', `host=${engine.host}`);
      const toMain = json<Doctor>(['doctor'], dir, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default' });
      expect(toMain.engine.id).toBe(mainId);
      const viaHost = json<Doctor>(['doctor'], dir, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default', DOCKER_HOST: engine.host });
      expect(viaHost.engine.id).toBe(engine.id);
    });

    it('a context that does not exist: one line, exit 1', () => {
      const result = run(['status'], dir, { DOCKER_CONTEXT: 'no-such-context' });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toMatch(/^dockervm status: docker context "no-such-context" \(from DOCKER_CONTEXT\) does not exist/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  describe('tcp with TLS', () => {
    let engine: SecondEngine;
    const name = uniqueName('engtls');
    let dir = '';
    beforeAll(async () => {
      engine = await startSecondEngine({ tls: true });
      seedImage(engine, name);
      dir = tinyProject(scratch, name);
    });
    afterAll(async () => {
      await engine?.stop();
    });

    it('DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH: doctor, and compose over TLS', () => {
      const env = { DOCKER_HOST: engine.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.clientCerts! };
      expect(json<Doctor>(['doctor'], dir, env).engine).toMatchObject({ address: engine.host, id: engine.id });
      const up = run(['up'], dir, env);
      expect(up.status, up.stderr).toBe(0);
      expect(onEngine(engine, name)).toEqual({ containers: 1, volumes: 1 });
      expect(onMain(name)).toEqual({ containers: 0, volumes: 0 });
    });

    it('a context with ca, cert and key (verified)', () => {
      const c = engine.clientCerts!;
      const env = { DOCKER_CONFIG: contextConfig('tls', `host=${engine.host},ca=${join(c, 'ca.pem')},cert=${join(c, 'cert.pem')},key=${join(c, 'key.pem')}`) };
      expect(json<Doctor>(['doctor'], dir, env).engine).toMatchObject({ context: 'tls', id: engine.id });
      expect(json<{ vm: { state: string } | null }>(['status'], dir, env).vm?.state).toBe('running');
    });

    it('a context that skips verification (client certificate, no CA): down through it', () => {
      const c = engine.clientCerts!;
      const env = {
        DOCKER_CONFIG: contextConfig('tls-skip', `host=${engine.host},cert=${join(c, 'cert.pem')},key=${join(c, 'key.pem')},skip-tls-verify=true`),
      };
      expect(json<Doctor>(['doctor'], dir, env).engine).toMatchObject({ context: 'tls-skip', id: engine.id });
      const down = run(['down', '--force'], dir, env);
      expect(down.status, down.stderr).toBe(0);
      expect(onEngine(engine, name).containers).toBe(0);
    });

    it('certificates from another CA: one line naming TLS, exit 1', () => {
      const other = join(scratch, 'other-ca');
      mkdirSync(other);
      mustSh('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(scratch, 'other-ca-key.pem'),
        '-out',
        join(other, 'ca.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=not the engine CA',
      ]);
      const result = run(['status'], dir, { DOCKER_HOST: engine.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: other });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toMatch(/^dockervm status: TLS with the Docker engine at tcp:\/\/127\.0\.0\.1:\d+ failed \(/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  });
});
