// Snapshot names and tags. A snapshot's id is its UTC creation time (yyyymmddThhmmssZ, sortable),
// with -2, -3 … when two saves fall in the same second. Tags live in the repository of the VM's own
// image (dockervm/<project>, see src/vmspec/image-name.ts):
//   <repository>:snap-<id>           the container layer (a commit of the VM)
//   <repository>:snap-<id>-volumes   the persisted volume data (see volume-plan.ts)
//   <repository>:snap-current        the snapshot the VM was last saved as or restored from
import { CLIError } from '../../errors.ts';

export const TAG_PREFIX = 'snap-';
export const CURRENT = 'current';
export const VOLUMES_SUFFIX = '-volumes';
const ID = /^\d{8}T\d{6}Z(?:-\d+)?$/;

export function timestampId(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The first free id for `date`: the timestamp, else timestamp-2, -3 … */
export function uniqueId(date: Date, taken: ReadonlySet<string>): string {
  const base = timestampId(date);
  if (!taken.has(base)) return base;
  for (let n = 2; n < 1000; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  throw new Error(`no free snapshot id for ${base}`);
}

export const isSnapshotId = (value: string) => ID.test(value);
export const snapshotTag = (repository: string, id: string) => `${repository}:${TAG_PREFIX}${id}`;
export const volumesTag = (repository: string, id: string) => `${repository}:${TAG_PREFIX}${id}${VOLUMES_SUFFIX}`;
export const currentTag = (repository: string) => `${repository}:${TAG_PREFIX}${CURRENT}`;

/** The id in a `<repository>:snap-<id>` tag, or undefined for any other tag (volumes, current, latest). */
export function idFromTag(repository: string, tag: string): string | undefined {
  const prefix = `${repository}:${TAG_PREFIX}`;
  if (!tag.startsWith(prefix)) return undefined;
  const id = tag.slice(prefix.length);
  return isSnapshotId(id) ? id : undefined;
}

/**
 * What the user typed for a snapshot: `snap-<id>`, `<id>`, `<repository>:snap-<id>`, `current`, or a
 * unique prefix of an id (`20261122T10`). Resolved against the ids that exist.
 */
export function resolveSnapshotArg(arg: string, repository: string, ids: readonly string[], current: string | undefined): string {
  let wanted = arg.trim();
  if (wanted.startsWith(`${repository}:`)) wanted = wanted.slice(repository.length + 1);
  if (wanted.startsWith(TAG_PREFIX)) wanted = wanted.slice(TAG_PREFIX.length);
  if (wanted === CURRENT) {
    if (!current) throw new CLIError('there is no current snapshot yet: save one with `npx dockervm save`');
    return current;
  }
  if (ids.includes(wanted)) return wanted;
  const matches = wanted.length >= 4 ? ids.filter((id) => id.startsWith(wanted)) : [];
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1)
    throw new CLIError(
      `"${arg}" matches ${matches.length} snapshots (${matches
        .slice(0, 3)
        .map((m) => TAG_PREFIX + m)
        .join(', ')} …): give more of the name`,
    );
  throw new CLIError(`no snapshot "${arg}" in ${repository}: see \`npx dockervm snapshots\``);
}
