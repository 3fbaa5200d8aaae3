// Seat snapshots as the manager's engine holds them (pure once the images are listed). A seat's
// state is its disk (Swarm throws a seat's container away whenever it replaces the task), and that
// disk lives on another node, out of reach of the engine dockervm talks to: so a seat snapshot is
// not a VM snapshot (`snap-<id>`, a commit of the VM's container plus a volume image made beside
// the volumes). It is one image on the manager, the seat's image with the disk's tree added under
// SNAPSHOT_DIR, tagged in the project's repository:
//   <repository>:fleet-<seat>-<id>     the id as `dockervm save` makes them (UTC time, sortable)
// and labelled with the project, the role fleet-snapshot, the seat, the id, the message and the disk.
// One `fleet save` gives every seat it saves the same id.
import type { ImageSummary } from '../../docker/images.ts';
import { LABEL, ROLE } from '../../constants.ts';
import { CLIError } from '../../errors.ts';
import { isSnapshotId } from '../snapshot/naming.ts';

export const SNAPSHOT_DIR = '/.dockervm-seat-disk';
const PREFIX = 'fleet-';

export interface SeatSnapshot {
  seat: string;
  id: string;
  tag: string;
  imageId: string;
  message: string;
  created: string;
  /** The disk's directories, their tar's size and sha256 (as both ends of the copy counted them). */
  dirs: string[];
  bytes: number;
  sha256: string;
}

export const seatSnapshotTag = (repository: string, seat: string, id: string) => `${repository}:${PREFIX}${seat}-${id}`;

export function diskLabel(disk: { dirs: string[]; bytes: number; sha256: string }): string {
  return JSON.stringify({ dirs: disk.dirs, bytes: disk.bytes, sha256: disk.sha256 });
}

function readDisk(value: string | undefined): { dirs: string[]; bytes: number; sha256: string } | undefined {
  try {
    const d = JSON.parse(value ?? '') as { dirs?: unknown; bytes?: unknown; sha256?: unknown };
    if (!Array.isArray(d.dirs) || typeof d.bytes !== 'number' || typeof d.sha256 !== 'string') return undefined;
    return { dirs: d.dirs.map(String), bytes: d.bytes, sha256: d.sha256 };
  } catch {
    return undefined;
  }
}

/** Oldest first. A tag counts only on an image whose labels name the same seat and id. */
export function indexSeatSnapshots(owner: { name: string; repository: string }, images: readonly ImageSummary[]): SeatSnapshot[] {
  const found: SeatSnapshot[] = [];
  for (const image of images) {
    if (image.labels[LABEL.role] !== ROLE.fleetSnapshot || image.labels[LABEL.project] !== owner.name) continue;
    const seat = image.labels[LABEL.fleetSeat] ?? '';
    const id = image.labels[LABEL.snapshot] ?? '';
    const disk = readDisk(image.labels[LABEL.fleetDisk]);
    const tag = seatSnapshotTag(owner.repository, seat, id);
    if (!seat || !isSnapshotId(id) || !disk || !image.tags.includes(tag)) continue;
    found.push({ seat, id, tag, imageId: image.id, message: image.labels[LABEL.message] ?? '', created: image.labels[LABEL.created] ?? '', ...disk });
  }
  return found.sort((a, b) => a.id.localeCompare(b.id) || a.seat.localeCompare(b.seat));
}

/**
 * Which snapshot `fleet restore SEAT [SNAPSHOT]` means: none given, the seat's newest; else an id
 * (or a unique prefix of one) of that seat, or a whole tag `fleet-seat-02-<id>` (any seat's: a
 * disk can be handed from one seat to another).
 */
export function resolveSeatSnapshot(snapshots: readonly SeatSnapshot[], repository: string, seat: string, arg: string | undefined): SeatSnapshot {
  const own = snapshots.filter((s) => s.seat === seat);
  if (arg === undefined) {
    const newest = own.at(-1);
    if (!newest) throw new CLIError(`${seat} has no snapshot: save one with \`npx dockervm fleet save ${seat}\``);
    return newest;
  }
  const wanted = arg.trim().replace(`${repository}:`, '');
  const byTag = snapshots.find((s) => s.tag === `${repository}:${wanted}`);
  if (byTag) return byTag;
  const id = wanted.startsWith(`${PREFIX}${seat}-`) ? wanted.slice(`${PREFIX}${seat}-`.length) : wanted;
  const exact = own.find((s) => s.id === id);
  if (exact) return exact;
  const matches = id.length >= 4 ? own.filter((s) => s.id.startsWith(id)) : [];
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1)
    throw new CLIError(`"${arg}" matches ${matches.length} snapshots of ${seat} (${matches.map((m) => m.id).join(', ')}): give more of the id`);
  throw new CLIError(`no snapshot "${arg}" of ${seat}: see \`npx dockervm fleet snapshots\``);
}
