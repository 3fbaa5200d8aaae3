// The scaffolder on a real terminal: wires the real prompts and process, maps errors to exit codes.
// Shared by the create-dockervm bin and `dockervm new`.
import { checkbox, confirm, input, select } from '@inquirer/prompts';
import { CancelledError, CLIError } from '../spec/errors.ts';
import type { Prompter } from './ask.ts';
import { runCreate } from './main.ts';

const prompter: Prompter = { input, select, confirm, checkbox } as Prompter;

function isPromptExit(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

export async function main(argv = process.argv.slice(2), command = 'create-dockervm'): Promise<number> {
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
