// The tutorial site's budgets: build time of `astro build` (median of BENCH_SITE_RUNS, default 3), and the
// JavaScript each page makes the browser load before any interaction (goal for lesson pages: ≤ 100 KB),
// with the ratio to that goal. Prints; never asserts (test/browser/site.test.ts asserts the budget).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pagePaths, pageScripts, SITE_DIR } from '../site/tools/dist-files.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const RUNS = Number(process.env.BENCH_SITE_RUNS ?? 3);
const GOAL = 100 * 1024;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const times = [];
for (let i = 0; i < RUNS; i++) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: SITE_DIR,
    env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    console.error(result.stdout + result.stderr);
    process.exit(1);
  }
  times.push(Number(process.hrtime.bigint() - started) / 1e9);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`astro build: median ${median.toFixed(1)} s of ${RUNS} (${times.map((t) => t.toFixed(1)).join(', ')}), ${pagePaths().length} pages`);

console.log('\nJavaScript loaded per page (static and module-preloaded scripts with their static imports, inline scripts):');
console.log(`${'page'.padEnd(44)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)}  ratio to ${kb(GOAL)}`);
let worstLesson = 0;
for (const page of pagePaths()) {
  const scripts = pageScripts(page);
  if (page.startsWith('/lessons/')) worstLesson = Math.max(worstLesson, scripts.bytes);
  console.log(`${page.padEnd(44)} ${kb(scripts.bytes).padStart(9)} ${kb(scripts.gzipBytes).padStart(9)}  ${(scripts.bytes / GOAL).toFixed(2)}`);
}
console.log(`\nheaviest lesson page: ${kb(worstLesson)} = ${(worstLesson / GOAL).toFixed(2)} × the ${kb(GOAL)} goal`);
