// What every fleet command starts with: the project, an engine that is a swarm manager, the nodes,
// and what of this project's fleet already runs there. No swarm, or a worker, ends here with how to fix it.
import { listNodes, listServices, listTasks, swarmState, type SwarmNode, type SwarmService, type SwarmState } from '../../docker/swarm.ts';
import { CLIError } from '../../errors.ts';
import type { Context } from '../context.ts';
import { openSession, type Session } from '../session.ts';
import { readPassword } from './passwords.ts';
import { stackName, type Seat } from './plan.ts';
import { seatRows, type SeatRow } from './seats.ts';
import { LABEL } from '../../constants.ts';

export interface FleetSession extends Session {
  swarm: SwarmState;
  stack: string;
  nodes: SwarmNode[];
  services: SwarmService[];
}

export async function openFleet(ctx: Context): Promise<FleetSession> {
  const session = await openSession(ctx);
  const swarm = await swarmState(session.engine);
  if (swarm.state !== 'active') {
    throw new CLIError(
      `the Docker engine at ${session.engine.address} is not part of a swarm (${swarm.state}): a fleet runs on Docker Swarm. ` +
        'Make one: `docker swarm init` on this machine (add `--advertise-addr ADDRESS` for other machines to join), ' +
        'then on each other machine the `docker swarm join --token …` line it prints',
    );
  }
  if (!swarm.manager) {
    throw new CLIError(
      `the Docker engine at ${session.engine.address} is a swarm worker: only a manager deploys. Point DOCKER_HOST (or docker context use) at a manager node`,
    );
  }
  const stack = stackName(session.project.name);
  const [nodes, services] = await Promise.all([listNodes(session.engine), listServices(session.engine, { [LABEL.fleet]: stack })]);
  return { ...session, swarm, stack, nodes, services };
}

export function existingSeats(fleet: FleetSession): Seat[] {
  return fleet.services.flatMap((s) => {
    const name = s.labels[LABEL.fleetSeat];
    const nodeId = s.labels[LABEL.fleetNode];
    return name && nodeId ? [{ name, nodeId }] : [];
  });
}

export function entryPoint(fleet: FleetSession): { host: string; port: number } | undefined {
  const proxy = fleet.services.find((s) => s.labels[LABEL.fleetPort]);
  if (!proxy) return undefined;
  return { host: proxy.labels[LABEL.fleetHost] ?? fleet.swarm.address, port: Number(proxy.labels[LABEL.fleetPort]) };
}

/** Reads the seats again (tasks move on while we wait). */
export async function readSeats(fleet: FleetSession): Promise<SeatRow[]> {
  const [nodes, services] = await Promise.all([listNodes(fleet.engine), listServices(fleet.engine, { [LABEL.fleet]: fleet.stack })]);
  fleet.nodes = nodes;
  fleet.services = services;
  const tasks = await listTasks(
    fleet.engine,
    services.map((s) => s.name),
  );
  const entry = entryPoint(fleet) ?? { host: fleet.swarm.address, port: 0 };
  return seatRows(services, tasks, nodes, entry, (seat) => readPassword(fleet.project.dir, seat));
}
