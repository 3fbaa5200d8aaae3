// Containers, found by label and described with only the fields dockervm reads.
import { type Engine, isStatus } from './engine.ts';
import { COMPOSE_LABEL, LABEL } from '../constants.ts';

export interface ContainerSummary {
  id: string;
  name: string;
  service: string | undefined;
  /** created | running | paused | restarting | exited | dead */
  state: string;
  status: string;
  imageId: string;
  labels: Record<string, string>;
}

export interface MountInfo {
  type: string;
  /** Volume name for type volume. */
  name: string | undefined;
  source: string;
  destination: string;
  rw: boolean;
}

export interface PortBinding {
  container: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

export interface ContainerDetails {
  id: string;
  name: string;
  running: boolean;
  paused: boolean;
  status: string;
  health: string | undefined;
  startedAt: string;
  user: string;
  imageId: string;
  labels: Record<string, string>;
  mounts: MountInfo[];
  ports: PortBinding[];
}

/** Containers carrying every `key=value` label given. */
export async function findContainers(engine: Engine, labels: Record<string, string>): Promise<ContainerSummary[]> {
  const list = await engine.call('list containers', () =>
    engine.docker.listContainers({ all: true, filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } }),
  );
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    service: c.Labels[COMPOSE_LABEL.service],
    state: c.State,
    status: c.Status,
    imageId: c.ImageID,
    labels: c.Labels,
  }));
}

