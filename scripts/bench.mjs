// Runs the benchmarks in bench/ (all, or the ones named: `npm run bench -- create`).
// Benchmarks print measurements and ratios; they never assert.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const wanted = process.argv.slice(2);
const all = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.mjs'))
  .sort();
const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f.includes(w))) : all;
if (chosen.length === 0) {
  console.error(`bench: nothing matches ${wanted.join(' ')}; available: ${all.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const file of chosen) {
  console.log(`\n## ${file}`);
  const result = spawnSync(process.execPath, [join(root, 'bench', file)], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
