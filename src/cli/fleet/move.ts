// `fleet move SEAT NODE`: the seat's disk goes with it. The seat is stopped (a disk at rest), a
// one-shot job on the new node listens on the stack's overlay network, one on the old node streams
// the disk to it as a tar; both count the bytes and hash them, and only when the two agree is the
// seat pinned to the new node and started there. The old node keeps its copy of the disk (nothing
// is deleted there). A failure at any step starts the seat again where it was.
import { LABEL } from '../../constants.ts';
import { CLIError } from '../../errors.ts';
import { deployFleet } from './deploy.ts';
import { streamDisk, withSeatStopped } from './disk-stream.ts';
import { SEAT_DISK, seatDiskMounts, seatService } from './seat-disk.ts';
import type { SeatRow } from './seats.ts';
import { readSeats, type FleetSession } from './swarm-session.ts';

export interface MoveResult {
  seat: string;
  from: string;
  to: string;
  bytes: number;
  sha256: string;
  rows: SeatRow[];
}

export async function moveSeat(
  fleet: FleetSession,
  seatName: string,
  nodeName: string,
  options: { waitMs: number; seatMemoryBytes: number },
): Promise<MoveResult> {
  const { stack } = fleet;
  const rows = await readSeats(fleet);
  const seat = rows.find((r) => r.name === seatName);
  if (!seat) throw new CLIError(`no seat ${seatName} in ${stack}: the seats are ${rows.map((r) => r.name).join(', ') || 'none'}`);
  const target = fleet.nodes.find((n) => n.hostname === nodeName || n.id === nodeName);
  if (!target) throw new CLIError(`no node ${nodeName} in this swarm: the nodes are ${fleet.nodes.map((n) => n.hostname).join(', ')}`);
  const source = fleet.nodes.find((n) => n.id === seat.nodeId);
  if (target.id === seat.nodeId) throw new CLIError(`${seatName} is on ${nodeName} already`);
  if (target.state !== 'ready' || target.availability !== 'active')
    throw new CLIError(`node ${target.hostname} is ${target.state}/${target.availability}: it cannot take a seat`);
  if (!source || source.state !== 'ready') {
    throw new CLIError(`${seatName}'s disk is on ${seat.node}, which is ${source?.state ?? 'gone'}: bring the node back first (nothing was changed)`);
  }
  const { service, image } = seatService(fleet, seatName);
  const mounts = (readOnly: boolean) => seatDiskMounts(fleet, seatName, readOnly);
  return withSeatStopped(fleet, service, seat, async () => {
    const copied = await streamDisk(fleet, {
      name: `move-${seatName}`,
      what: `copying ${seatName}'s disk from ${seat.node} to ${target.hostname}`,
      from: { nodeId: seat.nodeId, image, mounts: mounts(true), dir: SEAT_DISK },
      to: { nodeId: target.id, image, mounts: mounts(false), dir: SEAT_DISK },
      empty: true,
    });
    // Pinned to the new node, started by the deploy.
    service.labels[LABEL.fleetNode] = target.id;
    const { seats } = await deployFleet(fleet, {
      seats: fleet.services.filter((s) => s.labels[LABEL.fleetSeat]).length,
      registry: undefined,
      image,
      build: false,
      host: undefined,
      port: undefined,
      seatMemoryBytes: options.seatMemoryBytes,
      waitMs: options.waitMs,
    });
    return { value: { seat: seatName, from: seat.node, to: target.hostname, bytes: copied.bytes, sha256: copied.sha256, rows: seats }, started: true };
  });
}
