// dockervm: finds the command, parses its flags, runs it, prints the result, maps errors to exit
// codes (0 ok, 1 error, 130 Ctrl-C). The only place that turns a CLIError into a printed line.
import { CancelledError, CLIError } from '../errors.ts';
import { VERSION } from '../version.ts';
import type { Command } from './command.ts';
import { loadAll, loadCommand, suggest } from './commands.ts';
import { checkPositionals, createContext, parseCommandArgs, type Io } from './context.ts';
import { commandHelp, overallHelp } from './help.ts';
import { createMessages, type Messages } from './messages.ts';

export async function main(argv: string[], io: Io, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const color = !io.env.NO_COLOR && !io.env.CI && Boolean((io.stderr as { isTTY?: boolean }).isTTY);
  const [name, ...rest] = argv;
  const wantsJson = argv.includes('--json');
  const out = createMessages(io, color, name && !name.startsWith('-') ? `dockervm ${name}` : 'dockervm');
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(`${overallHelp(await loadAll(), VERSION)}\n`);
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(wantsJson ? `${JSON.stringify({ ok: true, version: VERSION })}\n` : `${VERSION}\n`);
      return 0;
    }
    const command = await loadCommand(name);
    if (!command) {
      const close = name.startsWith('-') ? undefined : suggest(name);
      throw new CLIError(`unknown command "${name}"${close ? `: did you mean \`npx dockervm ${close}\`?` : ''} (see npx dockervm --help)`);
    }
    if ('passthrough' in command) return await command.passthrough(rest, io);
    return await runCommand(command, rest, io, out, signal);
  } catch (error) {
    const known = error instanceof CLIError ? error : signal.aborted ? new CancelledError('cancelled') : undefined;
    if (known) {
      out.error(known.message);
      if (wantsJson) io.stdout.write(`${JSON.stringify({ ok: false, error: known.message, exitCode: known.exitCode })}\n`);
      return known.exitCode;
    }
    // A bug, not a user mistake: show it whole so it can be reported.
    io.stderr.write(`dockervm: internal error, please report it:\n${(error as Error).stack ?? String(error)}\n`);
    if (wantsJson) io.stdout.write(`${JSON.stringify({ ok: false, error: `internal error: ${String(error)}`, exitCode: 1 })}\n`);
    return 1;
  }
}

async function runCommand(command: Command, argv: string[], io: Io, out: Messages, signal: AbortSignal): Promise<number> {
  const parsed = parseCommandArgs(command, argv);
  if (parsed.values.help === true) {
    io.stdout.write(`${commandHelp(command, VERSION)}\n`);
    return 0;
  }
  checkPositionals(command, parsed.positionals);
  const ctx = createContext(command, parsed, io, out, signal);
  const result = await command.run(ctx);
  const exitCode = result.exitCode ?? 0;
  if (ctx.json) io.stdout.write(`${JSON.stringify({ ok: exitCode === 0, ...result.data })}\n`);
  else for (const line of result.text ?? []) io.stdout.write(`${line}\n`);
  // Ctrl-C during a step that had to finish (see Context.checkpoint): the work is whole, but say so.
  return signal.aborted ? 130 : exitCode;
}
