// What `dockervm destroy` removes, found on the engine by label (ours and compose's), listed before
// anything is touched: containers, volumes (the VM's disk), networks, the VM image, the snapshots.
import { findContainers } from '../docker/containers.ts';
import type { Engine } from '../docker/engine.ts';
import { listImages } from '../docker/images.ts';
import { findNetworks } from '../docker/remove.ts';
import { listVolumes } from '../docker/volumes.ts';
import type { Project } from './project.ts';
import { COMPOSE_LABEL, LABEL, ROLE } from '../constants.ts';

export interface DestroyPlan {
  containers: { id: string; name: string; role: string | undefined }[];
  volumes: string[];
  networks: { id: string; name: string }[];
  /** Images to remove: their tags (untagged ones by id). */
  images: { id: string; tags: string[] }[];
  /** Snapshot images kept by --keep-snapshots. */
  keptSnapshots: { id: string; tags: string[] }[];
}

const byKey = <T>(items: T[], key: (item: T) => string) => [...new Map(items.map((i) => [key(i), i])).values()];

export async function destroyPlan(engine: Engine, project: Project, keepSnapshots: boolean): Promise<DestroyPlan> {
  const ours = { [LABEL.project]: project.name };
  const composes = { [COMPOSE_LABEL.project]: project.name };
  const containers = byKey([...(await findContainers(engine, ours)), ...(await findContainers(engine, composes))], (c) => c.id);
  const volumes = byKey([...(await listVolumes(engine, ours)), ...(await listVolumes(engine, composes))], (v) => v.name).map((v) => v.name);
  const networks = byKey([...(await findNetworks(engine, ours)), ...(await findNetworks(engine, composes))], (n) => n.id);
  const images = await listImages(engine, ours);
  const snapshot = (i: { labels: Record<string, string> }) => i.labels[LABEL.role] === ROLE.snapshot || i.labels[LABEL.role] === ROLE.volumes;
  const kept = keepSnapshots ? images.filter(snapshot) : [];
  return {
    containers: containers.map((c) => ({ id: c.id, name: c.name, role: c.labels[LABEL.role] })),
    volumes,
    networks,
    // snap-current is a tag of a snapshot image: it goes with the snapshots, or stays with them.
    images: images.filter((i) => !kept.includes(i)).map((i) => ({ id: i.id, tags: i.tags })),
    keptSnapshots: kept.map((i) => ({ id: i.id, tags: i.tags })),
  };
}

/** Pure: the listing shown before the question (and after --yes, as what was removed). */
export function describePlan(plan: DestroyPlan): string[] {
  const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
  const lines: string[] = [];
  const section = (title: string, items: string[]) => {
    if (items.length) lines.push(`  ${title} (${items.length}): ${items.join(', ')}`);
  };
  section(
    'containers',
    plan.containers.map((c) => c.name),
  );
  section('volumes', plan.volumes);
  section(
    'networks',
    plan.networks.map((n) => n.name),
  );
  section(
    'images',
    plan.images.flatMap((i) => (i.tags.length ? i.tags : [short(i.id)])),
  );
  if (plan.keptSnapshots.length)
    lines.push(`  kept (--keep-snapshots): ${plan.keptSnapshots.flatMap((i) => (i.tags.length ? i.tags : [short(i.id)])).join(', ')}`);
  return lines;
}

export const isEmpty = (plan: DestroyPlan) => plan.containers.length + plan.volumes.length + plan.networks.length + plan.images.length === 0;
