// The test command: type check, build, fast suites, then the real-engine suites.
// `unit` runs only the fast ones; `e2e` only the engine ones.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const which = process.argv[2] ?? 'all';

function step(title, args) {
  process.stderr.write(`\n── ${title}\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  process.stderr.write(`── ${title}: ${result.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const biome = join(root, 'node_modules/@biomejs/biome/bin/biome');
if (which !== 'e2e') {
  // Formatting and lint rules (biome.json): a formatter's diff or a lint error fails the run.
  step('format and lint', [biome, 'check', '--diagnostic-level=error', root]);
  step('type check', [join(root, 'node_modules/typescript/bin/tsc'), '-p', root]);
  step('build', [join(root, 'scripts/build.mjs')]);
  step('unit and CLI tests', [vitest, 'run', '--project', 'unit']);
}
if (which !== 'unit') {
  if (which === 'e2e') step('build', [join(root, 'scripts/build.mjs')]);
  step('real-engine tests', [vitest, 'run', '--project', 'e2e']);
}
