// create-dockervm vs create-vite, side by side in one run, from installed packages as users get them:
// - time to scaffold (`--yes --no-pin`) vs `create-vite --template vanilla-ts --no-interactive` (goal ≤ 1.5×)
// - install footprint of the packed create-dockervm (goal ≤ 5 MB, ≤ 15 packages)
// Runs alternate between the two tools so machine noise hits both alike; medians are compared.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const work = mkdtempSync(join(tmpdir(), 'dockervm-bench-'));

function npm(args, cwd) {
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
}

function duBytes(path) {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += duBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

function countPackages(nodeModules) {
  let count = 0;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) count += readdirSync(join(nodeModules, entry.name)).length;
    else count++;
  }
  return count;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: join(root, 'packages/create-dockervm') })
    .toString()
    .trim()
    .split('\n')
    .pop();

  const ours = join(work, 'ours');
  const vite = join(work, 'vite');
  for (const dir of [ours, vite]) execFileSync('mkdir', ['-p', dir]);
  npm(['init', '-y'], ours);
  npm(['install', join(work, packed)], ours);
  npm(['init', '-y'], vite);
  npm(['install', 'create-vite'], vite);

  const ourBytes = duBytes(join(ours, 'node_modules'));
  const ourPackages = countPackages(join(ours, 'node_modules'));
  const viteBytes = duBytes(join(vite, 'node_modules'));
  console.log(`install footprint  create-dockervm: ${(ourBytes / 1e6).toFixed(2)} MB in ${ourPackages} package(s)   (goal ≤ 5 MB, ≤ 15)`);
  console.log(`                   create-vite:     ${(viteBytes / 1e6).toFixed(2)} MB in ${countPackages(join(vite, 'node_modules'))} package(s)`);
  console.log(`                   packed tarball:  ${(statSync(join(work, packed)).size / 1e3).toFixed(0)} kB`);

  const commands = {
    'create-dockervm': (i) => [join(ours, 'node_modules/create-dockervm/bin/create-dockervm.js'), `out-ours-${i}`, '--yes', '--no-pin', '--no-install'],
    'create-vite': (i) => [join(vite, 'node_modules/create-vite/index.js'), `out-vite-${i}`, '--template', 'vanilla-ts', '--no-interactive'],
  };
  const times = { 'create-dockervm': [], 'create-vite': [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, args(i), { cwd: work, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
      times[name].push(ms);
    }
  }
  const ourMedian = median(times['create-dockervm']);
  const viteMedian = median(times['create-vite']);
  console.log(
    `scaffold time      create-dockervm: median ${ourMedian.toFixed(0)} ms, create-vite: median ${viteMedian.toFixed(0)} ms over ${RUNS} alternating runs`,
  );
  console.log(`                   ratio create-dockervm / create-vite = ${(ourMedian / viteMedian).toFixed(2)}×   (goal ≤ 1.5×)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
