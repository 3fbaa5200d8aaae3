// The labels a snapshot carries. Image labels cannot change after the image exists, so everything a
// snapshot needs to be restored is written at commit time; the "current" pointer is a tag instead.
export const LABEL = {
  project: 'dev.dockervm.project',
  role: 'dev.dockervm.role',
  snapshot: 'dev.dockervm.snapshot',
  message: 'dev.dockervm.snapshot.message',
  parent: 'dev.dockervm.snapshot.parent',
  created: 'dev.dockervm.snapshot.created',
  engine: 'dev.dockervm.snapshot.engine',
  kind: 'dev.dockervm.snapshot.kind',
  /** JSON list of the volumes saved with it (see SavedVolume). */
  volumes: 'dev.dockervm.snapshot.volumes',
  /** Whether the VM container was running (restore starts it again). */
  running: 'dev.dockervm.snapshot.running',
  persistence: 'dev.dockervm.snapshot.persistence',
  // On lock and helper containers.
  pid: 'dev.dockervm.pid',
  host: 'dev.dockervm.host',
  operation: 'dev.dockervm.operation',
} as const;

export const ROLE = {
  snapshot: 'snapshot',
  volumes: 'snapshot-volumes',
  helper: 'snapshot-helper',
  lock: 'lock',
  imported: 'imported',
} as const;

export type SnapshotKind = 'manual' | 'auto';

/** A volume as saved: enough to recreate it the way compose made it. */
export interface SavedVolume {
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

/** Label values are free text: one line, and quoted for a Dockerfile LABEL (which expands $VARS). */
export function quoteLabelValue(value: string): string {
  const oneLine = value.replace(/[\r\n\t]+/g, ' ');
  return `"${oneLine.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** One `LABEL k="v" …` instruction for `docker commit --change`. */
export function labelInstruction(labels: Readonly<Record<string, string>>): string {
  return `LABEL ${Object.entries(labels)
    .map(([k, v]) => `${k}=${quoteLabelValue(v)}`)
    .join(' ')}`;
}

/** The volumes label as dockervm writes it (a JSON list of SavedVolume), or undefined when it is not. */
export function readSavedVolumes(value: string | undefined): SavedVolume[] | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (!Array.isArray(parsed)) return undefined;
    const volumes = parsed as SavedVolume[];
    return volumes.every((v) => typeof v?.name === 'string' && typeof v.driver === 'string') ? volumes : undefined;
  } catch {
    return undefined;
  }
}
