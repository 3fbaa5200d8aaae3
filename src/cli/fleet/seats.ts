// A seat's state, read from the swarm (pure once the nodes, services and tasks are in hand): a
// seat whose node is down is `down` whatever its last task said; otherwise its newest task's state.
import type { SwarmNode, SwarmService, SwarmTask } from '../../docker/swarm.ts';
import { seatUrl } from './plan.ts';
import { LABEL } from '../../constants.ts';

export type SeatState = 'running' | 'starting' | 'down' | 'pending' | 'failed' | 'stopped';

export interface SeatRow {
  name: string;
  node: string;
  nodeId: string;
  state: SeatState;
  url: string;
  password: string | null;
  /** Why a seat is not running, in the swarm's words. */
  detail: string;
}

export function seatRows(
  services: readonly SwarmService[],
  tasks: readonly SwarmTask[],
  nodes: readonly SwarmNode[],
  entry: { host: string; port: number },
  password: (seat: string) => string | undefined,
): SeatRow[] {
  const rows: SeatRow[] = [];
  for (const service of services) {
    const name = service.labels[LABEL.fleetSeat];
    if (!name) continue;
    const nodeId = service.labels[LABEL.fleetNode] ?? '';
    const node = nodes.find((n) => n.id === nodeId);
    const latest = tasks.filter((t) => t.serviceId === service.id).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    const { state, detail } = stateOf(node, latest);
    rows.push({
      name,
      node: node?.hostname ?? nodeId.slice(0, 12),
      nodeId,
      state,
      url: seatUrl(entry.host, entry.port, name),
      password: password(name) ?? null,
      detail,
    });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

function stateOf(node: SwarmNode | undefined, task: SwarmTask | undefined): { state: SeatState; detail: string } {
  if (!node) return { state: 'down', detail: 'its node has left the swarm' };
  if (node.state !== 'ready') return { state: 'down', detail: `node ${node.hostname} is ${node.state}` };
  if (!task) return { state: 'pending', detail: 'no task yet' };
  const detail = task.error || task.message;
  // A task with a health check is `starting` until the check passes, then `running`.
  if (task.state === 'running') return { state: 'running', detail: '' };
  if (['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready'].includes(task.state)) return { state: 'pending', detail };
  if (task.state === 'starting') return { state: 'starting', detail };
  if (['failed', 'rejected', 'orphaned'].includes(task.state)) return { state: 'failed', detail };
  return { state: 'stopped', detail };
}
