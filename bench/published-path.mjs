// The published path, timed as users meet it, through one local npm registry (Verdaccio on 127.0.0.1,
// test/helpers/npm-registry.ts) that serves our packed packages and proxies create-vite from upstream:
// - `npm create dockervm@latest` vs `npm create vite@latest`, alternating in one run, each with a cold
//   npm cache (as a first `npm create` has): goal ≤ 1.2×. Scaffold only (--no-pin --no-install), and
//   as a user runs it by default (digest pinned through the local image mirror, dockervm installed).
// - an empty directory to a healthy VM: `npm create dockervm@latest my-vm -- --yes`, `npx dockervm up`.
// Prints medians and ratios; never asserts. Needs the engine and its mirror for the last part.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupProject } from '../test/helpers/dockervm-engine.ts';
import { startNpmRegistry } from '../test/helpers/npm-registry.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const work = mkdtempSync(join(tmpdir(), 'dvmpub-bench-'));
const name = `dvmpub-bench-${Date.now().toString(36)}`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function timed(words, cwd, env, timeoutMs = 600_000) {
  const started = process.hrtime.bigint();
  const result = spawnSync(words[0], words.slice(1), { cwd, env, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${words.join(' ')} exited ${result.status}:\n${(result.stderr ?? '').slice(-3000)}`);
  return ms;
}

let registry;
try {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--out', join(work, 'packages')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('build failed');
  registry = await startNpmRegistry(join(work, 'registry'), ['dockervm', 'create-dockervm']);
  for (const pkg of ['dockervm', 'create-dockervm']) registry.publish(join(work, 'packages', pkg));

  // Each run: its own directory and a cold npm cache, so npx fetches the package as a first use does.
  let run = 0;
  const fresh = () => {
    const dir = join(work, `run-${run++}`);
    mkdirSync(dir);
    return { dir, env: { ...registry.env, HOME: dir, npm_config_cache: join(dir, '.npm'), DOCKERVM_REGISTRY_MIRROR: MIRROR, CI: '1' } };
  };
  const tools = {
    'create-dockervm (scaffold only)': ['npm', 'create', 'dockervm@latest', 'out', '--', '--yes', '--no-pin', '--no-install'],
    'create-vite': ['npm', 'create', 'vite@latest', 'out', '--', '--template', 'vanilla-ts', '--no-interactive'],
    'create-dockervm (default: pin + install)': ['npm', 'create', 'dockervm@latest', 'out', '--', '--yes'],
  };
  const times = Object.fromEntries(Object.keys(tools).map((tool) => [tool, []]));
  // One warm-up round: the registry fetches create-vite from upstream once, then serves it locally.
  for (const words of Object.values(tools)) {
    const { dir, env } = fresh();
    timed(words, dir, env);
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [tool, words] of Object.entries(tools)) {
      const { dir, env } = fresh();
      times[tool].push(timed(words, dir, env));
    }
  }
  const vite = median(times['create-vite']);
  console.log(`npm create, cold npm cache, through the local registry (median of ${RUNS} alternating runs):`);
  for (const [tool, values] of Object.entries(times)) {
    console.log(`  ${tool.padEnd(42)} ${seconds(median(values)).padStart(8)}   ${(median(values) / vite).toFixed(2)}× create-vite`);
  }
  console.log('  goal: create-dockervm (scaffold only) ≤ 1.2× create-vite');

  // Empty directory → healthy VM, exactly the README's lines.
  const { dir, env } = fresh();
  const create = timed(['npm', 'create', 'dockervm@latest', 'my-vm', '--', '--yes', '--name', name], dir, env);
  const up = timed(['npx', 'dockervm', 'up'], join(dir, 'my-vm'), env, 1_800_000);
  const total = create + up;
  console.log('empty directory → healthy VM (default novnc VM; BuildKit cache as this engine has it):');
  console.log(`  npm create dockervm@latest my-vm -- --yes   ${seconds(create)}   (${((create / total) * 100).toFixed(0)} % of the total)`);
  console.log(`  npx dockervm up                             ${seconds(up)}`);
  console.log(`  total                                       ${seconds(total)}   (${(total / vite).toFixed(1)}× one npm create vite)`);
} finally {
  // Everything the VM part made carries the project label (the e2e helpers' cleanup).
  cleanupProject(name);
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
}
