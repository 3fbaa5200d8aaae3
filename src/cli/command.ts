// What a dockervm command is: a name, a summary, its own option table, and run(ctx). main.ts parses
// argv against COMMON_OPTIONS + the command's table, builds the Context, prints the result.
import type { Context, Io } from './context.ts';
import type { OptionTable } from './options.ts';

export interface CommandResult {
  /** The `--json` object (an `ok` field is added). */
  data: Record<string, unknown>;
  /** Human result lines for stdout; progress went to stderr while running. */
  text?: string[];
  /** 1 for "ran fine, but the answer is no" (pin --check, lint findings). */
  exitCode?: number;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. `restore <snapshot>`; the first word is the name. */
  usage: string;
  /** Paragraphs for --help. */
  description?: string[];
  options: OptionTable;
  positionals?: { min: number; max: number };
  examples?: string[];
  run(ctx: Context): Promise<CommandResult>;
}

/** Commands that own their argv entirely (`new` hands it to the scaffolder). */
export interface PassthroughCommand {
  name: string;
  summary: string;
  usage: string;
  options: OptionTable;
  passthrough(argv: string[], io: Pick<Io, 'stdout' | 'cwd' | 'self'>): Promise<number>;
}

export type AnyCommand = Command | PassthroughCommand;
