// Which package manager ran us, from the user agent it passes to every child (npm_config_user_agent,
// e.g. "pnpm/9.12.0 npm/? node/v22.12.0 linux x64"): the project is installed with the same one.
// Pure, so the parsing is unit tested; install.ts runs the command.

export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** The package manager named first in the user agent; npm when there is none or it is unknown. */
export function packageManagerFrom(userAgent: string | undefined): PackageManager {
  const name = userAgent?.trim().split(/\s+/)[0]?.split('/')[0]?.toLowerCase();
  return (PACKAGE_MANAGERS as readonly string[]).includes(name ?? '') ? (name as PackageManager) : 'npm';
}

/** The command that installs a project's dependencies, as a user would type it. */
export function installCommand(manager: PackageManager): { command: string; args: string[]; text: string } {
  const args = ['install'];
  return { command: manager, args, text: [manager, ...args].join(' ') };
}
