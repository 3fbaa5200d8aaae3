import type { Command } from '../command.ts';
import { openSession } from '../session.ts';
import { withSnapshotLock } from '../snapshot/lock.ts';
import { TAG_PREFIX } from '../snapshot/naming.ts';
import { squashSnapshot } from '../snapshot/squash.ts';
import { findSnapshot, loadSnapshots } from '../snapshot/store.ts';

export const command: Command = {
  name: 'squash',
  summary: 'flatten a snapshot into single-layer images (a long chain of saves gets deep)',
  usage: 'squash [<snapshot>]',
  description: [
    "Every save adds a layer on top of the last; overlayfs allows about 125. squash exports the snapshot's",
    'filesystems and imports them as one layer each, keeping its configuration, labels and name (default:',
    'the current snapshot). Later saves build on the flat images; older snapshots can then be removed',
    'with `npx dockervm rm` to free their layers (a running VM keeps its own until it is recreated).',
  ],
  options: {},
  positionals: { min: 0, max: 1 },
  examples: ['npx dockervm squash', 'npx dockervm squash snap-20261122T101500Z'],
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project } = session;
    const result = await withSnapshotLock(session, 'squash', async () => {
      const index = await loadSnapshots(engine, project);
      const snapshot = findSnapshot(index, ctx.positionals[0] ?? 'current', project.repository);
      ctx.checkpoint();
      return { snapshot, ...(await squashSnapshot(session, snapshot)) };
    });
    return {
      data: {
        snapshot: result.snapshot.id,
        image: result.imageId,
        volumesImage: result.volumesImageId ?? null,
        layersBefore: result.layersBefore,
        layersAfter: 1,
      },
      text: [`squashed ${TAG_PREFIX}${result.snapshot.id}: ${result.layersBefore} layers → 1`],
    };
  },
};
