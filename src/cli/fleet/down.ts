// `fleet down [--volumes]`: the stack goes (docker stack rm); with --volumes the seats' disks go too,
// on every node. Swarm has no call that removes a volume on another node, and dockervm talks only to
// the manager's engine: so on each other node a one-shot job removes them through that node's own
// engine socket (bind-mounted into the job, for that job alone), by the fleet's label, and says which.
// The job runs the seats' image (the node has it: it ran a seat, or took one in a move). A node that
// is down, or whose job fails, is named with the command to run there.
import { writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LABEL } from '../../constants.ts';
import { createJob, listVolumeNames, removeService, removeStack, removeVolume, serviceLogs, stackLeftovers, type SwarmNode } from '../../docker/swarm.ts';
import { CLIError } from '../../errors.ts';
import { waitForTasks } from './disk-stream.ts';
import { passwordDir } from './passwords.ts';
import type { FleetSession } from './swarm-session.ts';

export const DEFAULT_NODE_SOCKET = '/var/run/docker.sock';
const ENGINE_SOCKET = '/engine.sock';
const JOBS_TIMEOUT_MS = 180_000;

/** Where fleet up notes the seats' image: after the stack is gone, the cleanup jobs still need one. */
const lastImageFile = (projectDir: string) => join(passwordDir(projectDir), '.last-image');

export function rememberImage(projectDir: string, image: string): void {
  writeFileSync(lastImageFile(projectDir), `${image}\n`, { mode: 0o600 });
}

function rememberedImage(projectDir: string): string | undefined {
  const file = lastImageFile(projectDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

// Plain HTTP over the node's engine socket: python3 is in every noVNC image, no docker CLI needed.
const removeScript = (label: string) => `exec python3 -c '
import http.client, json, socket, sys, time, urllib.parse
class Engine(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.settimeout(60); self.sock.connect("${ENGINE_SOCKET}")
def call(method, path):
    c = Engine("localhost"); c.request(method, path); r = c.getresponse(); body = r.read(); c.close(); return r.status, body
status, body = call("GET", "/volumes?filters=" + urllib.parse.quote(json.dumps({"label": ["${label}"]})))
if status != 200: sys.exit("dockervm-volumes: the engine answered %d: %s" % (status, body[:200]))
names = sorted(v["Name"] for v in (json.loads(body).get("Volumes") or []))
removed, busy = [], []
for name in names:
    for attempt in range(40):
        status, body = call("DELETE", "/volumes/" + urllib.parse.quote(name))
        if status in (204, 404): removed.append(name); break
        time.sleep(0.5)
    else:
        busy.append(name)
sys.stderr.write("dockervm-volumes %s\\n" % json.dumps({"removed": removed, "busy": busy}))
if busy: sys.exit("dockervm-volumes: still in use: " + " ".join(busy))
'`;

export interface NodeVolumes {
  node: string;
  removed: string[];
  /** Why this node's volumes stay (down, or its job failed); undefined when they are gone. */
  left: string | undefined;
}

export interface DownResult {
  removedServices: number;
  /** Per node (this one first), only with --volumes. */
  nodes: NodeVolumes[];
  /** The command that removes the volumes by hand on a node where they stayed. */
  manual: string;
}

export async function downFleet(fleet: FleetSession, options: { volumes: boolean; nodeSocket: string }): Promise<DownResult> {
  const { engine, out, project, stack } = fleet;
  const seats = fleet.services.length;
  const image = fleet.services.map((s) => s.labels[LABEL.fleetImage]).find(Boolean) ?? rememberedImage(project.dir);
  if (seats > 0) await out.timed(`removing the stack ${stack}`, () => removeStack(engine, stack, out.progress));
  // stack rm returns at once; its containers, network and secrets go a little later.
  for (let i = 0; i < 120 && (await stackLeftovers(engine, stack)) > 0; i++) await sleep(500);
  const label = `${LABEL.fleet}=${stack}`;
  const manual = `docker volume rm $(docker volume ls -q --filter label=${label})`;
  if (!options.volumes) return { removedServices: seats, nodes: [], manual };

  const here = fleet.nodes.find((n) => n.id === fleet.swarm.nodeId);
  const others = fleet.nodes.filter((n) => n.id !== fleet.swarm.nodeId).sort((a, b) => a.hostname.localeCompare(b.hostname));
  const [local, ...remote] = await Promise.all([
    removeHere(fleet).then((removed) => ({ node: here?.hostname ?? 'this node', removed, left: undefined })),
    ...others.map((node, i) => removeOn(fleet, node, i, { image, label, nodeSocket: options.nodeSocket })),
  ]);
  rmSync(passwordDir(project.dir), { recursive: true, force: true });
  return { removedServices: seats, nodes: [local as NodeVolumes, ...remote], manual };
}

async function removeHere(fleet: FleetSession): Promise<string[]> {
  const removed: string[] = [];
  const names = await listVolumeNames(fleet.engine, { [LABEL.fleet]: fleet.stack });
  // A volume of a container that is still stopping is busy for a moment.
  for (const name of names) {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await removeVolume(fleet.engine, name);
        removed.push(name);
        break;
      } catch (error) {
        if (attempt === 19) throw error;
        await sleep(500);
      }
    }
  }
  return removed.sort();
}

async function removeOn(
  fleet: FleetSession,
  node: SwarmNode,
  index: number,
  job: { image: string | undefined; label: string; nodeSocket: string },
): Promise<NodeVolumes> {
  const { engine, out, project, stack } = fleet;
  if (node.state !== 'ready') return { node: node.hostname, removed: [], left: `node ${node.hostname} is ${node.state}` };
  if (!job.image) return { node: node.hostname, removed: [], left: 'no image of the fleet is known to run the cleanup there' };
  const name = `${stack}_rm-volumes-${index + 1}`;
  const socket = job.nodeSocket.replaceAll('{{.Node.Hostname}}', node.hostname);
  try {
    await removeService(engine, name);
    await createJob(engine, {
      name,
      image: job.image,
      nodeId: node.id,
      network: undefined,
      labels: { [LABEL.project]: project.name, [LABEL.fleet]: stack, 'com.docker.stack.namespace': stack },
      script: removeScript(job.label),
      mounts: [{ source: socket, target: ENGINE_SOCKET, readOnly: false, labels: {}, bind: true }],
    });
    let failure = '';
    await out.timed(`removing the seats' disks on ${node.hostname}`, () =>
      waitForTasks(
        fleet,
        [name],
        (tasks) => {
          const failed = tasks.find((t) => ['failed', 'rejected'].includes(t.state));
          if (failed) failure = failed.error || failed.message;
          return Boolean(failed) || tasks.some((t) => t.state === 'complete');
        },
        JOBS_TIMEOUT_MS,
        `the cleanup job on ${node.hostname}`,
      ),
    );
    const logs = await serviceLogs(engine, name);
    const report = /dockervm-volumes (\{.*\})/.exec(logs);
    const parsed = report ? (JSON.parse(report[1] ?? '{}') as { removed?: string[]; busy?: string[] }) : {};
    if (failure || !report) {
      const why = logs.trim().split('\n').at(-1) || failure;
      return { node: node.hostname, removed: parsed.removed ?? [], left: `its cleanup job failed: ${why} (engine socket ${socket}: see --node-socket)` };
    }
    return { node: node.hostname, removed: (parsed.removed ?? []).sort(), left: undefined };
  } catch (error) {
    if (error instanceof CLIError) return { node: node.hostname, removed: [], left: error.message };
    throw error;
  } finally {
    await removeService(engine, name).catch(() => undefined);
  }
}
