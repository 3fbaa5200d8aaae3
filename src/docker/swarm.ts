// Docker Swarm, for `dockervm fleet`: what the swarm is (nodes, their state and memory), what a
// stack's services and tasks are doing, and `docker stack deploy`/`rm`, shelled out the way compose is
// (the stack file format and its conversion are the docker CLI's; dockervm never re-implements them).
import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import { CLIError } from '../errors.ts';
import type { Engine } from './engine.ts';

export interface SwarmState {
  /** `inactive`, `pending`, `active`, `error`, `locked`. */
  state: string;
  /** This engine is a manager (only a manager can deploy). */
  manager: boolean;
  nodeId: string;
  /** The manager's own address in the swarm (`docker swarm init --advertise-addr`). */
  address: string;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  /** `ready`, `down`, `unknown`, `disconnected`. */
  state: string;
  /** `active`, `pause`, `drain`. */
  availability: string;
  role: 'manager' | 'worker';
  address: string;
  memoryBytes: number;
  cpus: number;
}

export interface SwarmTask {
  id: string;
  serviceId: string;
  nodeId: string;
  /** `running`, `starting`, `pending`, `failed`, `shutdown`, `rejected` … */
  state: string;
  desiredState: string;
  message: string;
  error: string;
  containerId: string | undefined;
  createdAt: string;
}

export interface SwarmService {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export async function swarmState(engine: Engine): Promise<SwarmState> {
  const info = (await engine.call('read the engine info', () => engine.docker.info())) as {
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; NodeAddr?: string };
  };
  const swarm = info.Swarm ?? {};
  return { state: swarm.LocalNodeState ?? 'inactive', manager: swarm.ControlAvailable === true, nodeId: swarm.NodeID ?? '', address: swarm.NodeAddr ?? '' };
}

export async function listNodes(engine: Engine): Promise<SwarmNode[]> {
  const nodes = (await engine.call('list the swarm nodes', () => engine.docker.listNodes())) as {
    ID: string;
    Description?: { Hostname?: string; Resources?: { MemoryBytes?: number; NanoCPUs?: number } };
    Spec?: { Role?: string; Availability?: string };
    Status?: { State?: string; Addr?: string };
    ManagerStatus?: { Addr?: string };
  }[];
  return nodes.map((n) => ({
    id: n.ID,
    hostname: n.Description?.Hostname ?? n.ID.slice(0, 12),
    state: n.Status?.State ?? 'unknown',
    availability: n.Spec?.Availability ?? 'active',
    role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
    // A manager's Status.Addr can be 0.0.0.0; its ManagerStatus has the advertised address.
    address: (n.Status?.Addr && n.Status.Addr !== '0.0.0.0' ? n.Status.Addr : n.ManagerStatus?.Addr?.replace(/:\d+$/, '')) ?? '',
    memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
    cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
  }));
}

export async function listServices(engine: Engine, labels: Record<string, string>): Promise<SwarmService[]> {
  const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
  const services = (await engine.call('list the swarm services', () => engine.docker.listServices({ filters }))) as {
    ID: string;
    Spec?: { Name?: string; Labels?: Record<string, string> };
  }[];
  return services.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? s.ID, labels: s.Spec?.Labels ?? {} }));
}

export async function listTasks(engine: Engine, serviceNames: string[]): Promise<SwarmTask[]> {
  if (serviceNames.length === 0) return [];
  const tasks = (await engine.call('list the swarm tasks', () => engine.docker.listTasks({ filters: { service: serviceNames } }))) as {
    ID: string;
    ServiceID: string;
    NodeID?: string;
    DesiredState?: string;
    CreatedAt?: string;
    Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
  }[];
  return tasks.map((t) => ({
    id: t.ID,
    serviceId: t.ServiceID,
    nodeId: t.NodeID ?? '',
    state: t.Status?.State ?? 'unknown',
    desiredState: t.DesiredState ?? 'unknown',
    message: t.Status?.Message ?? '',
    error: t.Status?.Err ?? '',
    containerId: t.Status?.ContainerStatus?.ContainerID,
    createdAt: t.CreatedAt ?? '',
  }));
}

/** The local container of a service's task (on this engine's node), for a look inside: health, files. */
export async function containerHealth(engine: Engine, containerId: string): Promise<string | undefined> {
  try {
    const c = (await engine.docker.getContainer(containerId).inspect()) as { State?: { Health?: { Status?: string } } };
    return c.State?.Health?.Status;
  } catch {
    return undefined;
  }
}

/** Volumes on this engine's node, by label. */
export async function listVolumeNames(engine: Engine, labels: Record<string, string>): Promise<string[]> {
  const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
  const result = (await engine.call('list volumes', () => engine.docker.listVolumes({ filters }))) as { Volumes?: { Name: string }[] | null };
  return (result.Volumes ?? []).map((v) => v.Name);
}

export async function removeVolume(engine: Engine, name: string): Promise<void> {
  await engine.call(`remove the volume ${name}`, () => engine.docker.getVolume(name).remove());
}

async function docker(engine: Engine, args: string[], input: string | undefined, log: (line: string) => void): Promise<{ status: number; output: string }> {
  const child = spawn('docker', args, { env: engine.childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    for (const line of text.split('\n').filter(Boolean)) log(`  ${line}`);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // A command that reads no input (service logs) may be gone before its stdin closes: that EPIPE is
  // no failure of ours (the exit status tells), and unhandled it would end dockervm mid-command.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? '');
  const status = await new Promise<number>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new CLIError('the docker CLI is not on PATH: dockervm runs `docker stack deploy` for the fleet; install the docker CLI')
          : error,
      ),
    );
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
  return { status, output };
}

