import { execCollect } from '../../docker/exec.ts';
import { listTasks } from '../../docker/swarm.ts';
import { CLIError } from '../../errors.ts';
import type { Command, CommandResult } from '../command.ts';
import type { Context } from '../context.ts';
import { formatBytes, table } from '../messages.ts';
import { moveSeat } from '../fleet/move.ts';
import { deployFleet } from '../fleet/deploy.ts';
import { DEFAULT_NODE_SOCKET, downFleet } from '../fleet/down.ts';
import { listSeatSnapshots, restoreSeat, saveSeats } from '../fleet/save.ts';
import { parseMemory, parseSeatCount } from '../fleet/plan.ts';
import { CA_CERTIFICATE } from '../fleet/proxy.ts';
import type { SeatSnapshot } from '../fleet/seat-snapshots.ts';
import type { SeatRow } from '../fleet/seats.ts';
import { entryPoint, openFleet, readSeats, type FleetSession } from '../fleet/swarm-session.ts';
import { LABEL } from '../../constants.ts';

const SUBCOMMANDS = ['up', 'status', 'passwords', 'scale', 'move', 'save', 'snapshots', 'restore', 'ca', 'down'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

export const command: Command = {
  name: 'fleet',
  summary: 'N copies of this VM ("seats") on a Docker Swarm, each with its own disk, password and URL',
  usage: 'fleet <up|status|passwords|scale|move|save|snapshots|restore|ca|down> [N | SEAT NODE | SEAT…] [options]',
  description: [
    "The project's image runs as a stack (docker stack deploy) of seats seat-01, seat-02 …: each one",
    'has its own disk (volumes on the node it is pinned to), its own random password (a swarm secret,',
    'kept in secrets/fleet/), and its own URL behind one TLS entry point (Caddy, a service on the manager):',
    'https://HOST:PORT/seat-03/. Run it against a swarm manager (docker swarm init makes one).',
    '',
    '  fleet up --seats N      build the image, push it (--registry) and deploy N seats; wait until healthy',
    '  fleet status            per seat: node, state, URL, password (a seat whose node is down says down)',
    "  fleet passwords         each seat's password",
    '  fleet scale N           more or fewer seats (removed seats keep their disks until fleet down --volumes)',
    '  fleet move SEAT NODE    stop the seat, copy its disk to NODE (checked byte for byte), start it there',
    "  fleet save [SEAT…]      snapshot every seat's disk (or the named seats'): each seat stops for its copy",
    '                          (three at a time) and starts again, however the copy ends; the snapshots are',
    '                          images on the manager, dockervm/<project>:fleet-seat-NN-<UTC time>',
    "  fleet snapshots [SEAT]  the seats' snapshots (not in `dockervm snapshots`: a seat's is its disk alone)",
    "  fleet restore SEAT [SNAPSHOT]  put a seat's disk back as saved (its newest, an id, or another seat's",
    '                          tag fleet-seat-NN-<id>); what it held is saved first, so nothing is lost',
    "  fleet ca                the entry point's own CA certificate (PEM), for browsers to trust",
    '  fleet down              remove the stack; --volumes also deletes the disks (on every node that is up:',
    "                          a one-shot job there, through that node's engine socket) and the passwords",
    '',
    'A seat on another node pulls the image from the registry given with --registry (one every node can',
    'pull from: a node gets an image only from a registry). On a one-node swarm the local image is used,',
    'by its id, and no registry is needed.',
  ],
  options: {
    seats: { type: 'string', short: 'n', value: 'N', description: 'up: how many seats' },
    registry: { type: 'string', value: 'HOST[:PORT]/PATH', description: 'up: push the image here for the other nodes (needed with more than one node)' },
    build: { type: 'boolean', description: 'up: docker compose build first (the default); --no-build uses the image as it is on the engine' },
    host: { type: 'string', value: 'NAME', description: "up: the entry point's address in the seats' URLs (default: the manager's swarm address)" },
    port: { type: 'string', value: 'PORT', description: "up: the entry point's port on the manager (default 8443)" },
    'seat-memory': { type: 'string', value: 'SIZE', description: 'up, scale: memory reserved per seat, to check the nodes can hold them (default 512M)' },
    wait: {
      type: 'string',
      value: 'SECONDS',
      description: 'up, scale, move, save, restore: how long to wait for every seat to be healthy (default 300; 0: do not wait)',
    },
    volumes: { type: 'boolean', description: "down: also delete the seats' disks (on every node) and passwords" },
    'node-socket': {
      type: 'string',
      value: 'PATH',
      description: `down --volumes: the engine's socket on the other nodes (default ${DEFAULT_NODE_SOCKET}; {{.Node.Hostname}} is replaced by each node's name)`,
    },
    message: { type: 'string', short: 'm', value: 'MESSAGE', description: 'save: what this snapshot is (shown by fleet snapshots)' },
  },
  positionals: { min: 1, max: 100 },
  examples: [
    'npx dockervm fleet up --seats 20 --registry registry.example.com:5000/class',
    'npx dockervm fleet status --json',
    'npx dockervm fleet scale 25',
    'npx dockervm fleet move seat-07 lab-3',
    'npx dockervm fleet save -m "end of lesson 4"',
    'npx dockervm fleet restore seat-07',
    'npx dockervm fleet down --volumes --yes',
  ],
  async run(ctx) {
    const sub = ctx.positionals[0] as Subcommand;
    if (!SUBCOMMANDS.includes(sub))
      throw new CLIError(`unknown fleet command "${ctx.positionals[0]}": one of ${SUBCOMMANDS.join(', ')} (see npx dockervm fleet --help)`);
    const arity = { scale: 2, move: 3, restore: 3, snapshots: 2, save: 100 }[sub as string] ?? 1;
    if (ctx.positionals.length > arity) throw new CLIError(`unexpected argument "${ctx.positionals[arity]}" for fleet ${sub} (see npx dockervm fleet --help)`);
    if (sub === 'move' && ctx.positionals.length < 3) throw new CLIError('fleet move SEAT NODE: which seat, to which node (see npx dockervm fleet status)');
    if (sub === 'restore' && ctx.positionals.length < 2) throw new CLIError('fleet restore SEAT [SNAPSHOT]: which seat (see npx dockervm fleet snapshots)');
    const fleet = await openFleet(ctx);
    if (sub === 'up') return up(ctx, fleet);
    if (sub === 'scale') return scale(ctx, fleet);
    if (sub === 'down') return down(ctx, fleet);
    if (sub === 'move') {
      const moved = await moveSeat(fleet, ctx.positionals[1] ?? '', ctx.positionals[2] ?? '', deployOptions(ctx));
      const result = status(fleet, moved.rows);
      return {
        data: { ...result.data, moved: { seat: moved.seat, from: moved.from, to: moved.to, bytes: moved.bytes, sha256: moved.sha256 } },
        text: [
          `${moved.seat} moved from ${moved.from} to ${moved.to} with its disk (${formatBytes(moved.bytes)}, sha256 ${moved.sha256.slice(0, 12)}… on both sides); ${moved.from} keeps its old copy`,
          ...(result.text ?? []),
        ],
      };
    }
    if (sub === 'save') return save(ctx, fleet);
    if (sub === 'restore') return restore(ctx, fleet);
    if (sub === 'snapshots') return snapshots(ctx, fleet);
    if (sub === 'ca') {
      const pem = await proxyCertificate(fleet);
      return { data: { certificate: pem }, text: [pem.trimEnd()] };
    }
    const seats = await readSeats(fleet);
    if (sub === 'passwords') {
      return {
        data: { seats: seats.map((s) => ({ name: s.name, password: s.password })) },
        text: seats.length ? table(seats.map((s) => [s.name, s.password ?? '(not in secrets/fleet/)'])) : [noFleet(fleet)],
      };
    }
    return status(fleet, seats);
  },
};

/** Caddy's root certificate, from the proxy container (pinned to the manager this command talks to). */
async function proxyCertificate(fleet: FleetSession): Promise<string> {
  const proxy = fleet.services.find((s) => s.labels[LABEL.fleetPort]);
  if (!proxy) throw new CLIError(noFleet(fleet));
  const task = (await listTasks(fleet.engine, [proxy.name])).find((t) => t.state === 'running' && t.containerId);
  if (!task?.containerId) throw new CLIError('the entry point is not running yet: see npx dockervm fleet status');
  const result = await execCollect(fleet.engine, task.containerId, ['cat', CA_CERTIFICATE], { user: '' }).catch(() => undefined);
  if (!result || result.exitCode !== 0) {
    throw new CLIError(
      `the entry point's certificate is not readable here: run this against the manager that ran fleet up (${result?.stderr.trim() ?? 'no container'})`,
    );
  }
  return result.stdout.toString('utf8');
}

const noFleet = (fleet: FleetSession) => `no fleet of ${fleet.project.name} on this swarm: npx dockervm fleet up --seats N`;

function numberOption(ctx: Context, name: string, fallback: number, min: number, max: number): number {
  const value = ctx.string(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new CLIError(`--${name} ${value}: a whole number from ${min} to ${max}`);
  return n;
}

function deployOptions(ctx: Context) {
  return {
    seatMemoryBytes: parseMemory(ctx.string('seat-memory') ?? '512M'),
    waitMs: numberOption(ctx, 'wait', 300, 0, 3600) * 1000,
  };
}

async function up(ctx: Context, fleet: FleetSession): Promise<CommandResult> {
  const seats = parseSeatCount(ctx.string('seats'), '--seats');
  const port = ctx.string('port') === undefined ? undefined : numberOption(ctx, 'port', 8443, 1, 65535);
  const { seats: rows } = await deployFleet(fleet, {
    seats,
    registry: ctx.string('registry'),
    image: undefined,
    build: ctx.flag('build') !== false,
    host: ctx.string('host'),
    port,
    ...deployOptions(ctx),
  });
  return status(fleet, rows);
}

async function scale(ctx: Context, fleet: FleetSession): Promise<CommandResult> {
  const seats = parseSeatCount(ctx.positionals[1], 'fleet scale');
  const image = fleet.services.map((s) => s.labels[LABEL.fleetImage]).find(Boolean);
  if (!image) throw new CLIError(`${noFleet(fleet)} (scale changes a fleet that runs)`);
  const { seats: rows } = await deployFleet(fleet, {
    seats,
    registry: undefined,
    image,
    build: false,
    host: undefined,
    port: undefined,
    ...deployOptions(ctx),
  });
  return status(fleet, rows);
}

async function save(ctx: Context, fleet: FleetSession): Promise<CommandResult> {
  const names = ctx.positionals.slice(1);
  const { saved, seats } = await saveSeats(fleet, names, { message: ctx.string('message') ?? '', waitMs: deployOptions(ctx).waitMs });
  const result = status(fleet, seats);
  return {
    data: { ...result.data, saved: saved.map(snapshotJson) },
    text: [
      `saved ${saved.length} seat${saved.length === 1 ? '' : 's'} as ${saved[0]?.id ?? ''} (${formatBytes(saved.reduce((sum, s) => sum + s.bytes, 0))} of disk, checked on both ends):`,
      ...table(saved.map((s) => [s.seat, s.tag, formatBytes(s.bytes)])).map((l) => `  ${l}`),
      ...(result.text ?? []),
    ],
  };
}

async function restore(ctx: Context, fleet: FleetSession): Promise<CommandResult> {
  const seat = ctx.positionals[1] ?? '';
  const r = await restoreSeat(fleet, seat, ctx.positionals[2], { waitMs: deployOptions(ctx).waitMs });
  const result = status(fleet, r.seats);
  return {
    data: { ...result.data, restored: snapshotJson(r.restored), autoSave: snapshotJson(r.autoSave) },
    text: [`${seat}'s disk is back as ${r.restored.tag} (${formatBytes(r.bytes)}); what it held before is ${r.autoSave.tag}`, ...(result.text ?? [])],
  };
}

async function snapshots(ctx: Context, fleet: FleetSession): Promise<CommandResult> {
  const seat = ctx.positionals[1];
  const list = (await listSeatSnapshots(fleet)).filter((s) => !seat || s.seat === seat);
  return {
    data: { snapshots: list.map(snapshotJson) },
    text: list.length
      ? table([['SEAT', 'SNAPSHOT', 'SIZE', 'MESSAGE'], ...list.map((s) => [s.seat, s.id, formatBytes(s.bytes), s.message])])
      : [`no snapshot of ${seat ?? 'any seat'} of ${fleet.project.name}: npx dockervm fleet save${seat ? ` ${seat}` : ''}`],
  };
}

const snapshotJson = (s: SeatSnapshot) => ({ seat: s.seat, id: s.id, tag: s.tag, message: s.message, created: s.created, bytes: s.bytes, sha256: s.sha256 });

async function down(ctx: Context, fleet: FleetSession): Promise<CommandResult> {
  const volumes = ctx.flag('volumes') === true;
  if (volumes && !ctx.yes) {
    const sure =
      ctx.interactive && (await ctx.confirm(`Delete the disks of every seat of ${fleet.project.name} on every node (everything the students saved)?`, false));
    if (!sure) throw new CLIError("fleet down --volumes deletes every seat's disk: add --yes to confirm (nothing was removed)");
  }
  const result = await downFleet(fleet, { volumes, nodeSocket: ctx.string('node-socket') ?? DEFAULT_NODE_SOCKET });
  const seats = result.removedServices;
  const left = result.nodes.filter((n) => n.left);
  return {
    data: {
      stack: fleet.stack,
      removedServices: seats,
      removedVolumes: result.nodes.flatMap((n) => n.removed).sort(),
      nodes: result.nodes.map((n) => ({ node: n.node, removedVolumes: n.removed, left: n.left ?? null })),
    },
    text: [
      seats > 0 ? `the fleet of ${fleet.project.name} is down (${seats} services removed)` : noFleet(fleet),
      ...(volumes
        ? [
            ...result.nodes.map(
              (n) =>
                `  ${n.node}: ${n.left ? `the seats' disks stay (${n.left})` : `deleted ${n.removed.length} disk volume${n.removed.length === 1 ? '' : 's'}`}`,
            ),
            'the passwords are deleted',
            ...(left.length ? [`on ${left.map((n) => n.node).join(', ')}, once it is up: ${result.manual}`] : []),
          ]
        : ["the seats' disks stay (fleet down --volumes deletes them)"]),
    ],
  };
}

function status(fleet: FleetSession, seats: SeatRow[]): CommandResult {
  const entry = entryPoint(fleet);
  const counts = Object.entries(
    seats.reduce<Record<string, number>>((acc, s) => {
      acc[s.state] = (acc[s.state] ?? 0) + 1;
      return acc;
    }, {}),
  )
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return {
    data: {
      stack: fleet.stack,
      entry: entry ? { host: entry.host, port: entry.port } : null,
      nodes: fleet.nodes.map((n) => ({ hostname: n.hostname, state: n.state, role: n.role })),
      seats: seats.map((s) => ({ name: s.name, node: s.node, state: s.state, url: s.url, password: s.password, detail: s.detail })),
    },
    text: seats.length
      ? [
          `${fleet.stack}: ${seats.length} seat${seats.length === 1 ? '' : 's'} (${counts}) on ${fleet.nodes.length} node${fleet.nodes.length === 1 ? '' : 's'}`,
          ...table([
            ['SEAT', 'NODE', 'STATE', 'URL', 'PASSWORD'],
            ...seats.map((s) => [s.name, s.node, s.state + (s.state === 'running' || !s.detail ? '' : ` (${s.detail})`), s.url, s.password ?? '?']),
          ]).map((l) => `  ${l}`),
          '  (the entry point has its own certificate authority: a browser asks once to accept it)',
        ]
      : [noFleet(fleet)],
  };
}
