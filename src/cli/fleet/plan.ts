// What a fleet is, decided before anything is deployed (pure): the seats and the node each one is
// pinned to (its disk lives there), whether the nodes can hold them, and the stack file that says so.
import { Document } from 'yaml';
import { CLIError } from '../../errors.ts';
import type { Persistence } from '../../vmspec/types.ts';
import { caddyfile, PROXY_PORT } from './proxy.ts';
import { LABEL } from '../../constants.ts';

export const MAX_SEATS = 99;

export interface NodeCapacity {
  id: string;
  hostname: string;
  /** Ready and active: it can take new seats. */
  schedulable: boolean;
  memoryBytes: number;
}

export interface Seat {
  name: string;
  nodeId: string;
}

export interface HealthCheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface FleetPlan {
  project: string;
  stack: string;
  /** The seats' image: a digest reference after a push, or the local image on a one-node swarm. */
  image: string;
  proxyImage: string;
  proxyNodeId: string;
  host: string;
  port: number;
  seats: Seat[];
  /** Directories each seat keeps on its own disk (one volume each). */
  disk: string[];
  /** Absolute paths of the seats' password files (secrets are read from them at deploy). */
  passwordFile: (seat: string) => string;
  /** Where the proxy's Caddyfile is written for the deploy (stack configs are read from files). */
  proxyConfigFile: string;
  healthcheck: HealthCheck | undefined;
  environment: Record<string, string>;
  seatMemoryBytes: number;
  stopGracePeriod: string;
}

export const stackName = (project: string) => `${project}-fleet`;
export const seatName = (index: number) => `seat-${String(index).padStart(2, '0')}`;

export function parseSeatCount(value: string | undefined, flag: string): number {
  if (value === undefined) throw new CLIError(`${flag} N is needed: how many seats (VMs), 1 to ${MAX_SEATS}`);
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_SEATS) throw new CLIError(`${flag} ${value}: a whole number of seats from 1 to ${MAX_SEATS}`);
  return n;
}

/** `512M`, `1G`, `1.5g` → bytes. */
export function parseMemory(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg])i?b?$/i.exec(value.trim());
  if (!m) throw new CLIError(`--seat-memory ${value}: a size such as 512M or 1G`);
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? 'm').toLowerCase() as 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * unit);
}

export const DISK_DIRS: Record<Persistence, string[]> = {
  rootfs: ['etc', 'home', 'opt', 'root', 'srv', 'usr', 'var'],
  volumes: ['etc', 'home', 'opt', 'root', 'srv', 'usr', 'var'],
  home: ['home', 'root'],
  none: [],
};

/**
 * Seats 1..count. A seat that exists keeps its node (its disk is there); new seats go to the
 * schedulable node with the fewest seats. Refused before deploying when the nodes' memory cannot
 * hold them at `seatMemoryBytes` each (a seat on a node that went down still counts there).
 */
export function placeSeats(count: number, existing: readonly Seat[], nodes: readonly NodeCapacity[], seatMemoryBytes: number): Seat[] {
  const byNode = new Map(nodes.map((n) => [n.id, 0]));
  const kept: Seat[] = [];
  for (const seat of existing) {
    const index = Number(seat.name.slice(5));
    if (index > count || !byNode.has(seat.nodeId)) continue;
    kept.push(seat);
    byNode.set(seat.nodeId, (byNode.get(seat.nodeId) ?? 0) + 1);
  }
  const room = (n: NodeCapacity) => Math.floor(n.memoryBytes / seatMemoryBytes) - (byNode.get(n.id) ?? 0);
  const seats = [...kept];
  const missing: number[] = [];
  for (let i = 1; i <= count; i++) if (!kept.some((s) => s.name === seatName(i))) missing.push(i);
  const free = nodes.filter((n) => n.schedulable).reduce((sum, n) => sum + Math.max(0, room(n)), 0);
  if (missing.length > free) {
    const total = kept.length + free;
    const gib = (seatMemoryBytes / 1024 ** 3).toFixed(2).replace(/\.?0+$/, '');
    throw new CLIError(
      `${count} seats do not fit: the ${nodes.filter((n) => n.schedulable).length} ready node(s) hold ${total} at ${gib} GiB each ` +
        `(${nodes.map((n) => `${n.hostname} ${(n.memoryBytes / 1024 ** 3).toFixed(1)} GiB${n.schedulable ? '' : ' (not ready)'}`).join(', ')}): ` +
        'add a node (docker swarm join), lower --seat-memory, or ask for fewer seats',
    );
  }
  for (const i of missing) {
    const node = nodes
      .filter((n) => n.schedulable && room(n) > 0)
      .sort((a, b) => (byNode.get(a.id) ?? 0) - (byNode.get(b.id) ?? 0) || a.hostname.localeCompare(b.hostname))[0];
    if (!node) throw new CLIError('no node has room for another seat');
    seats.push({ name: seatName(i), nodeId: node.id });
    byNode.set(node.id, (byNode.get(node.id) ?? 0) + 1);
  }
  return seats.sort((a, b) => a.name.localeCompare(b.name));
}

