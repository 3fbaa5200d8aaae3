// A seat's disk as a stream between two one-shot swarm jobs: one listens on the stack's overlay
// network and unpacks a tar into a directory, the other packs a directory and sends it there. Both
// count the bytes and hash them, and the copy counts only when the two agree. `fleet move` (volumes
// to volumes, node to node), `fleet save` (volumes into a container on the manager, which is then
// committed) and `fleet restore` (a snapshot image's tree back into the seat's volumes) all go through here.
// The seat itself is stopped around the copy (a disk at rest); withSeatStopped starts it again
// however the work ends, unless the work says it did that itself.
import { setTimeout as sleep } from 'node:timers/promises';
import { createJob, listTasks, removeService, scaleService, serviceLogs, type JobMount, type SwarmTask } from '../../docker/swarm.ts';
import { LABEL } from '../../constants.ts';
import { CLIError } from '../../errors.ts';
import type { SwarmService } from '../../docker/swarm.ts';
import type { FleetSession } from './swarm-session.ts';

const PORT = 7070;
// A disk of a few GB over a slow link: generous, but bounded.
const COPY_TIMEOUT_MS = 30 * 60_000;

// Python is in every noVNC image (websockify is Python); tar is in every distribution's base. Each
// side runs tar itself and reports only when tar succeeded, so a half-read disk never looks whole.
// `empty`: what the directory held before goes first (a copy left by an earlier move is older than
// the one coming; a restore replaces the disk).
const receiveScript = (port: number, dir: string, empty: boolean) =>
  [
    'set -eu',
    `mkdir -p ${dir}`,
    ...(empty ? [`for d in ${dir}/*; do if [ -d "$d" ]; then find "$d" -mindepth 1 -delete; fi; done`] : []),
    `exec python3 -c '
import socket, subprocess, sys, hashlib
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("", ${port})); s.listen(1); s.settimeout(600)
c, _ = s.accept(); c.settimeout(600); h = hashlib.sha256(); n = 0
tar = subprocess.Popen(["tar", "-C", "${dir}", "-xpf", "-", "--numeric-owner"], stdin=subprocess.PIPE)
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b); tar.stdin.write(b)
tar.stdin.close()
if tar.wait() != 0: sys.exit("dockervm-disk: tar could not write the disk")
sys.stderr.write("dockervm-disk received %d %s\\n" % (n, h.hexdigest())); c.close()
'`,
  ].join('\n');

const sendScript = (host: string, port: number, dir: string) =>
  `exec python3 -c '
import socket, subprocess, sys, hashlib, time
for attempt in range(120):
    try:
        c = socket.create_connection(("${host}", ${port}), timeout=10); break
    except OSError:
        time.sleep(1)
else:
    sys.exit("dockervm-disk: the receiving job did not answer")
tar = subprocess.Popen(["tar", "-C", "${dir}", "-cpf", "-", "--numeric-owner", "."], stdout=subprocess.PIPE)
h = hashlib.sha256(); n = 0
while True:
    b = tar.stdout.read(65536)
    if not b: break
    h.update(b); n += len(b); c.sendall(b)
if tar.wait() != 0: sys.exit("dockervm-disk: tar could not read the disk")
c.shutdown(socket.SHUT_WR); c.settimeout(600); c.recv(1)
sys.stderr.write("dockervm-disk sent %d %s\\n" % (n, h.hexdigest()))
'`;

/** One end of a copy: which node, which image (one that node has), the volumes and the directory. */
export interface DiskEnd {
  nodeId: string;
  /** An image with python3 and tar that this node has (by id or digest: no pull is tried). */
  image: string;
  mounts: JobMount[];
  /** Where the disk's directories are, inside that job's container. */
  dir: string;
}

export interface StreamedDisk {
  bytes: number;
  sha256: string;
}

/**
 * Streams `from.dir` into `to.dir`. `atReceiver` runs with the receiving container's id (and what
 * was copied) once both sides agree, before the jobs are removed (fleet save commits it there).
 */
