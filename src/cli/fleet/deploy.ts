// `fleet up` and `fleet scale`: place the seats (refusing before anything changes when they do not
// fit), get the image to where every node can pull it, build the entry point's image once, make
// the passwords, deploy the stack, and wait (bounded) until every seat passes its health check.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { composeOrFail } from '../../docker/compose.ts';
import { inspectImage, pushImage, tagImage } from '../../docker/images.ts';
import { buildFromText, deployStack } from '../../docker/swarm.ts';
import { findCredentials } from '../../registry/credentials.ts';
import { InvalidReferenceError, parseReference } from '../../registry/reference.ts';
import { VERSION } from '../../version.ts';
import { CLIError } from '../../errors.ts';
import { rememberImage } from './down.ts';
import { ensurePassword, passwordFile } from './passwords.ts';
import { DISK_DIRS, placeSeats, proxyConfigText, stackFile, type FleetPlan, type HealthCheck } from './plan.ts';
import { PROXY_DOCKERFILE, proxyImageTag } from './proxy.ts';
import type { SeatRow } from './seats.ts';
import { entryPoint, existingSeats, readSeats, type FleetSession } from './swarm-session.ts';
import { LABEL } from '../../constants.ts';

export interface DeployOptions {
  seats: number;
  /** `HOST[:PORT]/PATH`: where the image goes so that every node can pull it. */
  registry: string | undefined;
  /** The image the seats run (scale: the one already deployed); undefined: build and publish the project's. */
  image: string | undefined;
  build: boolean;
  host: string | undefined;
  port: number | undefined;
  seatMemoryBytes: number;
  waitMs: number;
}

