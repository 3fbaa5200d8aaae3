// Alpine (apk) and Fedora/RHEL (dnf, microdnf) package rules, with hadolint's codes,
// severities and pinning conventions.
import { commandsNamed, hasArg, hasLongFlag, operands, programName } from '../commands.ts';
import type { Instruction } from '../dockerfile.ts';
import type { ShellScript } from '../shell.ts';
import { parseKeyValues } from '../words.ts';
import { allRuns, hasCacheMountUnder, runRule, type LintContext, type Rule } from './context.ts';

function apkAdds(script: ShellScript) {
  return commandsNamed(script, 'apk').filter((c) => hasArg(c, 'add'));
}

export const DL3018 = runRule(
  {
    code: 'DL3018',
    severity: 'warning',
    message: 'Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`',
  },
  (run) =>
    apkAdds(run.script).some((c) =>
      operands(c, { short: ['t', 'X', 'p'], long: ['virtual', 'repository', 'root', 'repositories-file'] })
        .filter((a) => a !== 'add')
        // `=` pins exactly, `~` to a version prefix, `>`/`<` to a range (quoted, as in
        // `"flex>=2.6.1-r1"`); a local .apk file carries its own version.
        .some((pkg) => !/[=~<>]/.test(pkg) && !pkg.endsWith('.apk')),
    ),
);

export const DL3019 = runRule(
  {
    code: 'DL3019',
    severity: 'info',
    message: 'Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages',
  },
  (run) =>
    !hasCacheMountUnder(run, '/var/cache/apk') && !hasCacheMountUnder(run, '/etc/apk/cache') && apkAdds(run.script).some((c) => !hasLongFlag(c, 'no-cache')),
);

const DNF = ['dnf', 'microdnf'];
const DNF_VALUES = {
  short: ['x'],
  long: ['exclude', 'enablerepo', 'disablerepo', 'repo', 'repoid', 'releasever', 'installroot', 'setopt'],
};
/** Subcommands that download packages into dnf's cache (with their short aliases). */
const DNF_FETCHING = ['install', 'in', 'upgrade', 'up', 'upgrade-minimal', 'up-min', 'reinstall', 'rei'];
const DNF_INSTALL = ['install', 'in'];

/** `name-version[-release]`: every part after the first dash is version-like and one starts with a digit. */
function rpmPinned(pkg: string, defined: ReadonlySet<string>): boolean {
  if (pkg.endsWith('.rpm')) return true;
  // `git-core-${version}`: pinned when the variable is set by ENV in this stage or by an ARG.
  if (pkg.includes('$')) return [...pkg.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].some((m) => defined.has(m[1]!));
  const parts = pkg.split('-').slice(1);
  return parts.length > 0 && parts.every((p) => /^[A-Za-z0-9.~^_:+]+$/.test(p)) && parts.some((p) => /^\d/.test(p));
}

/**
 * Variables a RUN can use for versions, per instruction: ENV of its stage (and of the stage it
 * builds on, by name) plus every ARG declared so far, which is how hadolint scopes them.
 */
function versionVariables(ctx: LintContext): Map<Instruction, Set<string>> {
  const stageEnv: Set<string>[] = [];
  const args = new Set<string>();
  const out = new Map<Instruction, Set<string>>();
  let env = new Set<string>();
  for (const i of ctx.df.instructions) {
    if (i.keyword === 'FROM') {
      const stage = ctx.df.stages[i.stage]!;
      const parent = ctx.baseStage[stage.index];
      env = new Set(parent !== undefined ? stageEnv[parent] : []);
      stageEnv[stage.index] = env;
    } else if (i.keyword === 'ENV') for (const kv of parseKeyValues(i.args, 'ENV')) env.add(kv.key);
    else if (i.keyword === 'ARG') for (const kv of parseKeyValues(i.args, 'ARG')) args.add(kv.key);
    else if (i.keyword === 'RUN') out.set(i, new Set([...env, ...args]));
  }
  return out;
}

/**
 * Packages pinned as `name-version`, modules by stream (`nodejs:20`); groups are not pinned.
 * An ONBUILD trigger runs in a child image whose ENV and ARG we cannot see, so a variable there
 * does not count as a version (hadolint judges it the same way).
 */
function rpmVersionRule(code: string, tools: string[], install: string[], message: string): Rule {
  return {
    code,
    severity: 'warning',
    message,
    check: (ctx) => {
      const vars = versionVariables(ctx);
      const none = new Set<string>();
      return allRuns(ctx)
        .filter((run) => {
          const defined = run.onbuild ? none : (vars.get(run.instr) ?? none);
          return commandsNamed(run.script, ...tools)
            .filter((c) => hasArg(c, ...install) && !hasArg(c, 'group', 'groupinstall'))
            .some((c) => {
              const names = operands(c, DNF_VALUES).filter((a) => !install.includes(a) && a !== 'module');
              return hasArg(c, 'module') ? names.some((m) => !m.includes(':')) : names.some((p) => !rpmPinned(p, defined));
            });
        })
        .map((run) => ({ line: run.instr.line }));
    },
  };
}

export const DL3041 = rpmVersionRule('DL3041', DNF, DNF_INSTALL, 'Specify version with `dnf install -y <package>-<version>`.');

export const DL3033 = rpmVersionRule('DL3033', ['yum'], ['install'], 'Specify version with `yum install -y <package>-<version>`.');

/** dnf5 keeps its cache in /var/cache/libdnf5 (or ~/.cache/libdnf5 for users); dnf4 in /var/cache/dnf or yum. */
const DNF_CACHES = /(?:^|\/)(?:var\/cache\/(?:libdnf5|dnf|yum)|\.cache\/libdnf5)(?:[/*]|$)/;

/**
 * Each dnf/microdnf command that fetches packages must be followed, in the same RUN, by a clean
 * by the same tool (`dnf install … && microdnf clean all` still leaves dnf's cache) or an `rm` of
 * the cache. A cache or tmpfs mount at the cache directory keeps it out of the layer instead.
 */
function rpmCleanRule(code: string, tools: string[], fetching: string[], message: string): Rule {
  return runRule({ code, severity: 'warning', message }, (run) => {
    if (run.mounts.some((m) => (m.type === 'cache' || m.type === 'tmpfs') && m.target !== undefined && DNF_CACHES.test(m.target))) return false;
    return tools.some((tool) => cleanMissing(run.script, tool, fetching));
  });
}

/** `tool` fetches packages and no clean by the same tool (or `rm` of a cache) follows. */
function cleanMissing(script: ShellScript, tool: string, fetching: string[]): boolean {
  const cmds = script.commands;
  const fetch = cmds.findIndex((c) => programName(c) === tool && hasArg(c, ...fetching));
  if (fetch < 0) return false;
  return !cmds.some(
    (c, i) => i > fetch && ((programName(c) === tool && hasArg(c, 'clean')) || (programName(c) === 'rm' && c.args.some((a) => DNF_CACHES.test(a)))),
  );
}

export const DL3040 = rpmCleanRule('DL3040', DNF, DNF_FETCHING, '`dnf clean all` missing after dnf command.');

/** yum's own rule: `yum install` then `yum clean all` (or removing /var/cache/yum). */
export const DL3032 = rpmCleanRule('DL3032', ['yum'], ['install'], '`yum clean all` missing after yum command.');
