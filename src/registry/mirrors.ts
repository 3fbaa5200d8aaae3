// Resolving through the registries the engine itself would pull from. An engine with registry-mirrors
// pulls Docker Hub images from its mirrors first and from Hub only when they fail, so a digest pinned
// from Hub alone may name an image the engine never gets (or Hub is unreachable while the mirror is
// not). Other registries are never mirrored by the engine: they are asked directly.
import type { ImageReference } from './reference.ts';
import { RegistryError, resolveIndexDigest, type ResolvedDigest, type ResolveOptions } from './resolve.ts';

export interface MirrorChain {
  /** The engine's registry mirrors (docker info), in its order. */
  engineMirrors: readonly string[];
  /** --registry-mirror / DOCKERVM_REGISTRY_MIRROR: asked after the engine's mirrors, instead of Hub. */
  configured: string | undefined;
}

/** Pure: the base URLs to ask, in order; undefined stands for the reference's own registry. */
export function registriesFor(ref: Pick<ImageReference, 'domain'>, chain: MirrorChain): (string | undefined)[] {
  if (ref.domain !== 'docker.io') return [undefined];
  const list = [...chain.engineMirrors, chain.configured];
  const seen = new Set<string>();
  return list.filter((url) => {
    const key = url?.replace(/\/+$/, '') ?? '';
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ResolvedVia extends ResolvedDigest {
  /** The registry that answered (undefined: the reference's own). */
  via: string | undefined;
}

/**
 * Asks each registry in turn until one answers; the last one's error when none does, with what
 * the others said. Each registry gets the whole timeout.
 */
export async function resolveThroughMirrors(ref: ImageReference, chain: MirrorChain, options: Omit<ResolveOptions, 'registryUrl'> = {}): Promise<ResolvedVia> {
  const failures: string[] = [];
  const registries = registriesFor(ref, chain);
  for (const [i, registryUrl] of registries.entries()) {
    try {
      const resolved = await resolveIndexDigest(ref, { ...options, ...(registryUrl ? { registryUrl } : {}) });
      return { ...resolved, via: registryUrl };
    } catch (error) {
      if (!(error instanceof RegistryError) || i === registries.length - 1) {
        if (error instanceof RegistryError && failures.length)
          throw new RegistryError(error.kind, `${error.message} (also tried ${failures.join('; ')})`, { cause: error });
        throw error;
      }
      failures.push(`${registryUrl}: ${error.kind}`);
    }
  }
  throw new RegistryError('protocol', `${ref.familiar}: no registry to ask`);
}

/** Pure: `docker info --format '{{json .RegistryConfig.Mirrors}}'` output → mirror URLs. */
export function parseMirrors(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string' && /^https?:\/\//.test(m)).map((m) => m.replace(/\/+$/, '')) : [];
  } catch {
    return [];
  }
}
