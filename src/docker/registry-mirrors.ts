// The registry mirrors the engine pulls Docker Hub images through (daemon.json registry-mirrors), for
// `dockervm pin`. Bounded, and never an error: no engine, or a slow one, means no mirrors.
import type { Engine } from './engine.ts';

export async function engineRegistryMirrors(engine: Engine, timeoutMs = 5000): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    const info = (await Promise.race([engine.call('read the engine info', () => engine.docker.info()).catch(() => undefined), late])) as
      | { RegistryConfig?: { Mirrors?: unknown } }
      | undefined;
    const mirrors = info?.RegistryConfig?.Mirrors;
    return Array.isArray(mirrors) ? mirrors.filter((m): m is string => typeof m === 'string' && /^https?:\/\//.test(m)).map((m) => m.replace(/\/+$/, '')) : [];
  } finally {
    clearTimeout(timer);
  }
}
