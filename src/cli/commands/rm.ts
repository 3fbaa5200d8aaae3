import { untag } from '../../docker/images.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { openSession } from '../session.ts';
import { withSnapshotLock } from '../snapshot/lock.ts';
import { currentTag, TAG_PREFIX } from '../snapshot/naming.ts';
import { findSnapshot, loadSnapshots } from '../snapshot/store.ts';
import { snapshotJson } from './snapshots.ts';

export const command: Command = {
  name: 'rm',
  summary: 'delete a snapshot (not the current one, unless --force)',
  usage: 'rm <snapshot> [--force]',
  description: [
    "Removes the snapshot's tags; the engine frees the layers no other snapshot or container uses.",
    'The current snapshot is the only saved copy of the state the VM was last saved as or restored',
    'from, so deleting it needs --force.',
  ],
  options: {
    force: { type: 'boolean', short: 'f', description: 'delete even the current snapshot' },
  },
  positionals: { min: 1, max: 1 },
  examples: ['npx dockervm rm snap-20261122T101500Z'],
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project } = session;
    const removed = await withSnapshotLock(session, 'rm', async () => {
      const index = await loadSnapshots(engine, project);
      const target = findSnapshot(index, ctx.positionals[0] ?? '', project.repository);
      const { id } = target;
      if (target.current && !ctx.flag('force')) {
        throw new CLIError(
          `${TAG_PREFIX}${id} is current: the only saved copy of the state the VM was last saved as or restored from. Save again first, or add --force`,
        );
      }
      // The snapshot tag first: from that moment the snapshot no longer lists, whatever happens next.
      await untag(engine, target.tag);
      if (target.volumesTag) await untag(engine, target.volumesTag);
      if (target.current) await untag(engine, currentTag(project.repository));
      return target;
    });
    return {
      data: { removed: snapshotJson(removed) },
      text: [`removed ${TAG_PREFIX}${removed.id}${removed.current ? ' (it was current: there is no current snapshot now)' : ''}`],
    };
  },
};
