// `fleet save [SEAT…]` and `fleet restore SEAT [SNAPSHOT]`. A save stops the seat (its disk at rest),
// streams the disk from the seat's node into a one-shot job on the manager (disk-stream.ts: both ends
// count and hash), commits that job's container into the seat's snapshot image (seat-snapshots.ts)
// and starts the seat again, however the copy ended. A restore does the same save first (nothing is
// lost, not even the last minutes), then streams the snapshot's tree back into the seat's volumes.
import { commitContainer } from '../../docker/containers.ts';
import { inspectImage, listImages, tagImage } from '../../docker/images.ts';
import { LABEL, ROLE } from '../../constants.ts';
import { CLIError } from '../../errors.ts';
import { labelInstruction } from '../snapshot/labels.ts';
import { uniqueId } from '../snapshot/naming.ts';
import { waitForSeats } from './deploy.ts';
import { streamDisk, withSeatStopped } from './disk-stream.ts';
import { DISK_DIRS } from './plan.ts';
import { SEAT_DISK, seatDiskMounts, seatService } from './seat-disk.ts';
import { diskLabel, indexSeatSnapshots, resolveSeatSnapshot, SNAPSHOT_DIR, seatSnapshotTag, type SeatSnapshot } from './seat-snapshots.ts';
import type { SeatRow } from './seats.ts';
import { readSeats, type FleetSession } from './swarm-session.ts';

// Seats copied at once: enough to keep the links busy, few enough that a class is not all stopped.
const AT_ONCE = 3;

export async function listSeatSnapshots(fleet: Pick<FleetSession, 'engine' | 'project'>): Promise<SeatSnapshot[]> {
  const images = await listImages(fleet.engine, { [LABEL.project]: fleet.project.name, [LABEL.role]: ROLE.fleetSnapshot });
  return indexSeatSnapshots(fleet.project, images);
}

/** Every seat (none named) or the named ones; refused before any seat stops when one cannot be saved. */
export async function saveSeats(
  fleet: FleetSession,
  names: string[],
  options: { message: string; waitMs: number; now?: Date },
): Promise<{ saved: SeatSnapshot[]; seats: SeatRow[] }> {
  const rows = await readSeats(fleet);
  if (rows.length === 0) throw new CLIError(`no fleet of ${fleet.project.name} on this swarm: nothing to save`);
  const unknown = names.filter((n) => !rows.some((r) => r.name === n));
  if (unknown.length) throw new CLIError(`no seat ${unknown.join(', ')} in ${fleet.stack}: the seats are ${rows.map((r) => r.name).join(', ')}`);
  const chosen = names.length ? rows.filter((r) => names.includes(r.name)) : rows;
  const down = chosen.filter((r) => r.state === 'down');
  if (down.length) {
    throw new CLIError(
      `${down.map((r) => `${r.name} (${r.detail})`).join(', ')}: a seat's disk is on its node, which must be up to save it; name the other seats (nothing was saved)`,
    );
  }
  const taken = new Set((await listSeatSnapshots(fleet)).map((s) => s.id));
  const id = uniqueId(options.now ?? new Date(), taken);
  const saved: SeatSnapshot[] = [];
  const queue = [...chosen];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const seat = row;
      try {
        const { service } = seatService(fleet, seat.name);
        saved.push(await withSeatStopped(fleet, service, seat, async () => ({ value: await saveStopped(fleet, seat, id, options.message), started: false })));
      } catch (error) {
        // No new copies start; the ones under way finish (and start their seats again).
        queue.length = 0;
        throw error;
      }
      fleet.out.progress(`${saved.length} of ${chosen.length} seats saved`);
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(AT_ONCE, chosen.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    const done = saved.length ? ` (saved before it: ${saved.map((s) => s.tag).join(', ')})` : '';
    throw failed.reason instanceof CLIError ? new CLIError(`${failed.reason.message}${done}`, failed.reason.exitCode) : failed.reason;
  }
  const seats = await waitForSeats(fleet, rows.length, options.waitMs);
  return { saved: saved.sort((a, b) => a.seat.localeCompare(b.seat)), seats };
}

