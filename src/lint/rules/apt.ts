// Debian/Ubuntu package rules. Codes, severities and the conditions follow hadolint; messages
// keep hadolint's wording so users recognise them.
import { commandsNamed, hasAnyFlag, hasArg, hasLongFlag, longFlagCount, operands, shortFlagCount } from '../commands.ts';
import type { Command } from '../shell.ts';
import { allRuns, hasCacheMountUnder, runRule, stageReachesImage, type RunInfo, type Rule } from './context.ts';

function aptGetInstalls(run: RunInfo): Command[] {
  return commandsNamed(run.script, 'apt-get').filter((c) => hasArg(c, 'install'));
}

/** Pinned as `pkg=version`; a `/` (release or path) or a `.deb` file also counts, as in hadolint. */
function aptPinned(pkg: string): boolean {
  return pkg.includes('=') || pkg.includes('/') || pkg.endsWith('.deb');
}

export const DL3008 = runRule(
  {
    code: 'DL3008',
    severity: 'warning',
    message: 'Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`',
  },
  (run) =>
    aptGetInstalls(run).some((c) =>
      operands(c, { short: ['t', 'o', 'c'], long: ['target-release', 'option', 'config-file'] })
        .filter((a) => a !== 'install')
        .some((pkg) => !aptPinned(pkg)),
    ),
);

/**
 * Lists fetched by `apt-get update` (or `apt update`, `aptitude update`) stay in the layer unless
 * removed in the same RUN or kept out by mounts. hadolint accepts a cache or tmpfs mount at
 * /var/lib/apt/lists, or at both /var/lib/apt and /var/cache/apt; /var/lib/apt alone still warns.
 * Stages that no image inherits are exempt, since their layers are thrown away; an ONBUILD
 * trigger never is, because it runs in whatever image builds on this one.
 *
 * Unlike hadolint, which takes any `rm -rf …` as the cleanup, the `rm` must name the lists.
 */
export const DL3009: Rule = {
  code: 'DL3009',
  severity: 'info',
  message: 'Delete the apt lists (/var/lib/apt/lists) after installing something',
  check: (ctx) =>
    allRuns(ctx)
      .filter((run) => {
        const updates = commandsNamed(run.script, 'apt-get', 'apt', 'aptitude').some((c) => hasArg(c, 'update'));
        if (!updates) return false;
        const removes = commandsNamed(run.script, 'rm').some((c) => c.args.some((a) => a.replace(/\/+$/, '').startsWith('/var/lib/apt/lists')));
        const mounted = hasCacheMountUnder(run, '/var/lib/apt/lists') || (hasCacheMountUnder(run, '/var/lib/apt') && hasCacheMountUnder(run, '/var/cache/apt'));
        return !removes && !mounted && (run.onbuild || stageReachesImage(ctx, run.instr.stage));
      })
      .map((run) => ({ line: run.instr.line })),
};

/** apt-get assumes yes with -y/--yes/--assume-yes, or at quiet level 2 (`-qq`, `-q -q`, `-q=2`). */
function assumesYes(c: Command): boolean {
  if (hasAnyFlag(c, ['y'], ['yes', 'assume-yes'])) return true;
  if (shortFlagCount(c, 'q') >= 2 || longFlagCount(c, 'quiet') >= 2) return true;
  return c.args.some((a) => /^(?:-q|--quiet)=([2-9]|\d{2,})$/.test(a));
}

export const DL3014 = runRule(
  {
    code: 'DL3014',
    severity: 'warning',
    message: 'Use the `-y` switch to avoid manual input `apt-get -y install <package>`',
  },
  // A single -q only quiets the output; apt-get still asks.
  (run) => aptGetInstalls(run).some((c) => !assumesYes(c)),
);

export const DL3015 = runRule(
  {
    code: 'DL3015',
    severity: 'info',
    message: 'Avoid additional packages by specifying `--no-install-recommends`',
  },
  (run) => aptGetInstalls(run).some((c) => !hasLongFlag(c, 'no-install-recommends') && !c.args.some((a) => /APT::Install-Recommends=(false|0)/i.test(a))),
);

export const DL3027 = runRule(
  {
    code: 'DL3027',
    severity: 'warning',
    message: 'Do not use apt as it is meant to be a end-user tool, use apt-get or apt-cache instead',
  },
  (run) => commandsNamed(run.script, 'apt').length > 0,
);
