// Removing what a project made, for `dockervm destroy`: networks and volumes found by label, removed
// one at a time and idempotently (already gone is fine; a refusal keeps the engine's reason).
import { type Engine, isStatus } from './engine.ts';

const labelFilter = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

export interface NetworkSummary {
  id: string;
  name: string;
}

export async function findNetworks(engine: Engine, labels: Record<string, string>): Promise<NetworkSummary[]> {
  const list = await engine.call('list networks', () => engine.docker.listNetworks({ filters: { label: labelFilter(labels) } }));
  return list.map((n) => ({ id: n.Id, name: n.Name }));
}

export async function removeNetwork(engine: Engine, id: string): Promise<void> {
  try {
    await engine.call('remove a network', () => engine.docker.getNetwork(id).remove());
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
}

export async function removeVolume(engine: Engine, name: string): Promise<void> {
  try {
    await engine.call(`remove volume ${name}`, () => engine.docker.getVolume(name).remove());
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
}
