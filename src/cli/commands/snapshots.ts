import { topLayerSize } from '../../docker/images.ts';
import type { Command } from '../command.ts';
import { formatAge, formatBytes, table } from '../messages.ts';
import { openSession } from '../session.ts';
import { TAG_PREFIX } from '../snapshot/naming.ts';
import { loadSnapshots, type Snapshot } from '../snapshot/store.ts';

export function snapshotJson(s: Snapshot, size?: number) {
  return {
    id: s.id,
    name: `${TAG_PREFIX}${s.id}`,
    tag: s.tag,
    image: s.imageId,
    volumesImage: s.volumesImageId ?? null,
    message: s.message,
    kind: s.kind,
    parent: s.parent ?? null,
    created: s.created,
    engine: s.engine,
    running: s.running,
    volumes: s.volumes.map((v) => v.name),
    current: s.current,
    complete: s.complete,
    ...(size === undefined ? {} : { size }),
  };
}

export const command: Command = {
  name: 'snapshots',
  summary: 'list the snapshots (message, age, size), oldest first',
  usage: 'snapshots',
  description: [
    'Size is what each snapshot adds on disk: its container-layer commit plus its volume-data layer.',
    '* marks `current`: the snapshot the VM was last saved as or restored from.',
  ],
  options: {},
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project } = session;
    const index = await loadSnapshots(engine, project);
    const sizes = await Promise.all(
      index.snapshots.map(
        async (s) => (await topLayerSize(engine, s.imageId)) + (s.volumesImageId ? await topLayerSize(engine, s.volumesImageId).catch(() => 0) : 0),
      ),
    );
    const now = new Date();
    const rows = index.snapshots.map((s, i) => [
      `${s.current ? '*' : ' '} ${TAG_PREFIX}${s.id}`,
      formatAge(new Date(s.created), now),
      formatBytes(sizes[i] ?? 0),
      `${s.kind === 'auto' ? '(auto) ' : ''}${s.message}${s.complete ? '' : ' [INCOMPLETE: volume image missing]'}${s.damaged ? ' [DAMAGED: labels edited]' : ''}`,
    ]);
    return {
      data: { project: project.name, current: index.current ?? null, snapshots: index.snapshots.map((s, i) => snapshotJson(s, sizes[i])) },
      text:
        rows.length === 0 ? [`no snapshots of ${project.name} yet: \`npx dockervm save -m "…"\``] : table([['  NAME', 'CREATED', 'SIZE', 'MESSAGE'], ...rows]),
    };
  },
};
