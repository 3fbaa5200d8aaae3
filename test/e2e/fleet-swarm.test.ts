// `dockervm fleet` on a real Docker Swarm that this test builds on one machine: three dockerds in
// network namespaces of their own (test/helpers/swarm-nodes.ts), a manager and two workers, joined by
// a bridge, an overlay network between them, and a registry the nodes pull from. The main engine only
// builds the images (it never joins a swarm). First the manager alone, a one-node swarm (what most
// users try first: no registry); then three nodes with six seats, each seat's desktop opened through
// the TLS entry point in headless Chromium with its own password (and refused with another's), a
// seat moved with its disk, a worker's seat saved to the manager and restored, a worker stopped (its
// seats down, the others running) and started again, and everything torn down with the disks on
// every node, bounded in time.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROXY_DOCKERFILE, proxyImageTag } from '../../src/cli/fleet/proxy.ts';
import { VERSION } from '../../src/version.ts';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, openNoVnc } from '../helpers/browser.ts';
import { ensureDebianPackages } from '../helpers/xvfb.ts';
import { CREATE_BIN, cleanupProject, dockervm, engineAvailable, MIRROR, requireBuiltDockervm, scratchDir, sh, uniqueName } from '../helpers/dockervm-engine.ts';
import { labAvailable, startSwarmLab, waitFor, type SwarmLab, type SwarmNode } from '../helpers/swarm-nodes.ts';

const haveEngine = engineAvailable();
const labProblem = labAvailable();
if (labProblem && process.env.CI) throw new Error(`the fleet test needs network namespaces and dockerd: ${labProblem}`);
if (labProblem) process.stderr.write(`skipping the fleet swarm test: ${labProblem}\n`);

interface SeatJson {
  name: string;
  node: string;
  state: string;
  url: string;
  password: string | null;
}
interface StatusJson {
  ok: boolean;
  seats: SeatJson[];
  entry: { host: string; port: number } | null;
}