export async function deployFleet(fleet: FleetSession, options: DeployOptions): Promise<{ plan: FleetPlan; seats: SeatRow[] }> {
  const { engine, project, out } = fleet;
  if (project.desktop !== 'novnc') {
    throw new CLIError(
      `a fleet serves each seat's desktop in the browser: ${project.name} has the ${project.desktop} desktop (make the project with --desktop novnc)`,
    );
  }
  const nodes = fleet.nodes.map((n) => ({
    id: n.id,
    hostname: n.hostname,
    schedulable: n.state === 'ready' && n.availability === 'active',
    memoryBytes: n.memoryBytes,
  }));
  // Before anything is built or pushed: seats that cannot fit are refused here.
  const seats = placeSeats(options.seats, existingSeats(fleet), nodes, options.seatMemoryBytes);
  const elsewhere = seats.filter((s) => s.nodeId !== fleet.swarm.nodeId);
  let image = options.image;
  if (!image) {
    if (elsewhere.length > 0 && !options.registry) {
      throw new CLIError(
        `${elsewhere.length} of the ${seats.length} seats go to other nodes, which pull the image from a registry: ` +
          'pass --registry HOST[:PORT]/PATH (one every node can pull from; docker login first if it wants credentials)',
      );
    }
    if (options.build) await out.timed(`building ${project.image}`, () => composeOrFail(engine, project, ['build', project.service]).then(() => undefined));
    const local = await inspectImage(engine, project.image);
    if (!local) throw new CLIError(`the image ${project.image} is not on the engine at ${engine.address}: run without --no-build to build it`);
    // Alone on this node, by its id: Swarm asks a registry for a tag each time a task starts (and
    // would run a registry's image of that name), never for an id.
    image = options.registry ? await publish(fleet, options.registry) : local.id;
  }
  const proxyTag = proxyImageTag(VERSION);
  if (!(await inspectImage(engine, proxyTag))) {
    await out.timed(`building the entry point's image ${proxyTag} (Caddy from Debian, once per engine)`, () =>
      buildFromText(engine, proxyTag, PROXY_DOCKERFILE, { [LABEL.fleetProxy]: VERSION }, out.progress),
    );
  }
  // The entry point runs on this node: by id too.
  const proxyImage = (await inspectImage(engine, proxyTag))?.id ?? proxyTag;
  const known = entryPoint(fleet);
  const vm = vmService(project.composeFile);
  const scratch = mkdtempSync(join(tmpdir(), 'dockervm-fleet-'));
  try {
    const plan: FleetPlan = {
      project: project.name,
      stack: fleet.stack,
      image,
      proxyImage,
      proxyNodeId: fleet.swarm.nodeId,
      host: options.host ?? known?.host ?? (fleet.swarm.address || '127.0.0.1'),
      port: options.port ?? known?.port ?? 8443,
      seats,
      disk: DISK_DIRS[project.persistence],
      passwordFile: (seat) => passwordFile(project.dir, seat),
      proxyConfigFile: join(scratch, 'Caddyfile'),
      healthcheck: vm.healthcheck,
      environment: vm.environment,
      seatMemoryBytes: options.seatMemoryBytes,
      stopGracePeriod: vm.stopGracePeriod,
    };
    for (const seat of seats) ensurePassword(project.dir, seat.name);
    writeFileSync(plan.proxyConfigFile, proxyConfigText(plan));
    fleet.checkpoint();
    await out.timed(`deploying ${seats.length} seat${seats.length === 1 ? '' : 's'} as the stack ${fleet.stack}`, () =>
      deployStack(engine, fleet.stack, stackFile(plan), out.progress),
    );
    rememberImage(project.dir, image);
    const rows = await waitForSeats(fleet, seats.length, options.waitMs);
    return { plan, seats: rows };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Tags the project's image into the registry and pushes it; the digest is what the seats run. */
async function publish(fleet: FleetSession, registry: string): Promise<string> {
  const { engine, project, out } = fleet;
  const repository = `${registry.replace(/\/+$/, '')}/${project.name}`;
  let domain: string;
  try {
    domain = parseReference(`${repository}:fleet`).domain;
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw new CLIError(`--registry ${registry}: ${error.message}`);
    throw error;
  }
  const reference = `${repository}:fleet`;
  const id = (await inspectImage(engine, project.image))?.id ?? project.image;
  await tagImage(engine, id, reference);
  const credentials = await findCredentials(fleet.env, domain);
  const auth = credentials.auth ?? { username: '', password: '', serveraddress: domain };
  const digest = await out
    .timed(`pushing ${reference}`, () => pushImage(engine, reference, auth, out.progress))
    .catch((error: unknown) => {
      throw new CLIError(
        `cannot push the seats' image to ${registry}: ${(error as Error).message}. Check that the registry answers from this engine ` +
          '(and from every node), and `docker login` if it wants credentials; nothing was deployed',
      );
    });
  if (!digest) throw new CLIError(`the registry ${registry} did not say which digest it stored for ${reference}`);
  return `${reference}@${digest}`;
}

/**
 * Polls the seats until every seat whose node is up runs (healthy), bounded; a timeout names the
 * ones that do not. A seat on a node that is down cannot start until the node is back: it is named, not waited for.
 */
export async function waitForSeats(fleet: FleetSession, count: number, waitMs: number): Promise<SeatRow[]> {
  const deadline = Date.now() + waitMs;
  let last = '';
  let rows: SeatRow[] = [];
  for (let i = 0; i < Math.ceil(waitMs / 1000) + 1; i++) {
    rows = await readSeats(fleet);
    const running = rows.filter((r) => r.state === 'running').length;
    const reachable = rows.filter((r) => r.state !== 'down').length;
    const line = `${running}/${count} seats running (${rows.map((r) => `${r.name} ${r.state}`).join(', ')})`;
    if (line !== last) fleet.out.progress(line);
    last = line;
    if (running === reachable && rows.length === count) break;
    if (waitMs === 0 || Date.now() > deadline) {
      if (waitMs === 0) return rows;
      const late = rows.filter((r) => r.state !== 'running' && r.state !== 'down');
      throw new CLIError(
        `not every seat was running within ${Math.round(waitMs / 1000)} s: ${late.map((r) => `${r.name} on ${r.node}: ${r.state}${r.detail ? ` (${r.detail})` : ''}`).join('; ')}. ` +
          'The stack is deployed; `npx dockervm fleet status` follows it',
      );
    }
    fleet.checkpoint();
    await sleep(1000);
  }
  const down = rows.filter((r) => r.state === 'down');
  if (down.length) fleet.out.warn(`${down.map((r) => `${r.name} (${r.detail})`).join(', ')}: down until the node is back (its disk is there)`);
  return rows;
}

const SEAT_HEALTH_TIMEOUT = '10s';
const SEAT_HEALTH_RETRIES = 6;

interface VmService {
  healthcheck: HealthCheck | undefined;
  environment: Record<string, string>;
  stopGracePeriod: string;
}

/** The VM service's health check, environment and grace period, as compose.yaml has them (literal values only). */
function vmService(composeFile: string): VmService {
  const doc = parse(readFileSync(composeFile, 'utf8')) as { services?: { vm?: Record<string, unknown> } };
  const vm = doc.services?.vm ?? {};
  const h = vm.healthcheck as Record<string, unknown> | undefined;
  // Swarm replaces a task that turns unhealthy, and with it the student's open session: a seat gets
  // a minute of failed checks (a busy node answers slowly), not the half minute a single VM has.
  const healthcheck: HealthCheck | undefined =
    h && Array.isArray(h.test)
      ? {
          test: h.test.map(String),
          ...(typeof h.interval === 'string' ? { interval: h.interval } : {}),
          timeout: SEAT_HEALTH_TIMEOUT,
          retries: Math.max(typeof h.retries === 'number' ? h.retries : 0, SEAT_HEALTH_RETRIES),
          ...(typeof h.start_period === 'string' ? { start_period: h.start_period } : {}),
        }
      : undefined;
  const environment: Record<string, string> = {};
  const env = vm.environment;
  if (env && typeof env === 'object' && !Array.isArray(env)) {
    for (const [key, value] of Object.entries(env)) {
      // `${VNC_GEOMETRY:-1280x800}` → its default: a seat has no .env of its own.
      const text = String(value ?? '');
      environment[key] = text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, '$1');
    }
  }
  return { healthcheck, environment, stopGracePeriod: typeof vm.stop_grace_period === 'string' ? vm.stop_grace_period : '20s' };
}
