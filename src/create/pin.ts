// Pins base images to the digest their registry serves for the tag (the multi-arch index digest),
// asked where the engine will pull it from: its registry mirrors first, then --registry-mirror or
// the image's own registry. Offline or refused: a warning, the reference stays unpinned and is
// marked so; never a hang.
import { resolveThroughMirrors, registriesFor } from '../registry/mirrors.ts';
import { parseReference } from '../registry/reference.ts';
import { RegistryError } from '../registry/resolve.ts';
import type { BaseImage } from '../vmspec/types.ts';
import type { Messages } from './messages.ts';

export interface PinOptions {
  /** Base URL that serves Docker Hub's images (a mirror); other registries are asked directly. */
  registryMirror: string | undefined;
  /** The local engine's registry mirrors (docker info), asked first for Docker Hub images. */
  engineMirrors: readonly string[];
  timeoutMs: number;
  fetch?: typeof fetch;
}

export async function pinImage(image: BaseImage, options: PinOptions, messages: Messages): Promise<BaseImage> {
  const reference = parseReference(image.reference);
  const chain = { engineMirrors: options.engineMirrors, configured: options.registryMirror };
  const asked = registriesFor(reference, chain).filter((r): r is string => r !== undefined);
  const started = performance.now();
  messages.progress(
    `resolving ${image.reference}${asked.length ? ` via ${asked.join(', then ')}` : ''}${asked.length && registriesFor(reference, chain).includes(undefined) ? ', then its registry' : ''} …`,
  );
  try {
    const { digest } = await resolveThroughMirrors(reference, chain, { timeoutMs: options.timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) });
    messages.pinned(image.reference, digest, (performance.now() - started) / 1000);
    return { ...image, digest };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    messages.warn(`not pinned: ${error.message}. The Dockerfile uses the tag; run \`npx dockervm pin\` later.`);
    return { ...image, unpinnedReason: `${error.kind} when resolving at creation` };
  }
}
