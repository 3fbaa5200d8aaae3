// A real npm registry on 127.0.0.1 for the published-path tests: Verdaccio (a dev dependency) with its
// storage in a temp directory, serving what a test publishes and proxying everything else from the
// registry this machine's npm uses. Every npm call a test makes goes through `env`: a temporary npmrc
// naming only this registry, and a fresh npm cache, so nothing leaks in from earlier runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';

const VERDACCIO = join(import.meta.dirname, '../../node_modules/verdaccio/bin/verdaccio');
const START_TIMEOUT_MS = 60_000;

export interface NpmRegistry {
  url: string;
  /** Environment for npm, npx and `npm create`: this registry only, a fresh cache, our Node first on PATH. */
  env: NodeJS.ProcessEnv;
  /** `npm publish` of a package directory (under the `latest` tag); throws with npm's output on failure. */
  publish(dir: string): void;
  /** The version a dist-tag points at, as the registry says. */
  distTag(name: string, tag?: string): string | undefined;
  /** What Verdaccio printed (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Packages only ever served from what the test publishes: never merged with a same-named public one. */
function config(dir: string, port: number, uplink: string, localOnly: string[]): string {
  const local = localOnly.map((name) => `  '${name}':\n    access: $all\n    publish: $authenticated\n`).join('');
  return `storage: ${JSON.stringify(join(dir, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
    max_users: 10
uplinks:
  upstream:
    url: ${JSON.stringify(uplink)}
    timeout: 60s
packages:
${local}  '**':
    access: $all
    publish: $authenticated
    proxy: upstream
listen: 127.0.0.1:${port}
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
`;
}

/** The registry this machine's npm is configured with: Verdaccio's uplink for everything not published. */
function machineRegistry(): string {
  const result = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', timeout: 30_000 });
  const url = result.stdout?.trim();
  if (result.status !== 0 || !url) throw new Error(`npm config get registry failed: ${result.stderr}`);
  return url;
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; attempt < 300 && Date.now() - started < START_TIMEOUT_MS; attempt++) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/-/ping`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`verdaccio did not answer on ${url} within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
}

export async function startNpmRegistry(dir: string, localOnly: string[]): Promise<NpmRegistry> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'config.yaml'), config(dir, port, machineRegistry(), localOnly));
  let output = '';
  const child = spawn(process.execPath, [VERDACCIO, '--config', join(dir, 'config.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    if ((await Promise.race([closed, sleep(10_000, 'timeout')])) === 'timeout') child.kill('SIGKILL');
  };
  try {
    await waitUntilUp(url, child, () => output);
    // A user for publishing: Verdaccio's htpasswd auth creates it on first login and returns its token.
    const response = await fetch(`${url}/-/user/org.couchdb.user:tester`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tester', password: `pw-${port}-${Date.now()}` }),
      signal: AbortSignal.timeout(10_000),
    });
    const { token } = (await response.json()) as { token?: string };
    if (!response.ok || !token) throw new Error(`verdaccio refused the test user (${response.status})`);
    const npmrc = join(dir, 'npmrc');
    writeFileSync(npmrc, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    // None of the npm settings of the npm that may be running the tests (npm test sets npm_config_*,
    // the user agent among them, which must not decide which package manager installs).
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      // The Node running the tests (>= 22.12) before the system's: create-dockervm and dockervm need it.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      npm_config_userconfig: npmrc,
      npm_config_registry: `${url}/`,
      npm_config_cache: join(dir, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_fetch_retries: '1',
      NO_COLOR: '1',
    };
    return {
      url,
      env,
      publish(packageDir) {
        const result = spawnSync('npm', ['publish', '--tag', 'latest'], { cwd: packageDir, env, encoding: 'utf8', timeout: 120_000 });
        if (result.status !== 0) throw new Error(`npm publish in ${packageDir} exited ${result.status}:\n${result.stderr}\n${output}`);
      },
      distTag(name, tag = 'latest') {
        // Asked through npm, as a user would (and on a fresh connection: one of fetch's pooled
        // connections may have been closed by the registry minutes ago).
        const result = spawnSync('npm', ['view', `${name}@${tag}`, 'version'], { env, encoding: 'utf8', timeout: 60_000 });
        return result.status === 0 ? result.stdout.trim() || undefined : undefined;
      },
      log: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