/**
 * `docker stack deploy` of a stack file given as text. `--resolve-image never`: the seats run the
 * exact reference in the file (a digest after a push; a local image on a one-node swarm).
 */
export async function deployStack(engine: Engine, stack: string, file: string, log: (line: string) => void): Promise<void> {
  const r = await docker(engine, ['stack', 'deploy', '--resolve-image', 'never', '--prune', '-c', '-', stack], file, log);
  if (r.status === 130) throw new CLIError('cancelled', 130);
  if (r.status !== 0) throw new CLIError(`docker stack deploy ${stack} failed (exit ${r.status}): ${r.output.trim().split('\n').at(-1) ?? ''}`);
}

export async function removeStack(engine: Engine, stack: string, log: (line: string) => void): Promise<void> {
  const r = await docker(engine, ['stack', 'rm', stack], undefined, log);
  if (r.status !== 0) throw new CLIError(`docker stack rm ${stack} failed (exit ${r.status}): ${r.output.trim().split('\n').at(-1) ?? ''}`);
}

/** Networks, secrets and configs of a stack still present (stack rm returns before they are gone). */
export async function stackLeftovers(engine: Engine, stack: string): Promise<number> {
  const filters = { label: [`com.docker.stack.namespace=${stack}`] };
  const [networks, secrets, configs, services] = await Promise.all([
    engine.call('list networks', () => engine.docker.listNetworks({ filters })),
    engine.call('list secrets', () => engine.docker.listSecrets({ filters })),
    engine.call('list configs', () => engine.docker.listConfigs({ filters })),
    engine.call('list services', () => engine.docker.listServices({ filters })),
  ]);
  return networks.length + secrets.length + configs.length + services.length;
}

/** `docker build -t TAG -` of a Dockerfile given as text (no context: it copies nothing in). */
export async function buildFromText(
  engine: Engine,
  tag: string,
  dockerfile: string,
  labels: Record<string, string>,
  log: (line: string) => void,
): Promise<void> {
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const r = await docker(engine, ['build', '-q', '-t', tag, ...labelArgs, '-'], dockerfile, log);
  if (r.status === 130) throw new CLIError('cancelled', 130);
  if (r.status !== 0) throw new CLIError(`building ${tag} failed (exit ${r.status}): ${r.output.trim().split('\n').slice(-3).join(' / ')}`);
}

/** Sets a replicated service's replica count (the rest of its spec as it is). */
export async function scaleService(engine: Engine, name: string, replicas: number): Promise<void> {
  const service = engine.docker.getService(name);
  const info = (await engine.call(`inspect the service ${name}`, () => service.inspect())) as {
    Version: { Index: number };
    Spec: { Mode?: { Replicated?: { Replicas?: number } } };
  };
  const spec = { ...info.Spec, Mode: { Replicated: { Replicas: replicas } } };
  await engine.call(`scale the service ${name}`, () => service.update({ version: info.Version.Index, ...spec }));
}

/** A volume (made empty when missing, with these labels), or with `bind`, a path on the node. */
export interface JobMount {
  source: string;
  target: string;
  readOnly: boolean;
  labels: Record<string, string>;
  bind?: boolean;
}

export interface JobSpec {
  name: string;
  image: string;
  nodeId: string;
  /** The overlay network it joins (reachable there by its name); none: the node's bridge. */
  network: string | undefined;
  labels: Record<string, string>;
  /** Run by /bin/sh -c as root, instead of the image's entrypoint. */
  script: string;
  mounts: JobMount[];
}

/** A one-shot task (replicated-job) on one node, reachable by its name on `network`. */
export async function createJob(engine: Engine, job: JobSpec): Promise<void> {
  await engine.call(`create the job ${job.name}`, () =>
    engine.docker.createService({
      Name: job.name,
      Labels: job.labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: job.image,
          User: 'root',
          Command: ['/bin/sh', '-c', job.script],
          Mounts: job.mounts.map((m) =>
            m.bind
              ? { Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly }
              : {
                  Type: 'volume',
                  Source: m.source,
                  Target: m.target,
                  ReadOnly: m.readOnly,
                  // An empty volume made here stays empty (the data comes from the job, not the image).
                  VolumeOptions: { NoCopy: true, Labels: m.labels },
                },
          ),
        },
        Placement: { Constraints: [`node.id == ${job.nodeId}`] },
        RestartPolicy: { Condition: 'none' },
        ...(job.network ? { Networks: [{ Target: job.network }] } : {}),
      },
      Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
      EndpointSpec: { Mode: 'dnsrr' },
    } as unknown as Docker.CreateServiceOptions),
  );
}

export async function removeService(engine: Engine, name: string): Promise<void> {
  try {
    await engine.docker.getService(name).remove();
  } catch (error) {
    const e = engine.translate(`remove the service ${name}`, error);
    if (!(e instanceof Error && 'statusCode' in e && (e as { statusCode?: number }).statusCode === 404)) throw e;
  }
}

/** A service's output (every task, from whichever node ran it), as text. */
export async function serviceLogs(engine: Engine, name: string): Promise<string> {
  const r = await docker(engine, ['service', 'logs', '--raw', name], undefined, () => undefined);
  return r.output;
}
