// `fleet move SEAT NODE`: the seat's disk goes with it. The seat is stopped (a disk at rest), a
// one-shot job on the new node listens on the stack's overlay network, one on the old node streams
// the disk to it as a tar; both count the bytes and hash them, and only when the two agree is the
// seat pinned to the new node and started there. The old node keeps its copy of the disk (nothing
// is deleted there). A failure at any step starts the seat again where it was.
import { setTimeout as sleep } from 'node:timers/promises';
import { createJob, listTasks, removeService, scaleService, serviceLogs } from '../../docker/swarm.ts';
import { LABEL } from '../../constants.ts';
import { CLIError } from '../../errors.ts';
import { deployFleet } from './deploy.ts';
import { DISK_DIRS } from './plan.ts';
import type { SeatRow } from './seats.ts';
import { readSeats, type FleetSession } from './swarm-session.ts';

const PORT = 7070;
// A disk of a few GB over a slow link: generous, but bounded.
const COPY_TIMEOUT_MS = 30 * 60_000;

// Python is in every noVNC image (websockify is Python); tar is in every distribution's base. Each
// side runs tar itself and reports only when tar succeeded, so a half-read disk never looks whole.
const RECEIVE = (port: number) =>
  [
    'set -eu',
    // A copy left here by an earlier move away is older than the one coming: start empty.
    'for d in /disk/*; do find "$d" -mindepth 1 -delete; done',
    `exec python3 -c '
import socket, subprocess, sys, hashlib
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("", ${port})); s.listen(1); s.settimeout(600)
c, _ = s.accept(); c.settimeout(600); h = hashlib.sha256(); n = 0
tar = subprocess.Popen(["tar", "-C", "/disk", "-xpf", "-", "--numeric-owner"], stdin=subprocess.PIPE)
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b); tar.stdin.write(b)
tar.stdin.close()
if tar.wait() != 0: sys.exit("dockervm-move: tar could not write the disk")
sys.stderr.write("dockervm-move received %d %s\\n" % (n, h.hexdigest())); c.close()
'`,
  ].join('\n');

const SEND = (host: string, port: number) =>
  `exec python3 -c '
import socket, subprocess, sys, hashlib, time
for attempt in range(120):
    try:
        c = socket.create_connection(("${host}", ${port}), timeout=10); break
    except OSError:
        time.sleep(1)
else:
    sys.exit("dockervm-move: the receiving job on the new node did not answer")
tar = subprocess.Popen(["tar", "-C", "/disk", "-cpf", "-", "--numeric-owner", "."], stdout=subprocess.PIPE)
h = hashlib.sha256(); n = 0
while True:
    b = tar.stdout.read(65536)
    if not b: break
    h.update(b); n += len(b); c.sendall(b)
if tar.wait() != 0: sys.exit("dockervm-move: tar could not read the disk")
c.shutdown(socket.SHUT_WR); c.settimeout(600); c.recv(1)
sys.stderr.write("dockervm-move sent %d %s\\n" % (n, h.hexdigest()))
'`;

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
  const { engine, project, out, stack } = fleet;
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
  const service = fleet.services.find((s) => s.labels[LABEL.fleetSeat] === seatName);
  const image = service?.labels[LABEL.fleetImage];
  if (!service || !image) throw new CLIError(`${seatName} has no image label: deploy it again with fleet up`);
  const dirs = DISK_DIRS[project.persistence];
  // The stack's namespace label: fleet down (docker stack rm) removes a job a failed move left.
  const labels = { [LABEL.project]: project.name, [LABEL.fleet]: stack, 'com.docker.stack.namespace': stack };
  const volumeLabels = { ...labels, [LABEL.fleetSeat]: seatName };
  const mounts = (readOnly: boolean) => dirs.map((d) => ({ source: `${stack}_${seatName}-${d}`, target: `/disk/${d}`, readOnly, labels: volumeLabels }));
  const receiver = `${stack}_move-${seatName}-in`;
  const sender = `${stack}_move-${seatName}-out`;

  out.progress(`stopping ${seatName} on ${seat.node}`);
  await scaleService(engine, service.name, 0);
  let moved = false;
  try {
    await waitUntil(fleet, [service.name], (tasks) => tasks.every((t) => t.state !== 'running' && t.state !== 'starting'), 120_000, `${seatName} to stop`);
    await Promise.all([removeService(engine, receiver), removeService(engine, sender)]);
    const network = `${stack}_seats`;
    await createJob(engine, { name: receiver, image, nodeId: target.id, network, labels, script: RECEIVE(PORT), mounts: mounts(false) });
    await createJob(engine, { name: sender, image, nodeId: seat.nodeId, network, labels, script: SEND(receiver, PORT), mounts: mounts(true) });
    await out.timed(`copying ${seatName}'s disk from ${seat.node} to ${target.hostname}`, () =>
      waitUntil(
        fleet,
        [receiver, sender],
        (tasks) => {
          const failed = tasks.find((t) => ['failed', 'rejected'].includes(t.state));
          if (failed) throw new CLIError(`copying the disk failed: ${failed.error || failed.message}`);
          return tasks.length === 2 && tasks.every((t) => t.state === 'complete');
        },
        COPY_TIMEOUT_MS,
        "the disk's copy",
      ),
    );
    const sent = /dockervm-move sent (\d+) ([0-9a-f]{64})/.exec(await serviceLogs(engine, sender));
    const received = /dockervm-move received (\d+) ([0-9a-f]{64})/.exec(await serviceLogs(engine, receiver));
    if (!sent || !received || sent[1] !== received[1] || sent[2] !== received[2]) {
      throw new CLIError(`the copy of ${seatName}'s disk does not match what was sent (${sent?.[1] ?? '?'} vs ${received?.[1] ?? '?'} bytes)`);
    }
    // Pinned to the new node, started by the deploy.
    service.labels[LABEL.fleetNode] = target.id;
    moved = true;
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
    return { seat: seatName, from: seat.node, to: target.hostname, bytes: Number(sent[1]), sha256: sent[2] ?? '', rows: seats };
  } finally {
    await Promise.all([removeService(engine, receiver), removeService(engine, sender)]).catch(() => undefined);
    // Not moved: the seat starts again where its disk is.
    if (!moved) await scaleService(engine, service.name, 1).catch(() => undefined);
  }
}

async function waitUntil(
  fleet: FleetSession,
  services: string[],
  done: (tasks: Awaited<ReturnType<typeof listTasks>>) => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / 1000) + 1; i++) {
    const tasks = await listTasks(fleet.engine, services);
    if (done(tasks)) return;
    if (Date.now() > deadline) break;
    fleet.checkpoint();
    await sleep(1000);
  }
  throw new CLIError(`timed out waiting for ${what} (${Math.round(timeoutMs / 1000)} s)`);
}