describe.skipIf(!haveEngine || Boolean(labProblem))('dockervm fleet on a three-node swarm in network namespaces', () => {
  const scratch = scratchDir();
  const name = uniqueName('fleet');
  const dir = `${scratch.path}/${name}`;
  const image = `dockervm/${name}:latest`;
  const proxyImage = proxyImageTag(VERSION);
  let builtProxy = false;
  let lab: SwarmLab | undefined;
  const started = Date.now();

  const fleet = (args: string[], timeoutMs = 360_000) => {
    if (!lab) throw new Error('no swarm lab');
    return dockervm(['fleet', ...args], { cwd: dir, env: { DOCKER_HOST: lab.manager.host }, timeoutMs });
  };
  const fleetJson = <T = StatusJson>(args: string[]): T => {
    const r = fleet([...args, '--json']);
    if (r.status !== 0) throw new Error(`dockervm fleet ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-3000)}\n${r.stdout}`);
    return JSON.parse(r.stdout) as T;
  };
  const services = () =>
    (lab?.manager.docker(['service', 'ls', '-q', '--filter', `label=dev.dockervm.project=${name}`]) ?? '').trim().split('\n').filter(Boolean);
  /** A shell command as root in a seat's running container, on whichever node runs it. */
  const seatExec = (seat: string, script: string) => {
    for (const node of lab?.nodes ?? []) {
      if (!node.running) continue;
      const id = node.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${name}-fleet_${seat}`, '--filter', 'status=running']).trim();
      if (id) return node.docker(['exec', '-u', 'root', id, 'sh', '-c', script]).trim();
    }
    throw new Error(`${seat} runs on no node`);
  };
  const curl = (url: string, extra: string[] = []) =>
    sh('curl', ['-sS', '-k', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', ...extra, url], { timeoutMs: 20_000 });

  beforeAll(async () => {
    requireBuiltDockervm();
    const created = spawnSync(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install', '--name', name], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: MIRROR },
    });
    if (created.status !== 0) throw new Error(`create-dockervm failed: ${created.stderr}`);
    // The default VM (its package layer is in the build cache once another suite built one), built by
    // the main engine, which reaches Debian's mirror; the nodes get it by docker load and the registry.
    const build = sh('docker', ['compose', 'build', 'vm'], { cwd: dir, timeoutMs: 900_000 });
    if (build.status !== 0) throw new Error(`docker compose build failed:\n${build.stderr.slice(-3000)}`);
    if (sh('docker', ['image', 'inspect', proxyImage]).status !== 0) {
      const proxy = sh('docker', ['build', '-q', '-t', proxyImage, '-'], { input: PROXY_DOCKERFILE, timeoutMs: 600_000 });
      if (proxy.status !== 0) throw new Error(`the proxy image did not build:\n${proxy.stderr.slice(-3000)}`);
      builtProxy = true;
    }
    process.stdout.write(`fleet test: images built in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    lab = await startSwarmLab({ nodes: 3 });
    lab.loadImages(lab.manager, [image, proxyImage]);
    process.stdout.write(`fleet test: three dockerds up, images loaded at ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  });

  afterAll(async () => {
    const down = Date.now();
    await lab?.teardown();
    cleanupProject(name);
    if (builtProxy) sh('docker', ['rmi', proxyImage]);
    scratch.cleanup();
    process.stdout.write(`fleet test: torn down in ${((Date.now() - down) / 1000).toFixed(0)} s; whole file ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  });

  it('without a swarm, says how to make one', () => {
    const r = fleet(['up', '--seats', '2', '--no-build']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not part of a swarm/);
    expect(r.stderr).toMatch(/docker swarm init/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a one-node swarm: two seats from the local image, no registry, each behind the TLS entry point', () => {
    lab?.initSwarm();
    const up = fleetJson(['up', '--seats', '2', '--no-build', '--wait', '240']);
    expect(up.seats.map((s) => [s.name, s.node, s.state])).toEqual([
      ['seat-01', 'node-0', 'running'],
      ['seat-02', 'node-0', 'running'],
    ]);
    const url = up.seats[0]?.url ?? '';
    expect(url).toBe(`https://${lab?.manager.address}:8443/seat-01/`);
    // The seat's page, through the proxy: noVNC, told to open its websocket under the seat's prefix.
    expect(curl(url).stdout).toBe(`302 ${url}vnc.html?path=seat-01/websockify&autoconnect=1&resize=remote&reconnect=1`);
    expect(curl(`${url}vnc.html`).stdout).toMatch(/^200 /);
    expect(curl(url.replace('https:', 'http:')).stdout).toMatch(/^400 /);
    const down = fleet(['down', '--volumes', '--yes']);
    expect(down.status, down.stderr).toBe(0);
    expect(services()).toEqual([]);
    expect(lab?.manager.docker(['volume', 'ls', '-q', '--filter', `label=dev.dockervm.project=${name}`]).trim()).toBe('');
  });

  it('with three nodes: refused before deploying without a registry, with too many seats, and with a registry that does not answer', async () => {
    await lab?.joinWorkers();
    const noRegistry = fleet(['up', '--seats', '6', '--no-build']);
    expect(noRegistry.status).toBe(1);
    expect(noRegistry.stderr).toMatch(/4 of the 6 seats go to other nodes.*--registry/);
    const tooMany = fleet(['up', '--seats', '6', '--no-build', '--seat-memory', '64G', '--registry', lab?.registry ?? '']);
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toMatch(/6 seats do not fit: the 3 ready node\(s\) hold 0 at 64 GiB each/);
    const unreachable = fleet(['up', '--seats', '6', '--no-build', '--registry', `${lab?.hostAddress}:5999/class`]);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot push the seats' image to .*:5999\/class.*nothing was deployed/);
    expect(services()).toEqual([]);
  });

  let seats: SeatJson[] = [];

  it('six seats over three nodes, pulled from the registry, each with its own password', () => {
    const up = fleetJson(['up', '--seats', '6', '--no-build', '--registry', `${lab?.registry}/class`, '--wait', '300']);
    seats = up.seats;
    expect(seats.map((s) => s.state)).toEqual(Array(6).fill('running'));
    const perNode = seats.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.node]: (acc[s.node] ?? 0) + 1 }), {});
    expect(perNode).toEqual({ 'node-0': 2, 'node-1': 2, 'node-2': 2 });
    expect(new Set(seats.map((s) => s.password)).size).toBe(6);
    expect(seats.every((s) => /^[A-Za-z0-9]{8}$/.test(s.password ?? ''))).toBe(true);
    // The workers ran what the registry holds, by digest.
    const image = lab?.manager.docker(['service', 'inspect', `${name}-fleet_seat-03`, '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}']) ?? '';
    expect(image.trim()).toMatch(new RegExp(`^${lab?.registry}/class/${name}:fleet@sha256:[0-9a-f]{64}$`));
    const passwords = fleetJson<{ seats: { name: string; password: string }[] }>(['passwords']);
    expect(passwords.seats).toEqual(seats.map((s) => ({ name: s.name, password: s.password })));
  });

  it("the entry point's certificate is signed by the CA fleet ca prints, for the manager's address", async () => {
    const ca = fleet(['ca']);
    expect(ca.status, ca.stderr).toBe(0);
    expect(ca.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const verified = await new Promise<{ authorized: boolean; san: string }>((resolve, reject) => {
      const socket = connect({ host: lab?.manager.address, port: 8443, ca: ca.stdout, timeout: 10_000 }, () => {
        resolve({ authorized: socket.authorized, san: socket.getPeerCertificate().subjectaltname ?? '' });
        socket.end();
      });
      socket.on('error', reject);
      socket.on('timeout', () => reject(new Error('TLS handshake timed out')));
    });
    expect(verified).toEqual({ authorized: true, san: `IP Address:${lab?.manager.address}` });
  });

  // Chromium runs in a namespace of its own on the switch, as a student's machine would (see SwarmLab).
  it("each seat's desktop opens in Chromium through the entry point with its own password, and refuses another seat's", async () => {
    if (!lab) throw new Error('no lab');
    ensureDebianPackages({ [CHROMIUM_PATH]: 'chromium' });
    const browser = await chromium.launch({ executablePath: lab.chromiumInClient, args: [...CHROMIUM_ARGS], headless: true, timeout: 60_000 });
    try {
      const attempt = async (url: string, password: string) => {
        const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1024, height: 700 } });
        try {
          return await openNoVnc(await context.newPage(), { url, password, timeoutMs: 90_000 });
        } finally {
          await context.close();
        }
      };
      // A second try in a fresh page when the first never got as far as the password (a page that
      // did not load on a machine this busy); a refused password is never retried.
      const open = async (url: string, password: string) => {
        try {
          return await attempt(url, password);
        } catch (error) {
          if (/Authentication failure|asked for the password again/.test((error as Error).message)) throw error;
          process.stdout.write(`fleet test: ${url} once more after: ${(error as Error).message}\n`);
          return await attempt(url, password);
        }
      };
      // One after another: six desktops drawing at once on two shared cores is a load test, not this one.
      for (const seat of seats) {
        const timings = await open(seat.url, seat.password ?? '');
        expect(timings.url).toContain(`/${seat.name}/vnc.html?path=${seat.name}/websockify`);
        expect(timings.canvasWidth).toBeGreaterThan(0);
      }
      const [first, second] = seats;
      await expect(open(first?.url ?? '', second?.password ?? '')).rejects.toThrow(/Authentication failure|asked for the password again/);
    } finally {
      await browser.close().catch(() => undefined);
    }
  });

  it('fleet move: files written on the disk of seat-01 (on the manager) are there on node-1 after the move', () => {
    if (!lab) throw new Error('no lab');
    const token = `moved-${Date.now()}`;
    const seatContainer = (node: SwarmNode) =>
      node.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${name}-fleet_seat-01`, '--filter', 'status=running']).trim();
    const before = seatContainer(lab.manager);
    expect(before).not.toBe('');
    lab.manager.docker(['exec', '-u', 'root', before, 'sh', '-c', `echo ${token} > /home/dev/notes.txt && echo ${token} > /etc/motd-fleet`]);
    const moved = fleetJson<StatusJson & { moved: { seat: string; from: string; to: string; bytes: number; sha256: string } }>([
      'move',
      'seat-01',
      'node-1',
      '--wait',
      '240',
    ]);
    expect(moved.moved).toMatchObject({ seat: 'seat-01', from: 'node-0', to: 'node-1' });
    expect(moved.moved.bytes).toBeGreaterThan(50_000_000);
    expect(moved.seats.find((s) => s.name === 'seat-01')).toMatchObject({ node: 'node-1', state: 'running' });
    const worker = lab.nodes[1] as SwarmNode;
    const after = seatContainer(worker);
    expect(after).not.toBe('');
    expect(worker.docker(['exec', after, 'cat', '/home/dev/notes.txt', '/etc/motd-fleet']).trim()).toBe(`${token}\n${token}`);
    // The desktop came up from the moved disk (its health check passed there) and answers through the entry point.
    expect(curl(`${moved.seats[0]?.url}vnc.html`).stdout).toMatch(/^200 /);
    seats = moved.seats;
  });

  // seat-03 is on node-2, a worker: its disk goes to the manager and back over the overlay network.
  // Neither command waits for seat-03's health check (--wait 0), and its disk is read and changed by a
  // container beside it on node-2: no wait for the seat to start again (node-2 is stopped next). That
  // it was started again is its service's replica count.
  let saved: { seat: string; id: string; tag: string; bytes: number } | undefined;
  const seatImage = () =>
    lab?.manager.docker(['service', 'inspect', `${name}-fleet_seat-03`, '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}']).trim() ?? '';
  const nodeTwo = (): SwarmNode => {
    const node = lab?.nodes[2];
    if (!node) throw new Error('no lab');
    return node;
  };
  const onHome = (script: string) =>
    nodeTwo()
      .docker(['run', '--rm', '-u', 'root', '--entrypoint', 'sh', '-v', `${name}-fleet_seat-03-home:/h`, seatImage(), '-c', script])
      .trim();
  const replicas = () => lab?.manager.docker(['service', 'inspect', `${name}-fleet_seat-03`, '--format', '{{.Spec.Mode.Replicated.Replicas}}']).trim();

  it("fleet save: a seat's disk into a snapshot image on the manager, the seat started again", () => {
    if (!lab) throw new Error('no lab');
    seatExec('seat-03', 'echo saved-seat-03 > /home/dev/notes.txt');
    const r = fleetJson<StatusJson & { saved: NonNullable<typeof saved>[] }>(['save', 'seat-03', '-m', 'end of lesson', '--wait', '0']);
    saved = r.saved[0];
    expect(r.saved.map((s) => s.seat)).toEqual(['seat-03']);
    expect(saved?.tag).toBe(`dockervm/${name}:fleet-seat-03-${saved?.id}`);
    expect(saved?.bytes).toBeGreaterThan(50_000_000);
    expect(replicas()).toBe('1');
    // The file as the seat wrote it, in the image on the manager.
    expect(lab.manager.docker(['run', '--rm', '--entrypoint', 'cat', saved?.tag ?? '', '/.dockervm-seat-disk/home/dev/notes.txt']).trim()).toBe(
      'saved-seat-03',
    );
  });

  it("fleet restore: seat-03's disk back as saved; what it held before is saved first", () => {
    if (!lab) throw new Error('no lab');
    onHome('echo changed > /h/dev/notes.txt && echo new > /h/dev/new.txt');
    const r = fleetJson<StatusJson & { restored: { tag: string }; autoSave: { tag: string } }>(['restore', 'seat-03', '--wait', '0']);
    expect(r.restored.tag).toBe(saved?.tag);
    expect(r.seats.find((s) => s.name === 'seat-03')?.node).toBe('node-2');
    expect(replicas()).toBe('1');
    expect(onHome('cat /h/dev/notes.txt; ls /h/dev/new.txt 2>/dev/null || echo gone')).toBe('saved-seat-03\ngone');
    expect(lab.manager.docker(['run', '--rm', '--entrypoint', 'cat', r.autoSave.tag, '/.dockervm-seat-disk/home/dev/new.txt']).trim()).toBe('new');
    const list = fleetJson<{ snapshots: { seat: string; message: string }[] }>(['snapshots']);
    expect(list.snapshots.map((s) => `${s.seat} ${s.message}`)).toEqual(['seat-03 end of lesson', `seat-03 before restoring ${saved?.tag}`]);
  });

  it('a worker stopped: its seats are reported down, the others stay running and reachable', async () => {
    const worker = lab?.nodes[2];
    if (!lab || !worker) throw new Error('no lab');
    await lab.stopNode(worker);
    let status: StatusJson | undefined;
    const reported = await waitFor(async () => {
      const now = fleetJson(['status']);
      status = now;
      return now.seats.filter((s) => s.node === worker.hostname).every((s) => s.state === 'down');
    }, 120_000);
    expect(reported, JSON.stringify(status?.seats)).toBe(true);
    for (const seat of status?.seats ?? []) expect([seat.name, seat.state]).toEqual([seat.name, seat.node === worker.hostname ? 'down' : 'running']);
    const alive = status?.seats.find((s) => s.state === 'running');
    expect(curl(`${alive?.url}vnc.html`).stdout).toMatch(/^200 /);
    const text = fleet(['status']);
    expect(text.stdout).toMatch(/6 seats \(4 running, 2 down\) on 3 nodes/);
    expect(text.stdout).toMatch(/down \(node node-2 is down\)/);
  });

  it('fleet scale with a node down: a new seat goes to a node that is up, and goes again', () => {
    const more = fleetJson(['scale', '7', '--wait', '240']);
    const added = more.seats.find((s) => s.name === 'seat-07');
    expect(added?.state).toBe('running');
    expect(['node-0', 'node-1']).toContain(added?.node);
    expect(more.seats.filter((s) => s.state === 'down').map((s) => s.name)).toEqual(['seat-03', 'seat-06']);
    const fewer = fleetJson(['scale', '6', '--wait', '240']);
    expect(fewer.seats.map((s) => s.name)).toEqual(seats.map((s) => s.name));
  });

  it('fleet down --volumes with every node up again: no seat disk left on any node', async () => {
    const worker = lab?.nodes[2];
    if (!lab || !worker) throw new Error('no lab');
    const sub = fleet(['launch']);
    expect(sub.status).toBe(1);
    expect(sub.stderr).toMatch(/unknown fleet command "launch": one of up, status/);
    const count = fleet(['scale', 'many']);
    expect(count.stderr).toMatch(/a whole number of seats from 1 to 99/);
    const unsure = fleet(['down', '--volumes']);
    expect(unsure.status).toBe(1);
    expect(unsure.stderr).toMatch(/add --yes/);
    expect(services().length).toBe(7);
    await lab.startNode(worker);
    const back = await waitFor(
      async () => lab?.manager.docker(['node', 'ls', '--format', '{{.Hostname}} {{.Status}}']).includes(`${worker.hostname} Ready`) ?? false,
      90_000,
    );
    expect(back).toBe(true);
    const volumes = (node: SwarmNode) =>
      node
        .docker(['volume', 'ls', '-q', '--filter', `label=dev.dockervm.project=${name}`])
        .trim()
        .split('\n')
        .filter(Boolean);
    // seat-01's old copy on node-0 (moved away), and every seat's disk where it runs.
    expect(lab.nodes.map((n) => volumes(n).length > 0)).toEqual([true, true, true]);
    const down = fleetJson<{ nodes: { node: string; removedVolumes: string[]; left: string | null }[] }>([
      'down',
      '--volumes',
      '--yes',
      '--node-socket',
      `${lab.dir}/{{.Node.Hostname}}/docker.sock`,
    ]);
    expect(down.nodes.map((n) => [n.node, n.left])).toEqual([
      ['node-0', null],
      ['node-1', null],
      ['node-2', null],
    ]);
    expect(services()).toEqual([]);
    expect(lab.nodes.map((n) => volumes(n))).toEqual([[], [], []]);
  });
});
