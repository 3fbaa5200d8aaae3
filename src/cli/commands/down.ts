import { composeOrFail } from '../../docker/compose.ts';
import type { Command } from '../command.ts';
import { openSession, type Session } from '../session.ts';
import { withSnapshotLock } from '../snapshot/lock.ts';
import { TAG_PREFIX } from '../snapshot/naming.ts';
import { saveSnapshot } from '../snapshot/save.ts';
import { loadSnapshots } from '../snapshot/store.ts';
import { formatAge } from '../messages.ts';
import { findVm, unsavedChanges } from '../vm.ts';

const KEPT: Record<string, string> = {
  rootfs: 'the whole disk (/etc /home /opt /root /srv /usr /var) is in the rootfs volume and stays',
  volumes: 'the system directories are in volumes and stay',
  home: 'only /home and /root are in volumes',
  none: 'nothing is in a volume',
};

export const command: Command = {
  name: 'down',
  summary: 'stop and remove the VM container (volumes stay); warns about unsaved changes',
  usage: 'down [--save] [--force]',
  description: [
    '`docker compose down` deletes the container, and with it every change in its layer: in persistence',
    'mode none that is everything, in home mode all but /home and /root. dockervm looks first and, on a',
    'terminal, offers to save a snapshot. Volumes are never removed here (that is `docker compose down -v`).',
  ],
  options: {
    save: { type: 'boolean', description: 'save a snapshot first when the container layer has changes (no question)' },
    force: { type: 'boolean', short: 'f', description: 'do not check for unsaved changes' },
  },
  examples: ['npx dockervm down', 'npx dockervm down --save --yes'],
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project, out } = session;
    const vm = await findVm(session);
    let saved: string | undefined;
    let lost: string[] = [];
    if (vm && !ctx.flag('force')) {
      lost = await unsavedChanges(session, vm);
      if (lost.length > 0) {
        const current = (await loadSnapshots(engine, project)).snapshots.find((s) => s.current);
        out.warn(
          `${lost.length} changed path${lost.length === 1 ? '' : 's'} in the container layer would be deleted (${lost.slice(0, 3).join(', ')}${lost.length > 3 ? ', …' : ''}): ${KEPT[project.persistence]}.` +
            (current
              ? ` The last snapshot is ${TAG_PREFIX}${current.id} (${formatAge(new Date(current.created), new Date())}).`
              : ' There is no snapshot yet.'),
        );
        const save = ctx.flag('save') ?? (ctx.interactive ? await ctx.confirm('Save a snapshot before removing the container?', true) : false);
        if (save) saved = await saveFirst(session);
        else if (!ctx.interactive) out.info('not saved (add --save to save a snapshot first)');
      }
    }
    ctx.checkpoint();
    await composeOrFail(engine, project, ['down']);
    return {
      data: { project: project.name, removed: Boolean(vm), unsavedPaths: lost.length, saved: saved ?? null },
      text: [`${project.name} is down${saved ? ` (saved as ${TAG_PREFIX}${saved} first)` : ''}; \`npx dockervm up\` starts it again`],
    };
  },
};

async function saveFirst(session: Session): Promise<string> {
  const result = await withSnapshotLock(session, 'save', () => saveSnapshot(session, { message: 'saved by dockervm down', kind: 'auto' }));
  session.out.info(`saved ${TAG_PREFIX}${result.snapshot.id}`);
  return result.snapshot.id;
}
