import { runCompose } from '../../docker/compose.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { handOverTerminal } from '../interrupts.ts';
import { openSession } from '../session.ts';
import { findVm } from '../vm.ts';

const LOGIN_SHELL = 'if command -v bash >/dev/null 2>&1; then exec bash -l "$@"; else exec sh -l "$@"; fi';

export const command: Command = {
  name: 'shell',
  summary: 'open a login shell in the VM as its user (or run one command)',
  usage: 'shell [--user NAME] [-- COMMAND …]',
  description: [
    'Runs `docker compose exec -u <user> vm bash -l` (sh when the VM has no bash). The user is the one the',
    'image runs as (the login user create-dockervm made), unless --user says otherwise. With a command',
    'after --, runs it in a login shell and exits with its status.',
  ],
  options: {
    user: { type: 'string', short: 'u', value: 'NAME', description: 'log in as this user (e.g. root)' },
  },
  positionals: { min: 0, max: Number.POSITIVE_INFINITY },
  examples: ['npx dockervm shell', 'npx dockervm shell -u root', 'npx dockervm shell -- uname -a'],
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project } = session;
    const vm = await findVm(session);
    if (!vm?.running) throw new CLIError(`${project.name} is not running: start it with \`npx dockervm up\``);
    if (vm.paused) throw new CLIError(`${project.name} is paused: \`npx dockervm up\` unpauses it`);
    const user = ctx.string('user') ?? (vm.user || 'root');
    const commandLine = ctx.positionals;
    if (ctx.json && commandLine.length === 0) throw new CLIError('--json needs a command to run: npx dockervm shell --json -- COMMAND');
    const tty = ctx.stdinIsTTY && !ctx.json;
    const shellArgs = commandLine.length ? ['-c', commandLine.join(' ')] : [];
    const args = ['exec', ...(tty ? [] : ['-T']), '-u', user, project.service, 'sh', '-c', LOGIN_SHELL, 'sh', ...shellArgs];
    const result = ctx.json ? await runCompose(engine, project, args, 'capture') : await handOverTerminal(() => runCompose(engine, project, args, 'inherit'));
    // Like ssh: the exit status is the remote command's.
    return { data: { user, exitCode: result.status, stdout: result.stdout, stderr: result.stderr }, exitCode: result.status };
  },
};
