// The options every dockervm command takes, in the same OptionSpec table style as the scaffolder's
// (src/create/options.ts), so the site can generate one CLI reference from both.
import type { OptionSpec } from '../create/options.ts';

export type { OptionSpec };
export type OptionTable = Record<string, OptionSpec>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean', description: 'print the result as one JSON object on stdout (logs stay on stderr)' },
  'project-dir': { type: 'string', value: 'DIR', description: 'the project (a directory with compose.yaml); default: the current directory or a parent' },
  yes: { type: 'boolean', short: 'y', description: 'never ask; take the safe default for every question' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
} satisfies OptionTable;

/** One help row per option, aligned; shared by the overall and the per-command help. */
export function optionRows(options: OptionTable): string[] {
  return Object.entries(options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(30)} ${option.description}`;
  });
}
