// The scaffolder on a real terminal: wires the real prompts and process, maps errors to exit codes.
// Shared by the create-dockervm bin and `dockervm new`.
import { CancelledError, CLIError } from '../errors.ts';
import type { RenderTemplate } from '../render/templates.ts';
import type { Prompter } from './ask.ts';
import { runCreate } from './main.ts';

// Each prompt is loaded on its first use, from its own @inquirer package (the @inquirer/prompts
// collection also carries the editor prompt and its encoding tables): a run with --yes loads none.
const prompter = {
  input: async (config) => (await import('@inquirer/input')).default(config),
  select: async (config) => (await import('@inquirer/select')).default(config as never),
  confirm: async (config) => (await import('@inquirer/confirm')).default(config),
  checkbox: async (config) => (await import('@inquirer/checkbox')).default(config as never),
} as Prompter;

function isPromptExit(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

export async function main(argv: string[], command: string, render: RenderTemplate): Promise<number> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.on('SIGINT', onInterrupt);
  try {
    await runCreate({
      argv,
      env: process.env,
      stdinIsTTY: Boolean(process.stdin.isTTY),
      prompter,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: controller.signal,
      command,
      render,
    });
    return controller.signal.aborted ? 130 : 0;
  } catch (error) {
    const known = isPromptExit(error) ? new CancelledError() : error;
    if (known instanceof CLIError) {
      process.stderr.write(`${command}: ${known.message.split('\n').join(`\n${command}: `)}\n`);
      return known.exitCode;
    }
    // A bug, not a user mistake: show it whole so it can be reported.
    process.stderr.write(`${command}: internal error, please report it:\n${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
