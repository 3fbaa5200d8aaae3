// Images: listed by label, tagged and untagged one reference at a time, pulled with progress.
import { type Engine, isStatus } from './engine.ts';
import { COMPOSE_LABEL, LABEL, ROLE } from '../constants.ts';

export interface ImageSummary {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  created: number;
  size: number;
}

export interface ImageDetails {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  size: number;
  layers: number;
  user: string;
  os: string;
  architecture: string;
}

export async function listImages(engine: Engine, labels: Record<string, string>): Promise<ImageSummary[]> {
  const list = await engine.call('list images', () =>
    engine.docker.listImages({ all: false, filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } }),
  );
  return list.map((i) => ({
    id: i.Id,
    tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
    labels: i.Labels ?? {},
    created: i.Created,
    size: i.Size,
  }));
}

export async function inspectImage(engine: Engine, ref: string): Promise<ImageDetails | undefined> {
  try {
    const i = await engine.call(`inspect image ${ref}`, () => engine.docker.getImage(ref).inspect());
    return {
      id: i.Id,
      tags: i.RepoTags ?? [],
      labels: i.Config?.Labels ?? {},
      size: i.Size,
      layers: i.RootFS?.Layers?.length ?? 0,
      user: i.Config?.User ?? '',
      os: i.Os,
      architecture: i.Architecture,
    };
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/** `repo:tag` → [repo, tag], keeping a registry port in the repo (`127.0.0.1:5000/x:y`). */
export function splitTag(reference: string): [string, string] {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon > slash ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, 'latest'];
}

/** Points `reference` at the image (moves the tag if it exists: one atomic engine operation). */
export async function tagImage(engine: Engine, imageId: string, reference: string): Promise<void> {
  const [repo, tag] = splitTag(reference);
  await engine.call(`tag ${reference}`, () => engine.docker.getImage(imageId).tag({ repo, tag }));
}

/**
 * Removes one tag. The image itself goes too when no other tag, child image or running container
 * needs it (force: without it the engine refuses to drop the last tag of an image a stopped
 * container was made from, such as compose's exited rootfs-init). Missing tags are fine.
 */
export async function untag(engine: Engine, reference: string): Promise<void> {
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(reference)) throw new Error(`untag takes a tag, not an image ID (${reference})`);
  try {
    await engine.call(`remove the tag ${reference}`, () => engine.docker.getImage(reference).remove({ force: true, noprune: false }));
  } catch (error) {
    if (!isStatus(error, 404, 409)) throw error;
  }
}

/** Removes an image by ID when it is unused (no tags, children or containers); quietly keeps it otherwise. */
export async function removeImageIfUnused(engine: Engine, imageId: string): Promise<boolean> {
  try {
    await engine.call('remove an image', () => engine.docker.getImage(imageId).remove({ force: false, noprune: false }));
    return true;
  } catch (error) {
    if (isStatus(error, 404, 409)) return false;
    throw error;
  }
}

/** Size of the image's own top layer (what a commit added), from its history. */
export async function topLayerSize(engine: Engine, imageId: string): Promise<number> {
  const history = (await engine.call('read image history', () => engine.docker.getImage(imageId).history())) as { Size: number }[];
  return history[0]?.Size ?? 0;
}

/** Pulls an image if it is not present; progress lines go to `log`. */
export async function ensureImage(engine: Engine, reference: string, log: (line: string) => void): Promise<string> {
  const present = await inspectImage(engine, reference);
  if (present) return present.id;
  log(`pulling ${reference} …`);
  const stream = await engine.call(`pull ${reference}`, () => engine.docker.pull(reference));
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(engine.translate(`pull ${reference}`, error)) : resolve()));
  });
  const pulled = await inspectImage(engine, reference);
  if (!pulled) throw new Error(`pull of ${reference} reported success but the image is missing`);
  return pulled.id;
}

