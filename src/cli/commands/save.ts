import { inspectImage } from '../../docker/images.ts';
import type { Command } from '../command.ts';
import { formatBytes } from '../messages.ts';
import { openSession } from '../session.ts';
import { withSnapshotLock } from '../snapshot/lock.ts';
import { TAG_PREFIX } from '../snapshot/naming.ts';
import { saveSnapshot } from '../snapshot/save.ts';
import { snapshotJson } from './snapshots.ts';

const SQUASH_AT = 100;

export const command: Command = {
  name: 'save',
  summary: 'save a snapshot: the container layer and the persisted volumes',
  usage: 'save [-m MESSAGE]',
  description: [
    "A snapshot is the VM container's layer (docker commit) plus the data of the project's volumes",
    '(which docker commit skips), stored as images tagged dockervm/<project>:snap-<UTC time>. Only what',
    'changed since the last snapshot is copied, first while the VM runs; then the VM is frozen for the',
    'moment it takes to copy what changed meanwhile, so the snapshot is one instant. The VM stays',
    'healthy, and is never left frozen: a watchdog thaws it even if dockervm is killed. Tags move only',
    'once everything is written, so an interrupted save leaves the earlier snapshots and `current` as',
    "they were. Needs no registry: the VM's own image copies the data (DOCKERVM_HELPER_IMAGE to choose).",
  ],
  options: {
    message: { type: 'string', short: 'm', value: 'MESSAGE', description: 'what this snapshot is (shown by `npx dockervm snapshots`)' },
  },
  examples: ['npx dockervm save -m "before upgrading node"', 'npx dockervm save --json'],
  async run(ctx) {
    const session = await openSession(ctx);
    const message = ctx.string('message') ?? '';
    const result = await withSnapshotLock(session, 'save', () => saveSnapshot(session, { message, kind: 'manual' }));
    const { snapshot } = result;
    // overlayfs stacks at most ~125 layers; every save adds one to each chain.
    const depth = Math.max(
      ...(await Promise.all(
        [snapshot.imageId, snapshot.volumesImageId]
          .filter((i): i is string => Boolean(i))
          .map(async (i) => (await inspectImage(session.engine, i))?.layers ?? 0),
      )),
    );
    if (depth > SQUASH_AT) ctx.out.warn(`this snapshot is ${depth} layers deep (the engine stops at about 125): run \`npx dockervm squash\` to flatten it`);
    return {
      data: {
        snapshot: snapshotJson(snapshot),
        copiedBytes: result.copiedBytes,
        copiedPaths: result.copiedPaths,
        pausedMs: Math.round(result.pausedMs),
        freeze: result.freeze ?? null,
      },
      text: [
        `saved ${TAG_PREFIX}${snapshot.id}${message ? ` "${message}"` : ''} (${formatBytes(result.copiedBytes)} of volume data copied${result.freeze ? `, VM ${result.freeze === 'cgroup' ? 'frozen' : 'paused'} ${Math.round(result.pausedMs)} ms` : ''})`,
      ],
    };
  },
};
