// Alpine (apk) and Fedora/RHEL (dnf, microdnf) package rules, with hadolint's codes,
// severities and pinning conventions.
import { commandsNamed, hasArg, hasLongFlag, operands, programName } from '../commands.ts';
import type { ShellScript } from '../shell.ts';
import { hasCacheMountUnder, runRule } from './context.ts';

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
        // `=` pins exactly, `~` to a version prefix; a local .apk file carries its own version.
        .some((pkg) => !pkg.includes('=') && !pkg.includes('~') && !pkg.endsWith('.apk')),
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

/** `name-version[-release]`: every part after the first dash is version-like and one starts with a digit. */
function rpmPinned(pkg: string): boolean {
  if (pkg.endsWith('.rpm')) return true;
  const parts = pkg.split('-').slice(1);
  return parts.length > 0 && parts.every((p) => /^[A-Za-z0-9.~^_:+]+$/.test(p)) && parts.some((p) => /^\d/.test(p));
}

export const DL3041 = runRule(
  {
    code: 'DL3041',
    severity: 'warning',
    message: 'Specify version with `dnf install -y <package>-<version>`.',
  },
  (run) =>
    commandsNamed(run.script, ...DNF)
      .filter((c) => hasArg(c, 'install') && !hasArg(c, 'group', 'groupinstall'))
      .some((c) => {
        const names = operands(c, DNF_VALUES).filter((a) => a !== 'install' && a !== 'module');
        // Modules are pinned by stream (`nodejs:20`), packages by version.
        return hasArg(c, 'module') ? names.some((m) => !m.includes(':')) : names.some((p) => !rpmPinned(p));
      }),
);

/**
 * Each dnf/microdnf install must be followed by a clean in the same RUN. A cache mount over the
 * package cache also keeps it out of the layer, so it is accepted as well.
 */
export const DL3040 = runRule({ code: 'DL3040', severity: 'warning', message: '`dnf clean all` missing after dnf command.' }, (run) => {
  if (hasCacheMountUnder(run, '/var/cache/dnf') || hasCacheMountUnder(run, '/var/cache/yum')) return false;
  const cmds = run.script.commands;
  return DNF.some((tool) => {
    const install = cmds.findIndex((c) => programName(c) === tool && hasArg(c, 'install'));
    if (install < 0) return false;
    const cleaned = cmds.some(
      (c, i) =>
        i > install &&
        ((programName(c) === tool && hasArg(c, 'clean')) || (programName(c) === 'rm' && c.args.some((a) => /^\/var\/cache\/(?:dnf|yum)\b/.test(a)))),
    );
    return !cleaned;
  });
});
