// Speed of the built-in Dockerfile lint, and whether it grows linearly with the input:
// - the largest golden Dockerfile (examples/golden) and a generated 2,000-line one; the golden also
//   with the SC checks (one shellcheck process), when shellcheck is installed;
// - generated files of 1k, 2k, 4k and 8k lines, and one RUN of 1k…8k continuation lines (the shell
//   splitter's worst case), as ratios to the next smaller size (linear ≈ 2.0, quadratic ≈ 4.0);
// - with `--baseline REV`, the same inputs through src/lint as it was at git revision REV, side by side;
// - with `--hadolint-specs DIR` (a hadolint checkout), agreement with the cases of hadolint's rule
//   specifications (test/Hadolint/Rule/*Spec.hs) for every rule we share.
// Prints, never asserts. Run: node --expose-gc bench/lint-bench.mjs [--baseline REV] [--hadolint-specs DIR]
// (DIR: a hadolint checkout, or its test/Hadolint/Rule folder).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (flag) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const current = await import(pathToFileURL(join(root, 'src/lint/index.ts')).href);

// The fastest of the runs: on a shared machine, the one least disturbed by other work.
const fastest = (values) => Math.min(...values);

/**
 * Fastest of `RUNS` lints (after two warm-up runs), each linter in turn so noise hits all alike.
 * Measured in CPU time of this process, not wall time: on a shared 2-core machine the wall clock
 * mostly measures the other work, while the CPU time a synchronous lint takes does not wait for it.
 */
function timeAll(linters, text) {
  const samples = linters.map(() => []);
  for (let r = 0; r < RUNS + 2; r++) {
    linters.forEach((lint, k) => {
      // With `node --expose-gc`, each sample starts from a clean heap instead of paying for the last.
      globalThis.gc?.();
      const t0 = process.cpuUsage();
      lint.lintDockerfile(text);
      const used = process.cpuUsage(t0);
      if (r >= 2) samples[k].push((used.user + used.system) / 1000);
    });
  }
  return samples.map(fastest);
}

/** A realistic mix: stages with ARG/ENV, long apt chains, COPY, ONBUILD, HEALTHCHECK, USER. */
function generated(lines) {
  const out = ['# syntax=docker/dockerfile:1'];
  for (let stage = 0; out.length < lines; stage++) {
    out.push(`FROM debian:bookworm-slim AS s${stage}`, 'ARG VERSION=1.2.3', `ENV APP_HOME=/opt/app${stage} LANG=C.UTF-8`);
    out.push('SHELL ["/bin/bash", "-o", "pipefail", "-c"]');
    out.push('RUN apt-get update \\');
    for (let p = 0; p < 20; p++) out.push(`    && apt-get install -y --no-install-recommends pkg${p}=1.${p}-1 \\`);
    out.push('    && curl -fsSL "https://example.com/x-${VERSION}.tar.gz" | tar -xz -C "$APP_HOME" \\');
    out.push('    && rm -rf /var/lib/apt/lists/*');
    out.push(`COPY --chown=1000:1000 rootfs/ /`, `WORKDIR /opt/app${stage}`, 'ONBUILD RUN echo "child build" && ls -la');
    out.push('HEALTHCHECK --interval=30s CMD ["/bin/true"]', 'USER 1000', 'CMD ["/bin/bash"]', '');
  }
  return `${out.slice(0, lines).join('\n')}\n`;
}

/** One RUN of `lines` continuation lines, quotes and substitutions included. */
function longRun(lines) {
  const body = Array.from({ length: lines - 1 }, (_, i) => `    && echo "step ${i}: $(date +%s)" '${i}' \${HOME} >> /var/log/build.log \\`);
  return `FROM debian:bookworm-slim\nRUN true \\\n${body.join('\n')}\n    && true\n`;
}

function largestGolden() {
  const dir = join(root, 'examples/golden');
  return readdirSync(dir)
    .map((name) => join(dir, name, 'Dockerfile'))
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile())
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

