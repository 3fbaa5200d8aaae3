// Engine selection over ssh: DOCKER_HOST=ssh://user@127.0.0.1:<port> reaches a second dockerd
// through an sshd of the test's own (whose sessions point DOCKER_HOST at that engine's socket).
// dockervm's own calls and its compose children both run the system's ssh (here a wrapper that uses
// only the test's key and known_hosts) and must land on the second engine; a host key that
// known_hosts does not know is refused in one line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockervm, engineAvailable, mustSh, requireBuiltDockervm, uniqueName } from '../helpers/dockervm-engine.ts';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.ts';
import { haveSshd, startSshServer, type SshServer } from '../helpers/ssh-server.ts';
import { onEngine, onMain, seedImage, tinyProject, type Doctor } from '../helpers/tiny-project.ts';

const haveEngine = engineAvailable();
if (haveEngine && !haveSshd() && process.env.CI) throw new Error('sshd is missing: scripts/engine/install.sh installs openssh-server');

describe.skipIf(!haveEngine || !haveSshd())('engine selection over ssh', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dvmcli-engssh-'));
  const name = uniqueName('engssh');
  let engine: SecondEngine;
  let sshd: SshServer;
  let dir = '';
  const env = () => ({
    DOCKER_HOST: sshd.host,
    DOCKER_CONTEXT: '',
    DOCKER_TLS_VERIFY: '',
    DOCKER_CERT_PATH: '',
    DOCKER_CONFIG: join(scratch, 'no-docker-config'),
    ...sshd.clientEnv,
  });
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => dockervm(args, { cwd: dir, env: { ...env(), ...extra }, timeoutMs: 180_000 });

  beforeAll(async () => {
    requireBuiltDockervm();
    engine = await startSecondEngine();
    sshd = await startSshServer({ dockerHost: `unix://${engine.socket}` });
    seedImage(engine, name);
    dir = tinyProject(scratch, name);
  });
  afterAll(async () => {
    await sshd?.stop();
    await engine?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('doctor, up and status reach the engine behind ssh', () => {
    const doctor = run(['doctor', '--json']);
    expect((JSON.parse(doctor.stdout) as Doctor).engine, doctor.stderr).toMatchObject({ address: sshd.host, id: engine.id });
    const up = run(['up']);
    expect(up.status, up.stderr).toBe(0);
    expect(onEngine(engine, name)).toEqual({ containers: 1, volumes: 1 });
    expect(onMain(name)).toEqual({ containers: 0, volumes: 0 });
    const status = run(['status', '--json']);
    expect((JSON.parse(status.stdout) as { vm: { state: string } | null }).vm?.state, status.stderr).toBe('running');
  });

  it('a save over ssh: exec, archive and commit calls through the same transport', () => {
    const shell = run(['shell', '--', 'echo kept > /data/file']);
    expect(shell.status, shell.stderr).toBe(0);
    const save = run(['save', '-m', 'over ssh']);
    expect(save.status, save.stderr).toBe(0);
    expect(engine.docker(['images', '--format', '{{.Tag}}', `dockervm/${name}`]).split('\n')).toContain('snap-current');
    expect(mustSh('docker', ['images', '-q', `dockervm/${name}`]).trim()).toBe('');
    const down = run(['down', '--force']);
    expect(down.status, down.stderr).toBe(0);
    expect(onEngine(engine, name).containers).toBe(0);
  });

  it('a host key known_hosts does not know: refused by ssh, in one line', () => {
    const result = run(['status'], sshd.strangerEnv);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`dockervm status: ssh to the Docker engine at ${sshd.host} failed: Host key verification failed.`);
  });
});
