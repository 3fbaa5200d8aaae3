// Networks: only what doctor needs to tell whether `compose up` can still create one.
import type { Engine } from './engine.ts';

export interface NetworkProbe {
  /** A network could be created (and was removed again). */
  ok: boolean;
  /** The engine's answer when it could not. */
  error?: string;
  /** Networks of the bridge driver that have no container attached. */
  unused: number;
  bridges: number;
}

/**
 * Creates and removes one internal bridge network. Compose creates a network per project, and the
 * engine's default address pools hold only about 31; once they are used up, every `up` fails.
 */
export async function probeNetworkCreation(engine: Engine, name: string, labels: Record<string, string>): Promise<NetworkProbe> {
  const list = await engine.call('list networks', () => engine.docker.listNetworks({ filters: { driver: ['bridge'] } }));
  const bridges = list.length;
  let unused = 0;
  // The list leaves Containers out: only an inspect tells whether a network is in use.
  for (const summary of list) {
    if (summary.Name === 'bridge') continue;
    const details = await engine.call('inspect a network', () => engine.docker.getNetwork(summary.Id).inspect()).catch(() => undefined);
    if (details && Object.keys(details.Containers ?? {}).length === 0) unused++;
  }
  let network;
  try {
    network = await engine.call('create a network', () => engine.docker.createNetwork({ Name: name, Driver: 'bridge', Internal: true, Labels: labels }));
  } catch (error) {
    return { ok: false, error: (error as Error).message, unused, bridges };
  }
  await engine.call(`remove the probe network ${name}`, () => network.remove());
  return { ok: true, unused, bridges };
}