/** src/lint at a git revision, importable from a temp dir (with the repository's node_modules). */
async function baselineAt(rev) {
  const dir = mkdtempSync(join(tmpdir(), 'dockervm-lint-bench-'));
  const tar = execFileSync('git', ['archive', rev, 'src/lint'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  mkdirSync(join(dir, 'x'));
  execFileSync('tar', ['-x', '-C', join(dir, 'x')], { input: tar });
  symlinkSync(join(root, 'node_modules'), join(dir, 'x', 'node_modules'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return import(pathToFileURL(join(dir, 'x', 'src/lint/index.ts')).href);
}

// --- Agreement with hadolint's rule specifications -------------------------------------------
// hadolint's specs are Haskell: `ruleCatches "DL3014" "RUN …"` (at least one finding),
// `ruleCatchesNot` (none), and `onBuildRuleCatches[Not]` (every RUN wrapped in ONBUILD; exactly one).
// Snippets are string literals, `Text.unlines [ … ]` lists, or names bound to either in the same
// `it` block; a block's `?config` may set `allowedRegistries`. Anything else is counted as not read.

/** A Haskell string literal starting at `src[i] === '"'`: [value, index after it]. */
function hsString(src, i) {
  let out = '';
  for (i++; i < src.length; ) {
    const c = src[i];
    if (c === '"') return [out, i + 1];
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const n = src[i + 1];
    if (/\s/.test(n)) {
      // A string gap: backslash, white space, backslash.
      i = src.indexOf('\\', i + 1) + 1;
      continue;
    }
    const escapes = { n: '\n', t: '\t', '"': '"', '\\': '\\', "'": "'", '&': '' };
    const digits = /^\d+/.exec(src.slice(i + 1, i + 8));
    if (n in escapes) out += escapes[n];
    else if (digits) out += String.fromCharCode(Number(digits[0]));
    else out += n;
    i += 1 + (digits && !(n in escapes) ? digits[0].length : 1);
  }
  return [out, i];
}

/** A list of string literals starting at `src[i] === '['`, or null when it holds anything else. */
function hsList(src, i) {
  const items = [];
  for (i++; ; ) {
    while (/[\s,]/.test(src[i])) i++;
    if (src[i] === ']') return items;
    if (src[i] !== '"') return null;
    const [s, j] = hsString(src, i);
    items.push(s);
    i = j;
  }
}

function specCases(dir) {
  const cases = [];
  let unparsed = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('Spec.hs'))) {
    for (const block of readFileSync(join(dir, file), 'utf8').split(/\n(?=\s*it ")/)) {
      const lists = {};
      const strings = {};
      for (const m of block.matchAll(/\b(\w+)\s*=\s*(?:Text\.unlines\s*)?\[/g)) {
        const items = hsList(block, m.index + m[0].length - 1);
        if (items) lists[m[1]] = `${items.join('\n')}\n`;
      }
      for (const m of block.matchAll(/\b(\w+)\s*=\s*"/g)) strings[m[1]] = hsString(block, m.index + m[0].length - 1)[0];
      let registries = [];
      let otherConfig = false;
      const config = /let \?config\s*=\s*def\s*\{([^}]*)\}/.exec(block);
      if (config) {
        const r = /allowedRegistries\s*=\s*(\[[^\]]*\])/.exec(config[1]);
        if (r) registries = hsList(r[1], 0) ?? [];
        else otherConfig = true;
      }
      for (const m of block.matchAll(/\b(onBuildRuleCatches|ruleCatches|onBuildRuleCatchesNot|ruleCatchesNot)\s+(?:"(\w+)"|(\w+))\s*/g)) {
        const code = m[2] ?? strings[m[3]];
        const rest = block.slice(m.index + m[0].length);
        let text;
        if (rest[0] === '"') text = hsString(block, m.index + m[0].length)[0];
        else {
          const u = /^(?:\$\s*)?\(?\s*Text\.unlines\s+(\w+|\[)/.exec(rest);
          const name = u ? u[1] : /^(\w+)/.exec(rest)?.[1];
          if (name === '[') text = `${hsList(rest, u[0].length - 1)?.join('\n')}\n`;
          else text = lists[name] ?? strings[name];
        }
        if (!code || text === undefined || text.startsWith('undefined') || otherConfig) unparsed++;
        else cases.push({ code, kind: m[1], text, registries });
      }
    }
  }
  return { cases, unparsed };
}

function agreement(dir, lint) {
  const { cases, unparsed } = specCases(dir);
  let agree = 0;
  let total = 0;
  const rules = new Set();
  const misses = [];
  for (const c of cases) {
    if (!lint.RULES.has(c.code)) continue;
    const onbuild = c.kind.startsWith('onBuild');
    const text = onbuild ? c.text.replace(/^RUN\b/gm, 'ONBUILD RUN') : c.text;
    const config = { ...lint.DEFAULT_CONFIG, trustedRegistries: c.registries };
    const n = lint.lintDockerfile(text, { config }).filter((f) => f.code === c.code).length;
    const ok = c.kind.endsWith('Not') ? n === 0 : onbuild ? n === 1 : n >= 1;
    rules.add(c.code);
    total++;
    if (ok) agree++;
    else misses.push(`${c.code} ${c.kind} (found ${n}): ${JSON.stringify(c.text)}`);
  }
  return { agree, total, rules: rules.size, unparsed, misses };
}

const rev = arg('--baseline');
const linters = [current, ...(rev ? [await baselineAt(rev)] : [])];
const names = ['now', ...(rev ? [`at ${rev}`] : [])];
const fmt = (ms) => `${ms.toFixed(2)} ms`;

console.log(`dockervm lint bench (built-in rules, no external tools; CPU time, fastest of ${RUNS} runs)\n`);
const golden = largestGolden();
const goldenText = readFileSync(golden, 'utf8');
const g2k = generated(2000);
for (const [label, text] of [
  [`largest golden (${golden.split('/').slice(-2).join('/')}, ${goldenText.split('\n').length - 1} lines)`, goldenText],
  ['generated, 2,000 lines', g2k],
]) {
  const t = timeAll(linters, text);
  console.log(`${label}: ${t.map((ms, k) => `${names[k]} ${fmt(ms)}`).join(', ')}${rev ? ` (baseline / now = ${(t[1] / t[0]).toFixed(1)}×)` : ''}`);
}

// The SC checks cost a shellcheck process (one for all RUNs); wall time, since it is another process.
const { shellcheckRuns } = await import(pathToFileURL(join(root, 'src/cli/commands/lint.ts')).href);
const probe = shellcheckRuns(goldenText, current.DEFAULT_CONFIG, 'Dockerfile');
if (probe.status === 'ran') {
  const walls = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    shellcheckRuns(goldenText, current.DEFAULT_CONFIG, 'Dockerfile');
    walls.push(performance.now() - t0);
  }
  console.log(`largest golden with the SC checks (shellcheck on ${probe.scripts} RUN scripts, wall time, fastest of 5): ${fmt(Math.min(...walls))}`);
} else console.log(`SC checks not measured: shellcheck ${probe.status}`);

for (const [label, make, sizes] of [
  ['generated Dockerfile', generated, [1000, 2000, 4000, 8000]],
  ['one long RUN', longRun, [1000, 2000, 4000, 8000, 16000]],
]) {
  console.log(`\n${label}: lines, time, ratio to half the size (linear ≈ 2.0, quadratic ≈ 4.0)`);
  let prev = null;
  for (const lines of sizes) {
    const t = timeAll(linters, make(lines));
    const cells = t.map((ms, k) => `${names[k]} ${fmt(ms)}${prev ? ` (×${(ms / prev[k]).toFixed(2)})` : ''}`);
    console.log(`  ${String(lines).padStart(5)}  ${cells.join('   ')}`);
    prev = t;
  }
}

const specs = arg('--hadolint-specs');
if (specs) {
  console.log('');
  for (const [k, lint] of linters.entries()) {
    const nested = join(specs, 'test/Hadolint/Rule');
    const r = agreement(statSync(nested, { throwIfNoEntry: false })?.isDirectory() ? nested : specs, lint);
    console.log(
      `agreement with hadolint's spec cases (${names[k]}): ${r.agree}/${r.total} = ${((100 * r.agree) / r.total).toFixed(1)} % over ${r.rules} shared rules; ${r.unparsed} cases not read`,
    );
    if (process.env.BENCH_VERBOSE) for (const miss of r.misses) console.log(`  differs: ${miss}`);
  }
}
