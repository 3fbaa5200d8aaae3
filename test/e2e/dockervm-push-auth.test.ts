// `dockervm push` to a registry that wants credentials (Debian's docker-registry with a bcrypt
// htpasswd file), the credentials found the way docker finds them: a credential helper program
// written here (docker-credential-<name> on PATH) through credHelpers or credsStore, or an auths
// entry. Right credentials push; wrong ones, none, or a failing helper give one clear line.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupProject, dockervm, engineAvailable, mustSh, requireBuiltDockervm, sh, uniqueName } from '../helpers/dockervm-engine.ts';
import { startRegistry, type RegistryServer } from '../helpers/registry-server.ts';

const haveEngine = engineAvailable();
const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const USER = 'dvm';
const PASSWORD = 'right-pass';

describe.skipIf(!haveEngine)('dockervm push with registry credentials', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dvmcli-push-'));
  const bin = join(scratch, 'bin');
  const name = uniqueName('pushauth');
  const dir = join(scratch, name);
  let registry: RegistryServer;
  let repo = '';

  /** A credential helper that logs its request and answers `secret` for `user` (or runs `body`). */
  const helper = (helperName: string, body: string) => {
    const file = join(bin, `docker-credential-${helperName}`);
    writeFileSync(file, `#!/bin/sh\nread -r url || true\necho "$1 $url" >> '${join(scratch, `${helperName}.log`)}'\n${body}\n`);
    chmodSync(file, 0o755);
  };
  const answer = (user: string, secret: string) => `printf '{"ServerURL":"%s","Username":"${user}","Secret":"${secret}"}' "$url"`;

  let configs = 0;
  const push = (config: object, tag: string) => {
    const configDir = join(scratch, `config-${configs++}`);
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), JSON.stringify(config));
    return dockervm(['push', `${repo}:${tag}`], {
      cwd: dir,
      env: { DOCKER_CONFIG: configDir, DOCKER_HOST: '', DOCKER_CONTEXT: '', PATH: `${bin}:${process.env.PATH ?? ''}` },
      timeoutMs: 300_000,
    });
  };
  const tags = async (): Promise<string[]> => {
    const res = await fetch(`${registry.url}/v2/${repo.slice(registry.host.length + 1)}/tags/list`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 404) return [];
    return ((await res.json()) as { tags: string[] | null }).tags ?? [];
  };
  const oneLine = (stderr: string) => {
    const lines = stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('dockervm push:'));
    expect(lines).toHaveLength(1);
    return lines[0] ?? '';
  };

  beforeAll(async () => {
    requireBuiltDockervm();
    const htpasswd = spawnSync('htpasswd', ['-B', '-b', '-n', USER, PASSWORD], { encoding: 'utf8', timeout: 20_000 });
    if (htpasswd.status !== 0)
      throw new Error(`htpasswd -B failed (apache2-utils; scripts/engine/install.sh installs it): ${htpasswd.stderr ?? htpasswd.error?.message}`);
    registry = await startRegistry({ htpasswd: htpasswd.stdout });
    repo = `${registry.host}/dvmcli/${name}`;
    mkdirSync(bin);
    helper('right', answer(USER, PASSWORD));
    helper('wrong', answer(USER, 'not-the-password'));
    helper('broken', 'echo "the keyring is locked" >&2; exit 4');

    // A tiny VM with one snapshot to push: busybox, no network, no volumes.
    mustSh('docker', ['pull', '-q', BUSYBOX], { timeoutMs: 300_000 });
    mustSh('docker', ['tag', BUSYBOX, `dockervm/${name}:latest`]);
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        `name: ${name}`,
        'services:',
        '  vm:',
        `    image: dockervm/${name}:latest`,
        '    pull_policy: never',
        '    network_mode: none',
        '    command: ["sleep", "3600"]',
        '    stop_grace_period: 1s',
        '    labels:',
        `      dev.dockervm.project: ${name}`,
        '',
      ].join('\n'),
    );
    for (const args of [['up'], ['save', '-m', 'to push']]) {
      const result = dockervm(args, { cwd: dir, timeoutMs: 300_000 });
      if (result.status !== 0) throw new Error(`dockervm ${args.join(' ')} failed: ${result.stderr}`);
    }
  });
  afterAll(async () => {
    cleanupProject(name);
    const pushed = sh('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', repo]).stdout.split('\n').filter(Boolean);
    if (pushed.length) sh('docker', ['rmi', ...pushed]);
    await registry?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('anonymous: the registry refuses, in one line', async () => {
    const result = push({}, 'anon');
    expect(result.status).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^dockervm push: cannot push .*:anon: .*(unauthorized|authentication required|no basic auth)/i);
    expect(line).toContain(`(no credentials for ${registry.host} in the docker config: docker login ${registry.host})`);
    expect(await tags()).not.toContain('anon');
  });

  it('credHelpers for the registry: the helper is asked for that server, and the push lands', async () => {
    const result = push(
      { credHelpers: { [registry.host]: 'right' }, credsStore: 'wrong', auths: { [registry.host]: { auth: Buffer.from(`${USER}:nope`).toString('base64') } } },
      'helper',
    );
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(scratch, 'right.log'), 'utf8')).toContain(`get ${registry.host}`);
    expect(await tags()).toContain('helper');
  });

  it('credsStore with the wrong password: one line, nothing pushed', async () => {
    const result = push({ credsStore: 'wrong' }, 'wrong');
    expect(result.status).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^dockervm push: cannot push .*:wrong: .*(unauthorized|authentication required)/i);
    expect(line).toMatch(/\(the credentials came from docker-credential-wrong \(credsStore\)\)$/);
    expect(await tags()).not.toContain('wrong');
  });

  it('credsStore with the right password', async () => {
    const result = push({ credsStore: 'right' }, 'store');
    expect(result.status, result.stderr).toBe(0);
    expect(await tags()).toContain('store');
  });

  it('an auths entry (docker login without a helper)', async () => {
    const result = push({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }, 'auths');
    expect(result.status, result.stderr).toBe(0);
    expect(await tags()).toContain('auths');
  });

  it('a failing helper: one line naming it, nothing pushed', async () => {
    const result = push({ credHelpers: { [registry.host]: 'broken' } }, 'broken');
    expect(result.status).toBe(1);
    expect(oneLine(result.stderr)).toBe(
      `dockervm push: credential helper docker-credential-broken failed for ${registry.host} (exit 4): the keyring is locked`,
    );
    expect(await tags()).not.toContain('broken');
  });
});
