import { composeOrFail } from '../../docker/compose.ts';
import { unpauseContainer } from '../../docker/containers.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { portClash } from '../port-clash.ts';
import { startSeeded, WITHOUT_SEEDING } from '../seeded-start.ts';
import { openSession } from '../session.ts';
import { addresses, findVm, recoverInterrupted, vmState } from '../vm.ts';

export const command: Command = {
  name: 'up',
  summary: 'start the VM (docker compose up), building its image the first time',
  usage: 'up [--build] [--no-wait]',
  description: [
    'Runs `docker compose up --detach` and waits until the VM reports healthy. A VM left paused by an',
    'interrupted save is unpaused. A VM whose disk is already seeded starts without the rootfs-init',
    'one-shot (about a second sooner); a disk that is not seeded completely is seeded first.',
  ],
  options: {
    build: { type: 'boolean', description: 'rebuild the image from the Dockerfile first (the container layer is recreated; volumes stay)' },
    wait: { type: 'boolean', description: 'wait for the healthcheck (default: yes; --no-wait to return at once)' },
    'wait-timeout': { type: 'string', value: 'SECONDS', description: 'give up waiting after this long (default: 300)' },
  },
  examples: ['npx dockervm up', 'npx dockervm up --build'],
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project, out } = session;
    if (await recoverInterrupted(session)) out.info('cleaned up after an interrupted snapshot operation');
    const timeout = ctx.string('wait-timeout') ?? '300';
    if (!/^\d+$/.test(timeout)) throw new CLIError(`--wait-timeout must be a number of seconds (got "${timeout}")`);
    const wait = ctx.flag('wait') ?? true;
    const clash = await portClash(engine, project, await findVm(session));
    if (clash) throw new CLIError(clash);
    const build = ctx.flag('build') === true;
    const seeded = build ? { started: false } : await startSeeded(session);
    if (seeded.why) out.info(seeded.why);
    try {
      // Started already: the same `up`, now to wait for the healthcheck (it leaves running containers be).
      const start = seeded.started ? ['--no-build', ...WITHOUT_SEEDING] : build ? ['--build'] : [];
      if (!seeded.started || wait) await composeOrFail(engine, project, ['up', '--detach', ...start, ...(wait ? ['--wait', '--wait-timeout', timeout] : [])]);
    } catch (error) {
      // compose's own message is on the terminal above; point at the check for the usual causes.
      if (error instanceof CLIError && error.exitCode === 1) {
        // A port taken while the image was built (compose's own words went to the terminal, not to
        // us): name the holder after all.
        const late = await portClash(engine, project, await findVm(session));
        throw new CLIError(late ?? `${error.message}; \`npx dockervm doctor\` checks ports, networks, disk and the engine`);
      }
      throw error;
    }
    let vm = await findVm(session);
    if (vm?.paused) {
      await unpauseContainer(engine, vm.id);
      vm = await findVm(session);
    }
    const urls = addresses(vm?.ports ?? []);
    return {
      data: { project: project.name, state: vmState(vm), health: vm?.health ?? null, addresses: urls },
      text: [
        `${project.name} is ${vmState(vm)}${vm?.health ? ` (${vm.health})` : ''}`,
        ...urls.filter((a) => a.kind === 'novnc').map((a) => `  desktop: ${a.url}   (npx dockervm open; password: cat secrets/vnc_password)`),
        ...urls.filter((a) => a.kind === 'vnc').map((a) => `  VNC: ${a.url.replace('vnc://', '')}   (password: cat secrets/vnc_password)`),
        '  shell: npx dockervm shell',
      ],
    };
  },
};
