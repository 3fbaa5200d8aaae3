// Pins base images to the digest their registry serves for the tag (the multi-arch index digest).
// Offline or refused: a warning, the reference stays unpinned and is marked so; never a hang.
import { parseReference } from '../registry/reference.ts';
import { RegistryError, resolveIndexDigest, type ResolveOptions } from '../registry/resolve.ts';
import type { BaseImage } from '../spec/types.ts';
import type { Messages } from './messages.ts';

export interface PinOptions {
  /** Base URL that serves Docker Hub's images (a mirror); other registries are asked directly. */
  registryMirror: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export async function pinImage(image: BaseImage, options: PinOptions, messages: Messages): Promise<BaseImage> {
  const reference = parseReference(image.reference);
  const resolveOptions: ResolveOptions = {
    timeoutMs: options.timeoutMs,
    ...(options.registryMirror && reference.domain === 'docker.io' ? { registryUrl: options.registryMirror } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const started = performance.now();
  messages.progress(`resolving ${image.reference}${resolveOptions.registryUrl ? ` via ${resolveOptions.registryUrl}` : ''} …`);
  try {
    const { digest } = await resolveIndexDigest(reference, resolveOptions);
    messages.pinned(image.reference, digest, (performance.now() - started) / 1000);
    return { ...image, digest };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    messages.warn(`not pinned: ${error.message}. The Dockerfile uses the tag; run \`npx dockervm pin\` later.`);
    return { ...image, unpinnedReason: `${error.kind} when resolving at creation` };
  }
}