export async function streamDisk(
  fleet: FleetSession,
  copy: { name: string; what: string; from: DiskEnd; to: DiskEnd; empty: boolean; atReceiver?: (containerId: string, copied: StreamedDisk) => Promise<void> },
): Promise<StreamedDisk> {
  const { engine, project, stack } = fleet;
  // The stack's namespace label: fleet down (docker stack rm) removes a job a failed copy left.
  const labels = { [LABEL.project]: project.name, [LABEL.fleet]: stack, 'com.docker.stack.namespace': stack };
  const receiver = `${stack}_${copy.name}-in`;
  const sender = `${stack}_${copy.name}-out`;
  const network = `${stack}_seats`;
  try {
    await Promise.all([removeService(engine, receiver), removeService(engine, sender)]);
    await createJob(engine, {
      name: receiver,
      image: copy.to.image,
      nodeId: copy.to.nodeId,
      network,
      labels,
      script: receiveScript(PORT, copy.to.dir, copy.empty),
      mounts: copy.to.mounts,
    });
    await createJob(engine, {
      name: sender,
      image: copy.from.image,
      nodeId: copy.from.nodeId,
      network,
      labels,
      script: sendScript(receiver, PORT, copy.from.dir),
      mounts: copy.from.mounts,
    });
    await fleet.out.timed(copy.what, () =>
      waitForTasks(
        fleet,
        [receiver, sender],
        (now) => {
          const failed = now.find((t) => ['failed', 'rejected'].includes(t.state));
          if (failed) throw new CLIError(`${copy.what} failed: ${failed.error || failed.message}`);
          return now.length === 2 && now.every((t) => t.state === 'complete');
        },
        COPY_TIMEOUT_MS,
        copy.what,
      ),
    );
    const sent = /dockervm-disk sent (\d+) ([0-9a-f]{64})/.exec(await serviceLogs(engine, sender));
    const received = /dockervm-disk received (\d+) ([0-9a-f]{64})/.exec(await serviceLogs(engine, receiver));
    if (!sent || !received || sent[1] !== received[1] || sent[2] !== received[2]) {
      throw new CLIError(`${copy.what}: what arrived does not match what was sent (${sent?.[1] ?? '?'} vs ${received?.[1] ?? '?'} bytes)`);
    }
    const copied = { bytes: Number(sent[1]), sha256: sent[2] ?? '' };
    if (copy.atReceiver) {
      const containerId = (await listTasks(engine, [receiver])).find((t) => t.containerId)?.containerId;
      if (!containerId) throw new CLIError(`${copy.what}: the receiving job's container is gone`);
      await copy.atReceiver(containerId, copied);
    }
    return copied;
  } finally {
    await Promise.all([removeService(engine, receiver), removeService(engine, sender)]).catch(() => undefined);
  }
}

/**
 * Runs `work` with the seat stopped, and starts it again however `work` ends; `work` returns
 * `started: true` when it started the seat itself (move deploys it on the new node).
 */
export async function withSeatStopped<T>(
  fleet: FleetSession,
  service: SwarmService,
  seat: { name: string; node: string },
  work: () => Promise<{ value: T; started: boolean }>,
): Promise<T> {
  fleet.out.progress(`stopping ${seat.name} on ${seat.node}`);
  await scaleService(fleet.engine, service.name, 0);
  let started = false;
  try {
    await waitForTasks(fleet, [service.name], (tasks) => tasks.every((t) => t.state !== 'running' && t.state !== 'starting'), 120_000, `${seat.name} to stop`);
    const result = await work();
    started = result.started;
    return result.value;
  } finally {
    if (!started) await scaleService(fleet.engine, service.name, 1).catch(() => undefined);
  }
}

export async function waitForTasks(
  fleet: FleetSession,
  services: string[],
  done: (tasks: SwarmTask[]) => boolean,
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
