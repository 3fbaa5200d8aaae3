import type { Command } from '../command.ts';
import { formatBytes } from '../messages.ts';
import { openSession } from '../session.ts';
import { withSnapshotLock } from '../snapshot/lock.ts';
import { TAG_PREFIX } from '../snapshot/naming.ts';
import { restoreSnapshot } from '../snapshot/restore.ts';
import { findSnapshot, loadSnapshots } from '../snapshot/store.ts';
import { snapshotJson } from './snapshots.ts';

export const command: Command = {
  name: 'restore',
  summary: 'bring the VM back to a snapshot (the current state is saved first)',
  usage: 'restore <snapshot>',
  description: [
    'Saves the current state as an automatic snapshot, then recreates the VM container from the',
    "snapshot's commit and puts its volume data back: the VM comes back exactly as it was saved.",
    'Restoring the automatic snapshot undoes the restore. <snapshot> is snap-<id>, <id>, a unique',
    'prefix of an id, or `current`.',
  ],
  options: {
    start: { type: 'boolean', description: 'start the VM afterwards (default: if it was running before, or when saved); --no-start to leave it stopped' },
  },
  positionals: { min: 1, max: 1 },
  examples: ['npx dockervm restore snap-20261122T101500Z', 'npx dockervm restore 20261122T10'],
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project } = session;
    const result = await withSnapshotLock(session, 'restore', async () => {
      const index = await loadSnapshots(engine, project);
      const target = findSnapshot(index, ctx.positionals[0] ?? '', project.repository);
      const start = ctx.flag('start');
      return restoreSnapshot(session, target, start === undefined ? {} : { start });
    });
    return {
      data: {
        restored: snapshotJson(result.restored),
        autoSave: result.autoSave ? snapshotJson(result.autoSave.snapshot) : null,
        started: result.started,
        copiedBytes: result.copiedBytes,
      },
      text: [
        `restored ${TAG_PREFIX}${result.restored.id}${result.restored.message ? ` "${result.restored.message}"` : ''} (${formatBytes(result.copiedBytes)} of volume data put back)${result.started ? '; the VM is running' : '; the VM is stopped (npx dockervm up)'}`,
        ...(result.autoSave ? [`undo: npx dockervm restore ${TAG_PREFIX}${result.autoSave.snapshot.id}`] : []),
      ],
    };
  },
};