/** The stack file for `docker stack deploy` (a yaml Document, never string templating). */
export function stackFile(plan: FleetPlan): string {
  const labels = (extra: Record<string, string> = {}) => ({ [LABEL.project]: plan.project, [LABEL.fleet]: plan.stack, ...extra });
  const services: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const seat of plan.seats) {
    for (const dir of plan.disk) volumes[`${seat.name}-${dir}`] = { labels: labels({ [LABEL.fleetSeat]: seat.name }) };
    secrets[`${seat.name}-password`] = { file: plan.passwordFile(seat.name), labels: labels({ [LABEL.fleetSeat]: seat.name }) };
    services[seat.name] = {
      image: plan.image,
      hostname: seat.name,
      environment: plan.environment,
      // A fresh named volume is filled from the image the first time the seat mounts it, on the
      // node it runs on: the seat seeds its own disk (Swarm has no depends_on to run a seeder first).
      volumes: plan.disk.map((dir) => ({ type: 'volume', source: `${seat.name}-${dir}`, target: `/${dir}` })),
      // Readable by the VM's login user, whatever its UID: the seat's own password, in its own container.
      secrets: [{ source: `${seat.name}-password`, target: 'vnc_password', mode: 0o444 }],
      networks: ['seats'],
      ...(plan.healthcheck ? { healthcheck: plan.healthcheck } : {}),
      stop_grace_period: plan.stopGracePeriod,
      deploy: {
        // Its name resolves to the task itself: no virtual IP (and no IPVS) between proxy and seat.
        endpoint_mode: 'dnsrr',
        replicas: 1,
        placement: { constraints: [`node.id == ${seat.nodeId}`] },
        resources: { reservations: { memory: String(plan.seatMemoryBytes) } },
        restart_policy: { condition: 'any', delay: '5s' },
        labels: labels({ [LABEL.fleetSeat]: seat.name, [LABEL.fleetNode]: seat.nodeId, [LABEL.fleetImage]: plan.image }),
      },
    };
  }
  // Configs cannot change in place: a new name for new content.
  const configName = `caddyfile-${shortHash(proxyConfigText(plan))}`;
  services.proxy = {
    image: plan.proxyImage,
    ports: [{ target: PROXY_PORT, published: plan.port, protocol: 'tcp', mode: 'host' }],
    configs: [{ source: configName, target: '/etc/caddy/Caddyfile' }],
    volumes: [{ type: 'volume', source: 'proxy-data', target: '/data' }],
    networks: ['seats'],
    deploy: {
      replicas: 1,
      placement: { constraints: [`node.id == ${plan.proxyNodeId}`] },
      restart_policy: { condition: 'any', delay: '2s' },
      labels: labels({ [LABEL.fleetPort]: String(plan.port), [LABEL.fleetHost]: plan.host }),
    },
  };
  const doc = new Document({
    version: '3.8',
    services,
    networks: { seats: { driver: 'overlay', labels: labels() } },
    volumes: { ...volumes, 'proxy-data': { labels: labels() } },
    secrets,
    configs: { [configName]: { file: plan.proxyConfigFile, labels: labels() } },
  });
  return doc.toString({ lineWidth: 0 });
}

export const proxyConfigText = (plan: Pick<FleetPlan, 'host' | 'seats'>) =>
  caddyfile(
    plan.host,
    plan.seats.map((s) => s.name),
  );

function shortHash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export const seatUrl = (host: string, port: number, seat: string) => `https://${host.includes(':') ? `[${host}]` : host}:${port}/${seat}/`;
