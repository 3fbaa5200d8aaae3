// --help text, overall and per command, built from the same tables that drive parsing.
import type { AnyCommand, Command } from './command.ts';
import { COMMON_OPTIONS, optionRows } from './options.ts';

export function overallHelp(commands: readonly AnyCommand[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `dockervm ${version}: the lifecycle of a Docker VM made by create-dockervm`,
    '',
    'Usage: dockervm <command> [options]      (inside a project, or with --project-dir DIR)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command:',
    ...optionRows(COMMON_OPTIONS),
    '',
    "Run `npx dockervm <command> --help` for a command's options.",
    'Exit codes: 0 done, 1 error (or a check that failed), 130 cancelled with Ctrl-C.',
  ].join('\n');
}

export function commandHelp(command: Command, version: string): string {
  return [
    `dockervm ${command.name} (${version}): ${command.summary}`,
    '',
    `Usage: dockervm ${command.usage}`,
    ...(command.description?.length ? ['', ...command.description] : []),
    '',
    'Options:',
    ...optionRows(command.options),
    ...optionRows(COMMON_OPTIONS),
    ...(command.examples?.length ? ['', 'Examples:', ...command.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}
