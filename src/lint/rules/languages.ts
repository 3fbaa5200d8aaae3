// Language package managers (pip, npm): pinning and caches, with hadolint's codes, severities
// and its notion of what counts as pinned.
import { commandsNamed, hasAnyFlag, hasArg, operands, programName } from '../commands.ts';
import type { Instruction } from '../dockerfile.ts';
import type { Command } from '../shell.ts';
import { parseKeyValues } from '../words.ts';
import { allRuns, runRule, type LintContext, type Rule, type RunInfo } from './context.ts';

/** `pip`, `pip3`, `/usr/bin/pip3.11 install …` or `python3 -m pip install …` (pipenv is not pip). */
export function isPipInstall(c: Command): boolean {
  const name = programName(c);
  if (name.startsWith('pip') && !name.startsWith('pipenv')) return hasArg(c, 'install');
  if (!name.startsWith('python')) return false;
  const m = c.args.indexOf('-m');
  return m >= 0 && c.args[m + 1] === 'pip' && c.args.slice(m + 2).includes('install');
}

// Options of `pip install` that take the next word as their value.
const PIP_VALUES = {
  short: ['b', 'e', 'f', 'i', 't'],
  long: [
    'abi',
    'build',
    'editable',
    'extra-index-url',
    'find-links',
    'index-url',
    'implementation',
    'no-binary',
    'only-binary',
    'platform',
    'prefix',
    'progress-bar',
    'proxy',
    'python',
    'python-version',
    'root',
    'root-user-action',
    'src',
    'target',
    'trusted-host',
    'upgrade-strategy',
  ],
};
const VCS = /^(?:git|hg|svn|bzr)(?:\+[a-z-]+)?[:+]/;

function pipPinned(pkg: string): boolean {
  if (/==|>=|<=|!=|~=|[<>]/.test(pkg)) return true;
  if (VCS.test(pkg)) return pkg.includes('@');
  // A wheel or sdist file, or a path to a project, carries its own version.
  return pkg.endsWith('.whl') || pkg.endsWith('.tar.gz') || pkg.includes('/');
}

/** Named packages of `pip install`: operands after the `install` word. */
function pipPackages(c: Command): string[] {
  const words = operands(c, PIP_VALUES);
  const at = words.indexOf('install');
  return words.slice(at + 1).filter((w) => w !== 'install');
}

export const DL3013 = runRule(
  {
    code: 'DL3013',
    severity: 'warning',
    message:
      'Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`',
  },
  (run) =>
    run.script.commands.some((c) => {
      if (!isPipInstall(c)) return false;
      // A requirements or constraints file, or the project in `.`, decides versions itself.
      if (hasArg(c, '-r', '--requirement', '.') || c.args.some((a) => a.startsWith('--requirement=') || a.startsWith('--constraint='))) return false;
      if (hasAnyFlag(c, ['c'], ['constraint'])) return false;
      return !pipPackages(c).every(pipPinned);
    }),
);

const TRUTHY = new Set(['1', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'yes', 'Yes', 'YES']);

/** Stages (by instruction) where `ENV PIP_NO_CACHE_DIR=<true>` is in effect, inherited by `FROM <stage>`. */
function pipNoCacheByRun(ctx: LintContext): Map<Instruction, boolean> {
  const byStage: boolean[] = [];
  const out = new Map<Instruction, boolean>();
  let on = false;
  for (const i of ctx.df.instructions) {
    if (i.keyword === 'FROM') {
      const stage = ctx.df.stages[i.stage]!;
      const parent = ctx.baseStage[stage.index];
      on = parent !== undefined ? (byStage[parent] ?? false) : false;
    } else if (i.keyword === 'ENV') {
      const kv = parseKeyValues(i.args, 'ENV').find((k) => k.key === 'PIP_NO_CACHE_DIR');
      if (kv) on = kv.value !== null && TRUTHY.has(kv.value);
    } else if (i.keyword === 'RUN') out.set(i, on);
    if (i.stage >= 0) byStage[i.stage] = on;
  }
  return out;
}

/** pipx and pipenv manage their own environments; their `install` is not pip's. */
function isPipWrapper(c: Command): boolean {
  const name = programName(c);
  if (name.includes('pipx') || name.includes('pipenv')) return true;
  const m = c.args.indexOf('-m');
  return name.startsWith('python') && m >= 0 && ['pipx', 'pipenv'].includes(c.args[m + 1] ?? '');
}

function pipCacheAvoided(run: RunInfo): boolean {
  if (run.mounts.some((m) => (m.type === 'cache' || m.type === 'tmpfs') && m.target?.includes('.cache/pip'))) return true;
  const inline = /PIP_NO_CACHE_DIR=(\S*)/.exec(runText(run));
  return inline !== null && [...TRUTHY].some((t) => inline[1]!.replace(/^["']/, '').startsWith(t));
}

function runText(run: RunInfo): string {
  return run.instr.json ? run.instr.json.join(' ') : run.instr.args;
}

/**
 * pip keeps downloaded wheels in ~/.cache/pip; in an image that is dead weight. Satisfied by
 * `--no-cache-dir`, by `PIP_NO_CACHE_DIR` set truthy (ENV in the stage or inline in the RUN), or by
 * a cache/tmpfs mount at .cache/pip. ONBUILD triggers cannot see the stage's ENV.
 */
export const DL3042: Rule = {
  code: 'DL3042',
  severity: 'warning',
  message: 'Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`',
  check: (ctx) => {
    const noCache = pipNoCacheByRun(ctx);
    return allRuns(ctx)
      .filter((run) => {
        if (!run.onbuild && noCache.get(run.instr)) return false;
        if (pipCacheAvoided(run)) return false;
        return run.script.commands.some((c) => isPipInstall(c) && !hasArg(c, '--no-cache-dir') && !isPipWrapper(c));
      })
      .map((run) => ({ line: run.instr.line }));
  },
};

const NPM_VALUES = { long: ['loglevel', 'registry'] };

function npmPinned(pkg: string): boolean {
  if (/^git(?:\+ssh|\+https?)?:\/\//.test(pkg)) return pkg.includes('#');
  if (pkg.endsWith('.tar') || pkg.endsWith('.tar.gz') || pkg.endsWith('.tgz')) return true;
  if (/^(?:\/|\.\/|\.\.\/|~\/)/.test(pkg)) return true;
  // `@scope/name@1.2.3`: the scope's `@` is not a version.
  if (pkg.startsWith('@')) return pkg.includes('/') && pkg.slice(pkg.indexOf('/') + 1).includes('@');
  return pkg.includes('@');
}

/** `npm install` with no names installs package.json's (locked) versions and is fine. */
export const DL3016 = runRule(
  {
    code: 'DL3016',
    severity: 'warning',
    message: 'Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`',
  },
  (run) =>
    commandsNamed(run.script, 'npm').some((c) => {
      const words = operands(c, NPM_VALUES);
      if (words[0] !== 'install') return false;
      return !words
        .slice(1)
        .filter((w) => w !== 'install')
        .every(npmPinned);
    }),
);