/** `docker import`: a root filesystem tar → a one-layer image tagged repo:tag. Returns its ID. */
export async function importTar(
  engine: Engine,
  tar: NodeJS.ReadableStream,
  options: { repo: string; tag: string; changes: string[]; message: string; signal?: AbortSignal },
): Promise<string> {
  const response = (await engine.call('import the image', () =>
    engine.docker.importImage(tar, {
      repo: options.repo,
      tag: options.tag,
      changes: options.changes,
      message: options.message,
      ...(options.signal ? { abortSignal: options.signal } : {}),
    }),
  )) as NodeJS.ReadableStream;
  const events = await new Promise<{ status?: string; error?: string }[]>((resolve, reject) => {
    engine.docker.modem.followProgress(response, (error: Error | null, output: { status?: string; error?: string }[]) =>
      error ? reject(engine.translate('import the image', error)) : resolve(output ?? []),
    );
  });
  const failure = events.find((e) => e.error);
  if (failure) throw engine.translate('import the image', { statusCode: 500, json: { message: failure.error } });
  const image = await inspectImage(engine, `${options.repo}:${options.tag}`);
  if (!image) throw new Error(`the engine imported ${options.repo}:${options.tag} but does not show it`);
  return image.id;
}

export interface ImageConfig {
  cmd: string[] | null;
  entrypoint: string[] | null;
  env: string[];
  workingDir: string;
  user: string;
  exposedPorts: string[];
  volumes: string[];
  labels: Record<string, string>;
}

export async function imageConfig(engine: Engine, ref: string): Promise<ImageConfig> {
  const i = await engine.call(`inspect image ${ref}`, () => engine.docker.getImage(ref).inspect());
  const c = i.Config ?? ({} as typeof i.Config);
  const list = (value: unknown) => (Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : null);
  return {
    cmd: list(c.Cmd),
    entrypoint: list(c.Entrypoint),
    env: c.Env ?? [],
    workingDir: c.WorkingDir ?? '',
    user: c.User ?? '',
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    volumes: Object.keys(c.Volumes ?? {}),
    labels: c.Labels ?? {},
  };
}

/** The image's whole filesystem as one tar stream (docker export of a never-started container). */
export async function exportImageFilesystem(engine: Engine, imageId: string): Promise<NodeJS.ReadableStream> {
  const container = await engine.call('create a container to export', () =>
    engine.docker.createContainer({
      Image: imageId,
      Entrypoint: ['/nonexistent'],
      Labels: { [LABEL.role]: ROLE.helper, [COMPOSE_LABEL.project]: '' },
    }),
  );
  const stream = await engine.call('export a filesystem', () => container.export());
  const remove = () => void container.remove({ force: true }).catch(() => undefined);
  stream.on('end', remove);
  stream.on('error', remove);
  stream.on('close', remove);
  return stream;
}

/** Pushes one reference; progress lines go to `log`. `auth` is the engine's X-Registry-Auth (src/registry/credentials.ts). */
export async function pushImage(
  engine: Engine,
  reference: string,
  auth: { serveraddress: string; username?: string; password?: string; identitytoken?: string } | undefined,
  log: (line: string) => void,
): Promise<string | undefined> {
  const [repo, tag] = splitTag(reference);
  const stream = (await engine.call(`push ${reference}`, () =>
    engine.docker.getImage(repo).push({ tag, ...(auth ? { authconfig: auth } : {}) }),
  )) as NodeJS.ReadableStream;
  let digest: string | undefined;
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (error: Error | null, output: { error?: string; aux?: { Digest?: string } }[]) => {
        if (error) return reject(engine.translate(`push ${reference}`, error));
        const failure = output?.find((o) => o.error);
        if (failure) return reject(engine.translate(`push ${reference}`, { statusCode: 500, json: { message: failure.error } }));
        digest = output?.find((o) => o.aux?.Digest)?.aux?.Digest;
        resolve();
      },
      (event: { status?: string; id?: string }) => {
        if (event.status && /Pushed|Layer already exists|Mounted/.test(event.status)) log(`  ${event.id ?? ''} ${event.status}`);
      },
    );
  });
  return digest;
}
