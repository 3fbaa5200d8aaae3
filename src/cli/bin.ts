// Entry of the dockervm bundle: wires the real process (streams, Ctrl-C, prompts) into main().
import { CancelledError } from '../errors.ts';
import { childOwnsTerminal, inCriticalSection } from './interrupts.ts';
import { main } from './main.ts';

const controller = new AbortController();
let interrupts = 0;
// Ctrl-C, a closed terminal and `kill` all mean "stop": at the next safe point, and never with a VM
// left frozen (see criticalSection). Exit status 128 + the signal's number, as shells report it.
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const stop = (signal: string) => {
  if (signal === 'SIGINT' && childOwnsTerminal()) return;
  interrupts++;
  if (interrupts > 1) {
    if (!inCriticalSection()) process.exit(SIGNAL_EXIT[signal] ?? 130);
    process.stderr.write('\ndockervm: the VM is frozen for a save: quitting as soon as it is thawed (well under a minute) …\n');
    return;
  }
  process.stderr.write(`\ndockervm: stopping at the next safe point (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit at once) …\n`);
  controller.abort(new CancelledError('cancelled: nothing was changed past the last completed step'));
};
// `dockervm new` is the scaffolder, which handles Ctrl-C itself.
if (process.argv[2] !== 'new') for (const signal of Object.keys(SIGNAL_EXIT)) process.on(signal, () => stop(signal));

process.exitCode = await main(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    self: process.argv[1],
    env: process.env,
    cwd: process.cwd(),
    // Loaded on first use: most runs ask nothing. Ctrl-C at a question is a cancel, exit 130.
    confirm: async (message, defaultAnswer) => {
      const { default: confirm } = await import('@inquirer/confirm');
      try {
        return await confirm({ message, default: defaultAnswer });
      } catch (error) {
        if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError'))
          throw new CancelledError('cancelled: nothing was changed');
        throw error;
      }
    },
  },
  controller.signal,
);
