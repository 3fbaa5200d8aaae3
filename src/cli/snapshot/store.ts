// Snapshots as the engine holds them: images labelled with the project and a role, and tags. A
// snapshot exists when its `snap-<id>` tag does (that tag is written last, after everything else),
// and is whole when its volume image is there too.
import type { ImageSummary } from '../../docker/images.ts';
import { listImages } from '../../docker/images.ts';
import type { Engine } from '../../docker/engine.ts';
import { LABEL, ROLE } from '../../constants.ts';
import { readSavedVolumes, type SavedVolume, type SnapshotKind } from './labels.ts';
import { currentTag, idFromTag, resolveSnapshotArg, snapshotTag, volumesTag } from './naming.ts';

export interface Snapshot {
  id: string;
  tag: string;
  imageId: string;
  message: string;
  parent: string | undefined;
  created: string;
  engine: string;
  kind: SnapshotKind;
  running: boolean;
  persistence: string;
  volumes: SavedVolume[];
  /** ID of the volume image (tagged snap-<id>-volumes); undefined when missing or not needed. */
  volumesImageId: string | undefined;
  volumesTag: string | undefined;
  /** The volume image is present (or none is needed). */
  complete: boolean;
  /** Why the snapshot's labels cannot be trusted (edited by hand, or cut short), if they cannot. */
  damaged?: string;
  current: boolean;
}

export interface SnapshotIndex {
  snapshots: Snapshot[];
  current: string | undefined;
  /** `snap-<id>-volumes` tags whose snapshot tag was never written (a save killed in between). */
  orphanVolumeTags: string[];
}

/** Whose snapshots: the project label on the images, the repository their tags live in. */
export interface SnapshotOwner {
  name: string;
  repository: string;
}

/** Pure: the snapshot list from the project's labelled images. Oldest first. */
export function indexSnapshots(owner: SnapshotOwner, images: readonly ImageSummary[]): SnapshotIndex {
  const { name: project, repository } = owner;
  // The volume image of a snapshot is the one tagged snap-<id>-volumes and labelled with that id.
  const volumeImages = new Map<string, ImageSummary>();
  for (const image of images) {
    if (image.labels[LABEL.role] !== ROLE.volumes) continue;
    for (const tag of image.tags) {
      const id = image.labels[LABEL.snapshot];
      if (id && tag === volumesTag(repository, id)) volumeImages.set(id, image);
    }
  }
  const currentImage = images.find((i) => i.tags.includes(currentTag(repository)));
  const snapshots: Snapshot[] = [];
  for (const image of images) {
    if (image.labels[LABEL.role] !== ROLE.snapshot || image.labels[LABEL.project] !== project) continue;
    for (const tag of image.tags) {
      const id = idFromTag(repository, tag);
      // A tag the user copied onto another snapshot's image is not that snapshot.
      if (!id || image.labels[LABEL.snapshot] !== id) continue;
      const read = readSavedVolumes(image.labels[LABEL.volumes]);
      const volumes = read ?? [];
      const volumeImage = volumeImages.get(id);
      const volumesImageId = volumeImage?.id;
      snapshots.push({
        id,
        tag,
        imageId: image.id,
        message: image.labels[LABEL.message] ?? '',
        parent: image.labels[LABEL.parent] || undefined,
        created: image.labels[LABEL.created] ?? new Date(image.created * 1000).toISOString(),
        engine: image.labels[LABEL.engine] ?? '',
        kind: image.labels[LABEL.kind] === 'auto' ? 'auto' : 'manual',
        running: image.labels[LABEL.running] === 'true',
        persistence: image.labels[LABEL.snapshotPersistence] ?? '',
        volumes,
        volumesImageId,
        volumesTag: volumeImage ? volumesTag(repository, id) : undefined,
        complete: volumes.length === 0 || volumeImage !== undefined,
        ...(read ? {} : { damaged: `its ${LABEL.volumes} label is not the list of volumes dockervm writes` }),
        current: currentImage?.id === image.id && currentImage.labels[LABEL.snapshot] === id,
      });
    }
  }
  snapshots.sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  const ids = new Set(snapshots.map((s) => s.id));
  const orphanVolumeTags = [...volumeImages.entries()].filter(([id]) => !ids.has(id)).map(([id]) => volumesTag(repository, id));
  return { snapshots, current: snapshots.find((s) => s.current)?.id, orphanVolumeTags };
}

export async function loadSnapshots(engine: Engine, owner: SnapshotOwner): Promise<SnapshotIndex> {
  return indexSnapshots(owner, await listImages(engine, { [LABEL.project]: owner.name }));
}

/** The snapshot the user named (see resolveSnapshotArg for what may be typed). */
export function findSnapshot(index: SnapshotIndex, arg: string, repository: string): Snapshot {
  const id = resolveSnapshotArg(
    arg,
    repository,
    index.snapshots.map((s) => s.id),
    index.current,
  );
  const found = index.snapshots.find((s) => s.id === id);
  if (!found) throw new Error(`snapshot ${id} was resolved but is not in the index`);
  return found;
}

export { snapshotTag };