export async function inspectContainer(engine: Engine, id: string): Promise<ContainerDetails | undefined> {
  try {
    const c = await engine.call('inspect a container', () => engine.docker.getContainer(id).inspect());
    const ports: PortBinding[] = [];
    for (const [key, bindings] of Object.entries(c.NetworkSettings.Ports ?? {})) {
      const [port, protocol] = key.split('/');
      for (const b of bindings ?? []) ports.push({ container: Number(port), protocol: protocol ?? 'tcp', hostIp: b.HostIp, hostPort: Number(b.HostPort) });
    }
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      running: c.State.Running,
      paused: c.State.Paused,
      status: c.State.Status,
      health: (c.State as { Health?: { Status?: string } }).Health?.Status,
      startedAt: c.State.StartedAt,
      user: c.Config.User ?? '',
      imageId: c.Image,
      labels: c.Config.Labels ?? {},
      mounts: (c.Mounts ?? []).map((m) => ({
        type: m.Type ?? 'volume',
        name: m.Name,
        source: m.Source,
        destination: m.Destination,
        rw: m.RW,
      })),
      ports,
    };
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/** Paths the container layer changed, relative to its image (`docker diff`). */
export async function containerChanges(engine: Engine, id: string): Promise<{ path: string; kind: 'changed' | 'added' | 'deleted' }[]> {
  const raw: unknown = await engine.call("list the container's changes", () => engine.docker.getContainer(id).changes());
  // dockerode hands this answer over unparsed (a Buffer holding JSON, `null` when nothing changed).
  const changes = (Buffer.isBuffer(raw) ? JSON.parse(raw.toString('utf8')) : raw) as { Path: string; Kind: number }[] | null;
  return (changes ?? []).map((c) => ({ path: c.Path, kind: c.Kind === 1 ? 'added' : c.Kind === 2 ? 'deleted' : 'changed' }));
}

/** Idempotent: a container already paused (or not running) is left as it is. */
export async function pauseContainer(engine: Engine, id: string): Promise<void> {
  try {
    await engine.call('pause the VM', () => engine.docker.getContainer(id).pause());
  } catch (error) {
    if (!isStatus(error, 304, 409)) throw error;
  }
}

export async function unpauseContainer(engine: Engine, id: string): Promise<void> {
  try {
    await engine.call('unpause the VM', () => engine.docker.getContainer(id).unpause());
  } catch (error) {
    if (!isStatus(error, 304, 404, 409)) throw error;
  }
}

/** Idempotent stop, with the container's own stop timeout (compose sets it from stop_grace_period). */
export async function stopContainer(engine: Engine, id: string): Promise<void> {
  try {
    await engine.call('stop the VM', () => engine.docker.getContainer(id).stop());
  } catch (error) {
    if (!isStatus(error, 304, 404)) throw error;
  }
}

export async function startContainer(engine: Engine, id: string): Promise<void> {
  try {
    await engine.call('start the VM', () => engine.docker.getContainer(id).start());
  } catch (error) {
    if (!isStatus(error, 304)) throw error;
  }
}

export async function removeContainer(engine: Engine, id: string): Promise<void> {
  try {
    await engine.call('remove a container', () => engine.docker.getContainer(id).remove({ force: true, v: false }));
  } catch (error) {
    if (!isStatus(error, 404, 409)) throw error;
  }
}

/**
 * `docker commit` of a container into an untagged image (tags are moved later, when the whole
 * snapshot exists). `changes` are Dockerfile instructions such as LABEL.
 */
export async function commitContainer(engine: Engine, id: string, options: { changes: string[]; comment: string; pause: boolean }): Promise<string> {
  const result = (await engine.call('commit the container', () =>
    engine.docker.getContainer(id).commit({ changes: options.changes, comment: options.comment, pause: options.pause, author: 'dockervm' }),
  )) as { Id: string };
  return result.Id;
}

/** A container that never runs: something to commit (a snapshot of an image) or to hold a name. */
export async function createIdleContainer(engine: Engine, image: string, labels: Record<string, string>): Promise<string> {
  const container = await engine.call('create a container', () =>
    engine.docker.createContainer({ Image: image, Labels: labels, Entrypoint: ['true'], NetworkDisabled: true }),
  );
  return container.id;
}

/** Host ports published by running containers, with who publishes them (and their dockervm project). */
export async function publishedPorts(engine: Engine): Promise<{ port: number; container: string; project: string | undefined }[]> {
  const list = await engine.call('list containers', () => engine.docker.listContainers({ all: false }));
  return list.flatMap((c) =>
    c.Ports.filter((p) => p.PublicPort).map((p) => ({
      port: p.PublicPort,
      container: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      project: c.Labels?.[LABEL.project],
    })),
  );
}

/** When the engine last probed a container's health, and how often it probes (times in ms). */
export interface HealthSchedule {
  intervalMs: number;
  /** The interval while the container is starting (the engine's start_interval). */
  startIntervalMs: number;
  startPeriodMs: number;
  timeoutMs: number;
  startedAt: number;
  status: string;
  /** End of the newest probe the engine recorded, if any. */
  lastProbeEnd: number | undefined;
}

const ns = (value: unknown, fallbackMs: number) => (typeof value === 'number' && value > 0 ? value / 1e6 : fallbackMs);

/** Undefined when the container has no health check. The fallbacks are the engine's defaults. */
export async function healthSchedule(engine: Engine, id: string): Promise<HealthSchedule | undefined> {
  const c = await engine.call('inspect the VM', () => engine.docker.getContainer(id).inspect());
  const check = c.Config.Healthcheck as { Test?: string[]; Interval?: number; StartInterval?: number; StartPeriod?: number; Timeout?: number } | undefined;
  const health = (c.State as { Health?: { Status?: string; Log?: { End?: string }[] } }).Health;
  if (!check?.Test?.length || check.Test[0] === 'NONE' || !health) return undefined;
  const last = health.Log?.at(-1)?.End;
  return {
    intervalMs: ns(check.Interval, 30_000),
    startIntervalMs: ns(check.StartInterval, 5_000),
    startPeriodMs: ns(check.StartPeriod, 0),
    timeoutMs: ns(check.Timeout, 30_000),
    startedAt: Date.parse(c.State.StartedAt),
    status: health.Status ?? '',
    lastProbeEnd: last ? Date.parse(last) : undefined,
  };
}