export async function restoreSeat(
  fleet: FleetSession,
  seatName: string,
  arg: string | undefined,
  options: { waitMs: number; now?: Date },
): Promise<{ restored: SeatSnapshot; autoSave: SeatSnapshot; bytes: number; seats: SeatRow[] }> {
  const { project } = fleet;
  const rows = await readSeats(fleet);
  const seat = rows.find((r) => r.name === seatName);
  if (!seat) throw new CLIError(`no seat ${seatName} in ${fleet.stack}: the seats are ${rows.map((r) => r.name).join(', ') || 'none'}`);
  if (seat.state === 'down') throw new CLIError(`${seatName} is down (${seat.detail}): its disk is on that node, bring it back first (nothing was changed)`);
  const snapshots = await listSeatSnapshots(fleet);
  const target = resolveSeatSnapshot(snapshots, project.repository, seatName, arg);
  const dirs = DISK_DIRS[project.persistence];
  if (target.dirs.join(' ') !== dirs.join(' ')) {
    throw new CLIError(
      `${target.tag} holds ${target.dirs.join(', ')}; a seat of ${project.name} keeps ${dirs.join(', ')} (its persistence changed): it cannot be restored`,
    );
  }
  const { service, image } = seatService(fleet, seatName);
  const taken = new Set(snapshots.map((s) => s.id));
  const result = await withSeatStopped(fleet, service, seat, async () => {
    const autoSave = await saveStopped(fleet, seat, uniqueId(options.now ?? new Date(), taken), `before restoring ${target.tag}`);
    const copied = await streamDisk(fleet, {
      name: `restore-${seatName}`,
      what: `restoring ${seatName}'s disk on ${seat.node} from ${target.tag}`,
      // By image id: the engine runs it as it is, without asking a registry for it.
      from: { nodeId: fleet.swarm.nodeId, image: target.imageId, mounts: [], dir: SNAPSHOT_DIR },
      to: { nodeId: seat.nodeId, image, mounts: seatDiskMounts(fleet, seatName, false), dir: SEAT_DISK },
      empty: true,
    }).catch((error: unknown) => {
      throw new CLIError(
        `${(error as Error).message}. ${seatName}'s disk may be half restored; what it held is saved as ${autoSave.tag}: \`npx dockervm fleet restore ${seatName} ${autoSave.id}\``,
      );
    });
    // The two ends of this copy agreed on every byte; the tar's size is the saved one's whatever
    // order the files were read in (its hash is not: a directory lists in its filesystem's order).
    if (copied.bytes !== target.bytes) {
      throw new CLIError(
        `${target.tag} read back as ${copied.bytes} bytes (saved: ${target.bytes}): the snapshot image changed; ${seatName}'s disk before is ${autoSave.tag}`,
      );
    }
    return { value: { autoSave, bytes: copied.bytes }, started: false };
  });
  const seats = await waitForSeats(fleet, rows.length, options.waitMs);
  return { restored: target, autoSave: result.autoSave, bytes: result.bytes, seats };
}

/** Call with the seat stopped: its disk into a job on the manager, committed and tagged there. */
async function saveStopped(fleet: FleetSession, seat: SeatRow, id: string, message: string): Promise<SeatSnapshot> {
  const { engine, project } = fleet;
  const { image } = seatService(fleet, seat.name);
  const dirs = DISK_DIRS[project.persistence];
  // The manager pushed (or built) the seat's image: by its id, no pull is tried.
  const local = (await inspectImage(engine, image))?.id ?? image;
  const tag = seatSnapshotTag(project.repository, seat.name, id);
  const created = new Date().toISOString();
  let imageId = '';
  const copied = await streamDisk(fleet, {
    name: `save-${seat.name}`,
    what: `saving ${seat.name}'s disk from ${seat.node}`,
    from: { nodeId: seat.nodeId, image, mounts: seatDiskMounts(fleet, seat.name, true), dir: SEAT_DISK },
    to: { nodeId: fleet.swarm.nodeId, image: local, mounts: [], dir: SNAPSHOT_DIR },
    empty: false,
    atReceiver: async (container, disk) => {
      const labels = {
        [LABEL.project]: project.name,
        [LABEL.role]: ROLE.fleetSnapshot,
        [LABEL.fleetSeat]: seat.name,
        [LABEL.fleetImage]: image,
        [LABEL.snapshot]: id,
        [LABEL.message]: message,
        [LABEL.created]: created,
        [LABEL.fleetDisk]: diskLabel({ dirs, ...disk }),
      };
      imageId = await commitContainer(engine, container, {
        pause: false,
        comment: `dockervm ${project.name} ${seat.name} snapshot ${id}: ${message}`,
        // Data, not a VM: run by itself it does nothing (the receiving job's command would listen again).
        changes: [labelInstruction(labels), 'ENTRYPOINT ["true"]', 'CMD []'],
      });
    },
  });
  await tagImage(engine, imageId, tag);
  return { seat: seat.name, id, tag, imageId, message, created, dirs, bytes: copied.bytes, sha256: copied.sha256 };
}
