// Before `up`: a host port the VM needs that something else holds. compose would fail half-way with
// "port is already allocated" and no hint; this names the holder (another VM's project, or another
// program) and the .env line that moves this VM's port.
import { createServer } from 'node:net';
import { publishedPorts } from '../docker/containers.ts';
import type { Engine } from '../docker/engine.ts';
import type { ContainerDetails } from '../docker/containers.ts';
import { siblingClaims } from '../create/port-probe.ts';
import type { Project, ProjectPort } from './project.ts';
import { VM_PORT } from '../constants.ts';

const PURPOSE: Record<number, string> = { [VM_PORT.novnc]: 'noVNC', [VM_PORT.vnc]: 'VNC', [VM_PORT.ssh]: 'SSH' };

export function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: ip || '0.0.0.0', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The next port after `from` that is free here and not wanted by the project itself (bounded). */
async function nextFree(ip: string, from: number, avoid: ReadonlySet<number>): Promise<number | undefined> {
  for (let port = from + 1; port <= Math.min(from + 200, 65535); port++) {
    if (!avoid.has(port) && (await portFree(ip, port))) return port;
  }
  return undefined;
}

/** Pure: the one line for a port that is taken. */
export function clashMessage(
  port: ProjectPort,
  holder: { project?: string | undefined; container?: string | undefined } | undefined,
  suggestion: number | undefined,
): string {
  const what = PURPOSE[port.container] ? `${PURPOSE[port.container]} port ${port.host}` : `host port ${port.host} (for ${port.container})`;
  const who = holder?.project
    ? `the dockervm project "${holder.project}"${holder.container ? ` (container ${holder.container})` : ''}`
    : holder?.container
      ? `the container ${holder.container}`
      : 'another program on this machine';
  const fix = port.variable
    ? `change ${port.variable}=${port.host} in .env${suggestion ? ` (e.g. ${port.variable}=${suggestion})` : ''}`
    : `change the port in compose.yaml${suggestion ? ` (e.g. to ${suggestion})` : ''}`;
  return `${what} is taken by ${who}: ${fix}, then \`npx dockervm up\` again`;
}

/** The first of the project's ports someone else holds, as one message; undefined when all are free. */
export async function portClash(engine: Engine, project: Project, vm: ContainerDetails | undefined): Promise<string | undefined> {
  const ours = new Set(vm?.running ? vm.ports.map((b) => b.hostPort) : []);
  const wanted = project.ports.filter((p) => !ours.has(p.host));
  if (wanted.length === 0) return undefined;
  const others = await publishedPorts(engine);
  for (const port of wanted) {
    const holder = others.find((o) => o.port === port.host);
    // The project's own containers: compose replaces them itself.
    if (holder?.project === project.name) continue;
    if (!holder && (await portFree(port.ip, port.host))) continue;
    // Not one another project next to this one has in its .env either (made, not started yet).
    const avoid = new Set([...project.ports.map((p) => p.host), ...siblingClaims(project.dir).keys()]);
    const suggestion = await nextFree(port.ip, port.host, avoid);
    return clashMessage(port, holder, suggestion);
  }
  return undefined;
}
