// The VM container as the commands see it: found by label, its unsaved changes, a save that was
// interrupted (a stale lock) and the addresses it publishes.
import { containerChanges, findContainers, inspectContainer, type ContainerDetails } from '../docker/containers.ts';
import { readLock } from '../docker/helper.ts';
import type { Project } from './project.ts';
import type { Session } from './session.ts';
import { COMPOSE_LABEL, LABEL, ROLE, VM_PORT } from '../constants.ts';
import { lockName, withSnapshotLock } from './snapshot/lock.ts';

/** The VM container of the project, if compose created one. */
export async function findVm(session: Pick<Session, 'engine' | 'project'>): Promise<ContainerDetails | undefined> {
  const list = await findContainers(session.engine, { [LABEL.project]: session.project.name, [COMPOSE_LABEL.service]: session.project.service });
  // Containers made from a snapshot image, or from the VM's image by hand, inherit its labels
  // (compose labels the images it builds with the project and service): only compose numbers the
  // containers it makes. A running one first.
  const vms = list.filter(
    (c) =>
      c.labels[LABEL.role] !== ROLE.helper &&
      c.labels[LABEL.role] !== ROLE.lock &&
      c.labels[COMPOSE_LABEL.project] === session.project.name &&
      Boolean(c.labels[COMPOSE_LABEL.containerNumber]),
  );
  const vm = vms.find((c) => c.state === 'running' || c.state === 'paused') ?? vms[0];
  return vm ? inspectContainer(session.engine, vm.id) : undefined;
}

export function vmState(vm: ContainerDetails | undefined): string {
  if (!vm) return 'absent';
  if (vm.paused) return 'paused';
  return vm.status;
}

/**
 * Files the VM's own runtime makes again at every boot: they say nothing about the user's work, and
 * a `down` loses nothing by deleting them.
 */
const NOISE = [
  /^\/run(\/|$)/,
  /^\/var\/run(\/|$)/,
  /^\/dev(\/|$)/,
  // The X server's sockets and lock (start-vnc.sh removes a stale lock before it starts).
  /^\/tmp\/\.(X11|ICE|font)-unix(\/|$)/,
  /^\/tmp\/\.X\d+-lock$/,
  // start-vnc.sh: the VNC password file, made from the compose secret at each start.
  /^\/tmp\/dockervm-vnc-\d+(\/|$)/,
  // start-desktop-web.sh: the desktop web front's state (its count of failed sign-ins), and
  // start-xfce.sh: XFCE's runtime directory; both made again at each start.
  /^\/tmp\/dockervm-(web|runtime)-\d+(\/|$)/,
  // supervisord.conf: its pid file and control socket.
  /^\/tmp\/supervisor(d\.pid|\.sock)$/,
  // dockervm's runtime state, and runit's control files in its service directories.
  /^\/\.dockervm\/run(\/|$)/,
  /^\/\.dockervm\/service\/[^/]+\/supervise(\/|$)/,
];

/**
 * The container layer's meaningful changes: `docker diff` minus runtime noise and minus directories
 * that are listed only because something below them changed (noise included: /tmp is "changed" when
 * only the supervisor's socket is in it).
 */
export function meaningfulChanges(changes: readonly { path: string; kind: string }[]): string[] {
  const paths = changes.filter((c) => !NOISE.some((re) => re.test(c.path)));
  const parents = new Set<string>();
  for (const { path } of changes) {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) parents.add(path.slice(0, i));
  }
  return paths
    .filter((c) => !(c.kind === 'changed' && parents.has(c.path)))
    .map((c) => c.path)
    .sort();
}

export async function unsavedChanges(session: Session, vm: ContainerDetails): Promise<string[]> {
  return meaningfulChanges(await containerChanges(session.engine, vm.id));
}

/** A save or restore that was killed left its lock (and maybe a paused VM): clean up after it. */
export async function recoverInterrupted(session: Session): Promise<boolean> {
  const lock = await readLock(session.engine, lockName(session.project.name));
  if (!lock) return false;
  // withSnapshotLock takes a stale lock over and recovers; a live one makes it refuse, which is right.
  await withSnapshotLock(session, 'recover', async () => undefined);
  return true;
}

export interface Address {
  kind: 'novnc' | 'vnc' | 'ssh' | 'port';
  container: number;
  url: string;
}

/** The URL for a published port, reachable from this machine. */
export function localUrl(scheme: string, hostIp: string, port: number, path = ''): string {
  const host = hostIp === '' || hostIp === '0.0.0.0' ? '127.0.0.1' : hostIp === '::' ? '[::1]' : hostIp.includes(':') ? `[${hostIp}]` : hostIp;
  return `${scheme}://${host}:${port}${path}`;
}

export function addresses(ports: readonly { container: number; hostIp: string; hostPort: number }[]): Address[] {
  const seen = new Set<number>();
  const result: Address[] = [];
  for (const p of ports) {
    if (seen.has(p.container)) continue;
    seen.add(p.container);
    if (p.container === VM_PORT.novnc) result.push({ kind: 'novnc', container: p.container, url: localUrl('http', p.hostIp, p.hostPort, '/') });
    else if (p.container === VM_PORT.vnc) result.push({ kind: 'vnc', container: p.container, url: localUrl('vnc', p.hostIp, p.hostPort) });
    else if (p.container === VM_PORT.ssh) result.push({ kind: 'ssh', container: p.container, url: localUrl('ssh', p.hostIp, p.hostPort) });
    else result.push({ kind: 'port', container: p.container, url: localUrl('tcp', p.hostIp, p.hostPort) });
  }
  return result;
}

/**
 * What the VM publishes: the engine's bindings while it runs, else what compose.yaml and .env say it
 * will publish (so a stopped VM still shows the URL it will have).
 */
export function vmAddresses(vm: ContainerDetails | undefined, project: Pick<Project, 'ports'>): Address[] {
  return vm?.running ? addresses(vm.ports) : addresses(project.ports.map((p) => ({ container: p.container, hostIp: p.ip, hostPort: p.host })));
}
