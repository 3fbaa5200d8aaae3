import { composeOrFail, runCompose } from '../../docker/compose.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { handOverTerminal } from '../interrupts.ts';
import { openSession } from '../session.ts';

export const command: Command = {
  name: 'logs',
  summary: "show the VM's output (docker compose logs)",
  usage: 'logs [--follow] [--tail N] [--all]',
  options: {
    follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
    tail: { type: 'string', short: 'n', value: 'N', description: 'only the last N lines (default: all)' },
    timestamps: { type: 'boolean', short: 't', description: 'prefix each line with its time' },
    all: { type: 'boolean', description: 'every service of the project (rootfs-init too), not only the VM' },
  },
  examples: ['npx dockervm logs -f', 'npx dockervm logs --tail 50 --json'],
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project } = session;
    const tail = ctx.string('tail');
    if (tail !== undefined && !/^\d+$/.test(tail)) throw new CLIError(`--tail must be a number of lines (got "${tail}")`);
    if (ctx.json && ctx.flag('follow')) throw new CLIError('--follow and --json do not go together: --json prints one object when the command ends');
    const args = [
      'logs',
      '--no-color',
      ...(tail ? ['--tail', tail] : []),
      ...(ctx.flag('timestamps') ? ['--timestamps'] : []),
      ...(ctx.flag('follow') ? ['--follow'] : []),
    ];
    const services = ctx.flag('all') ? [] : [project.service];
    if (!ctx.json) {
      const result = await handOverTerminal(() => runCompose(engine, project, [...args, ...services], 'inherit'));
      return { data: {}, exitCode: result.status === 130 || result.status === 0 ? 0 : 1 };
    }
    const result = await composeOrFail(engine, project, [...args, ...services], 'capture');
    return { data: { project: project.name, lines: result.stdout.split('\n').filter(Boolean) } };
  },
};
