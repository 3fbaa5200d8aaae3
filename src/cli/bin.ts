// Entry of the dockervm bundle: wires the real process (streams, Ctrl-C, prompts) into main().
import { CancelledError } from '../spec/errors.ts';
import { childOwnsTerminal } from './interrupts.ts';
import { main } from './main.ts';

const controller = new AbortController();
let interrupts = 0;
// `dockervm new` is the scaffolder, which handles Ctrl-C itself.
if (process.argv[2] !== 'new') process.on('SIGINT', () => {
  if (childOwnsTerminal()) return;
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\ndockervm: stopping at the next safe point (Ctrl-C again to quit at once) …\n');
  controller.abort(new CancelledError('cancelled: nothing was changed past the last completed step'));
});

process.exitCode = await main(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    env: process.env,
    cwd: process.cwd(),
    // Loaded on first use: most runs ask nothing. Ctrl-C at a question is a cancel, exit 130.
    confirm: async (message, defaultAnswer) => {
      const { default: confirm } = await import('@inquirer/confirm');
      try {
        return await confirm({ message, default: defaultAnswer });
      } catch (error) {
        if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) throw new CancelledError('cancelled: nothing was changed');
        throw error;
      }
    },
  },
  controller.signal,
);
