// Squash: a snapshot as single-layer images. Each save adds one layer to the snapshot's commit and
// one to its volume image, and overlayfs stops at ~125 layers; flattening (export the filesystem,
// import it, put the configuration and labels back) starts the chains afresh. The snapshot keeps
// its name; its tags move to the flat images, so older snapshots can be removed for their space.
import { exportImageFilesystem, imageConfig, importTar, inspectImage, tagImage, untag, type ImageConfig } from '../../docker/images.ts';
import { CLIError } from '../../errors.ts';
import type { Session } from '../session.ts';
import { labelInstruction, quoteLabelValue } from './labels.ts';
import { currentTag, snapshotTag, TAG_PREFIX, volumesTag } from './naming.ts';
import type { Snapshot } from './store.ts';

/** The Dockerfile instructions `docker import --change` needs to give back an image's configuration. */
export function configChanges(config: ImageConfig, labels: Record<string, string>): string[] {
  const changes: string[] = [];
  if (config.entrypoint) changes.push(`ENTRYPOINT ${JSON.stringify(config.entrypoint)}`);
  if (config.cmd) changes.push(`CMD ${JSON.stringify(config.cmd)}`);
  for (const entry of config.env) {
    const eq = entry.indexOf('=');
    if (eq > 0) changes.push(`ENV ${entry.slice(0, eq)}=${quoteLabelValue(entry.slice(eq + 1))}`);
  }
  if (config.workingDir) changes.push(`WORKDIR ${config.workingDir}`);
  if (config.user) changes.push(`USER ${config.user}`);
  if (config.exposedPorts.length) changes.push(`EXPOSE ${config.exposedPorts.join(' ')}`);
  if (config.volumes.length) changes.push(`VOLUME ${JSON.stringify(config.volumes)}`);
  if (Object.keys(labels).length) changes.push(labelInstruction(labels));
  return changes;
}

async function flatten(session: Session, imageId: string, reference: string, labels: (config: ImageConfig) => Record<string, string>): Promise<string> {
  const { engine, out } = session;
  const config = await imageConfig(engine, imageId);
  const [repo, tag] = reference.split(/:(?=[^:/]+$)/) as [string, string];
  return out.timed(`flattening ${reference}`, async () =>
    importTar(engine, await exportImageFilesystem(engine, imageId), {
      repo,
      tag: `${tag}-squashing`,
      changes: configChanges(config, labels(config)),
      message: `dockervm squash of ${reference}`,
    }),
  );
}

/** Call with the snapshot lock held. Returns the new image IDs. */
export async function squashSnapshot(
  session: Session,
  snapshot: Snapshot,
): Promise<{ imageId: string; volumesImageId: string | undefined; layersBefore: number }> {
  const { engine, project } = session;
  const before = await inspectImage(engine, snapshot.imageId);
  if (!before) throw new CLIError(`${TAG_PREFIX}${snapshot.id}: its image is missing`);
  let volumesImageId: string | undefined;
  if (snapshot.volumesImageId) {
    volumesImageId = await flatten(session, snapshot.volumesImageId, volumesTag(project.repository, snapshot.id), (c) => c.labels);
  }
  const imageId = await flatten(session, snapshot.imageId, snapshotTag(project.repository, snapshot.id), (c) => c.labels);
  // Tags move only now that both flat images exist; the temporary -squashing tags go.
  if (volumesImageId) await tagImage(engine, volumesImageId, volumesTag(project.repository, snapshot.id));
  await tagImage(engine, imageId, snapshotTag(project.repository, snapshot.id));
  if (snapshot.current) await tagImage(engine, imageId, currentTag(project.repository));
  const latest = await inspectImage(engine, project.image);
  if (latest?.id === snapshot.imageId) await tagImage(engine, imageId, project.image);
  for (const temp of [`${snapshotTag(project.repository, snapshot.id)}-squashing`, `${volumesTag(project.repository, snapshot.id)}-squashing`]) {
    await untag(engine, temp);
  }
  return { imageId, volumesImageId, layersBefore: before.layers };
}
