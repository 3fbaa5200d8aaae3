// What a snapshot's labels hold, and how they are written (the label names are in src/constants.ts).
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
