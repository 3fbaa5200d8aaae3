// The Context: the only code that reads argv and the environment. Commands get typed accessors for
// their options instead of parseArgs' loose record.
import { parseArgs } from 'node:util';
import { CLIError } from '../errors.ts';
import type { Command } from './command.ts';
import type { Messages } from './messages.ts';
import { COMMON_OPTIONS } from './options.ts';

export type Confirm = (question: string, defaultAnswer: boolean) => Promise<boolean>;

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdinIsTTY: boolean;
  /** stdout is a terminal (colours in lint's report). */
  stdoutIsTTY?: boolean;
  /** The running dockervm's own script, to run it again as a child (`new --json`, `import --new`). */
  self?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  confirm: Confirm;
}

export interface Context {
  command: string;
  positionals: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  json: boolean;
  yes: boolean;
  /** Questions may be asked: a terminal, no --yes, no --json. */
  interactive: boolean;
  /** stdin is a terminal (for `shell`, which needs one). */
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  self: string | undefined;
  /** Where results go (commands return them; only a command that hands over to another writes). */
  stdout: NodeJS.WritableStream;
  projectDir: string | undefined;
  signal: AbortSignal;
  out: Messages;
  confirm: Confirm;
  string(name: string): string | undefined;
  strings(name: string): string[];
  flag(name: string): boolean | undefined;
  /** Throws the CancelledError when Ctrl-C was pressed: call between steps that can stop cleanly. */
  checkpoint(): void;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function parseCommandArgs(command: Command, argv: string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
    return { values: values as Values, positionals };
  } catch (error) {
    const message = (error as Error).message.split('. ')[0];
    throw new CLIError(`${message} (see npx dockervm ${command.name} --help)`);
  }
}

export function checkPositionals(command: Command, positionals: string[]): void {
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (positionals.length < min) throw new CLIError(`missing argument: usage: npx dockervm ${command.usage} (see --help)`);
  if (positionals.length > max) {
    throw new CLIError(
      `unexpected argument${positionals.length - max > 1 ? 's' : ''} ${positionals
        .slice(max)
        .map((p) => JSON.stringify(p))
        .join(' ')}: usage: npx dockervm ${command.usage}`,
    );
  }
}

export function createContext(command: Command, parsed: { values: Values; positionals: string[] }, io: Io, out: Messages, signal: AbortSignal): Context {
  const { values, positionals } = parsed;
  const json = values.json === true;
  const yes = values.yes === true;
  const string = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    command: command.name,
    positionals,
    cwd: io.cwd,
    env: io.env,
    json,
    yes,
    interactive: io.stdinIsTTY && !yes && !json && !io.env.CI,
    stdinIsTTY: io.stdinIsTTY,
    stdoutIsTTY: io.stdoutIsTTY ?? false,
    self: io.self,
    stdout: io.stdout,
    projectDir: string('project-dir'),
    signal,
    out,
    confirm: io.confirm,
    string,
    strings: (name) => {
      const value = values[name];
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
    },
    flag: (name) => {
      const value = values[name];
      return typeof value === 'boolean' ? value : undefined;
    },
    checkpoint: () => {
      if (signal.aborted) throw signal.reason instanceof CLIError ? signal.reason : new CLIError('cancelled', 130);
    },
  };
}
