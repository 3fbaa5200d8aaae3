// The path a user takes, end to end: both packages built, packed and published to a real npm registry
// (Verdaccio on 127.0.0.1), `npm create dockervm@latest` run as the repository's README says in an
// empty directory, then the generated README's own lifecycle commands (`npx dockervm up`, save,
// snapshots, restore, down) on the real engine. Last, a newer dockervm is published: the project
// keeps running the version that created it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.ts';
import { cleanupProject } from '../helpers/dockervm-engine.ts';
import { engineProblem, MIRROR, sh, tail, type Run } from '../helpers/e2e-engine.ts';
import { startNpmRegistry, type NpmRegistry } from '../helpers/npm-registry.ts';
import { commandLines, shellWords } from '../helpers/readme-commands.ts';

const ROOT = join(import.meta.dirname, '../..');
const problem = engineProblem();
if (problem && process.env.CI) throw new Error(`a Docker engine is required in CI: ${problem}`);
if (problem) process.stderr.write(`skipping the published-path test: ${problem}\n`);

/** The newer release published at the end: the same code under the next patch version. */
const NEWER = VERSION.replace(/^(\d+)\.(\d+)\.(\d+).*$/, (_, major, minor, patch) => `${major}.${minor}.${Number(patch) + 1}`);

describe.skipIf(Boolean(problem))("the published path: npm create, then the README's commands", () => {
  const work = mkdtempSync(join(tmpdir(), 'dvmpub-'));
  // Unique per run, so runs on one engine never meet; the global setup sweeps dvmpub-* leftovers.
  const name = `dvmpub-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const empty = join(work, 'empty');
  const project = join(empty, 'my-vm');
  let registry: NpmRegistry;
  let env: NodeJS.ProcessEnv;

  const run = (words: string[], cwd: string, timeoutMs = 600_000): Run => sh(words[0]!, words.slice(1), { cwd, env, timeoutMs });
  const must = (words: string[], cwd: string, timeoutMs?: number): Run => {
    const result = run(words, cwd, timeoutMs);
    if (result.status !== 0) throw new Error(`${words.join(' ')} exited ${result.status}:\n${tail(result.stderr + result.stdout, 6000)}`);
    return result;
  };
  const build = (out: string, version: string) => {
    const result = sh(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', out, '--version', version], { cwd: ROOT, timeoutMs: 300_000 });
    if (result.status !== 0) throw new Error(`build --version ${version} failed:\n${result.stderr}`);
  };
  const inVm = (script: string) => must(['docker', 'compose', 'exec', '-T', 'vm', 'sh', '-c', script], project, 120_000).stdout;

  beforeAll(async () => {
    build(join(work, 'v1'), VERSION);
    registry = await startNpmRegistry(join(work, 'registry'), ['dockervm', 'create-dockervm']);
    // The README documents DOCKERVM_REGISTRY_MIRROR for resolving digests from a mirror: this engine's.
    env = { ...registry.env, HOME: join(work, 'home'), DOCKERVM_REGISTRY_MIRROR: MIRROR };
    mkdirSync(env.HOME!, { recursive: true });
    for (const pkg of ['dockervm', 'create-dockervm']) registry.publish(join(work, 'v1', pkg));
    mkdirSync(empty);
  }, 600_000);

  afterAll(async () => {
    cleanupProject(name);
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('`npm create dockervm@latest` as the README says writes the project and installs its dockervm', () => {
    const line = commandLines(readFileSync(join(ROOT, 'README.md'), 'utf8')).find((l) => l.startsWith('npm create dockervm@latest'));
    expect(line).toBe('npm create dockervm@latest my-vm -- --yes');
    // The one word added: a unique project name (a flag the README's option table documents), so this
    // run's containers and images cannot meet another run's.
    const created = must([...shellWords(line!), '--name', name], empty);
    expect(created.stderr).toMatch(/installed dependencies with npm/);
    expect(created.stderr).toMatch(/pinned debian:bookworm-slim/);
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies).toEqual({ dockervm: VERSION });
    expect(JSON.parse(readFileSync(join(project, 'node_modules/dockervm/package.json'), 'utf8')).version).toBe(VERSION);
    expect(existsSync(join(project, 'node_modules/.bin/dockervm'))).toBe(true);
    // The published package carries the desktops' pictures: the README shows its desktop's.
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toContain('](docs/desktop.png)');
    expect(readFileSync(join(project, 'docs/desktop.png')).equals(readFileSync(join(ROOT, 'site/public/screenshots/pekwm.png')))).toBe(true);
    // The next steps it printed are the README's: cd, then npx dockervm up.
    expect(created.stdout).toMatch(/cd my-vm\n {2}npx dockervm up/);
  });

  it("the generated README's lifecycle commands work as typed: up, save, snapshots, restore, down", () => {
    const lines = commandLines(readFileSync(join(project, 'README.md'), 'utf8'));
    const readme = (command: string) => {
      const found = lines.find((l) => l.startsWith(`npx dockervm ${command}`));
      if (!found) throw new Error(`the README has no \`npx dockervm ${command}\` in a code block:\n${lines.join('\n')}`);
      return found;
    };

    const up = must(shellWords(readme('up')), project, 900_000);
    expect(up.stdout).toContain(`${name} is running (healthy)`);
    const health = sh('docker', [
      'ps',
      '--filter',
      `label=com.docker.compose.project=${name}`,
      '--filter',
      'label=com.docker.compose.service=vm',
      '--format',
      '{{.Status}}',
    ]);
    expect(health.stdout).toMatch(/\(healthy\)/);

    inVm('echo before-save > ~/published-path.txt');
    const save = must(shellWords(readme('save')), project);
    const message = /-m "([^"]+)"/.exec(readme('save'))![1]!;
    expect(save.stdout + save.stderr).toContain(message);
    inVm('echo after-save > ~/published-path.txt');

    const listed = must(shellWords(readme('snapshots')), project).stdout;
    const row = listed.split('\n').find((l) => l.includes(message));
    const snapshot = /snap-\S+/.exec(row ?? '')?.[0];
    expect(snapshot, listed).toBeDefined();

    const restoreLine = readme('restore');
    expect(restoreLine).toMatch(/<snapshot>/);
    must(shellWords(restoreLine.replace('<snapshot>', snapshot!)), project);
    expect(inVm('cat ~/published-path.txt').trim()).toBe('before-save');

    must(shellWords(readme('down')), project);
    const left = sh('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${name}`, '--filter', 'label=com.docker.compose.service=vm']);
    expect(left.stdout.trim()).toBe('');
    // down removes the container, not the disk.
    expect(sh('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${name}`]).stdout.trim()).not.toBe('');
  });

  it("a newer dockervm on the registry does not change the project's own", () => {
    build(join(work, 'v2'), NEWER);
    for (const pkg of ['dockervm', 'create-dockervm']) registry.publish(join(work, 'v2', pkg));
    expect(registry.distTag('dockervm')).toBe(NEWER);
    expect(must(['npx', 'dockervm', '--version'], project).stdout.trim()).toBe(VERSION);
    // Outside any project, npx takes the registry's latest: the newer one really is there.
    const outside = join(work, 'outside');
    mkdirSync(outside);
    expect(must(['npx', '--yes', 'dockervm@latest', '--version'], outside).stdout.trim()).toBe(NEWER);
  });
});
