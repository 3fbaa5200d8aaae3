// A real multi-node Docker Swarm on one machine, for the fleet tests: a dockerd per node, each in a
// network namespace of its own (and a UTS namespace, so each node has its own hostname), joined by
// veth pairs to a bridge that lives in one more namespace (the "switch"). The bridge is not in the
// host's namespace on purpose: there the host's FORWARD policy (DROP, set by the main engine) would
// drop the nodes' traffic to each other, and we change nothing of the host's firewall. The host
// reaches the nodes through one more veth pair into the switch (an address of its own, .1).
//
// Each dockerd has its own data root, exec root, pid file, unix socket (the test's docker calls go
// there) and cgroup parent; its docker0 and iptables rules are inside its own namespace. A registry
// (Debian's docker-registry) listens on the host side of the switch, so every node pulls from it.
// Nothing of the main engine changes: it never joins a swarm.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { unmountUnder } from './second-engine.ts';

const READY_MS = 60_000;
const STOP_MS = 45_000;
const DIR_PREFIX = 'dvfl-';
const STALE_MS = 60 * 60_000;
const TMPFS_SIZE = '12g';

export interface SwarmNode {
  /** `node-0` (the manager), `node-1` … */
  hostname: string;
  /** Its address on the switch, e.g. 10.219.7.10. */
  address: string;
  /** Its network namespace (for `nsenter --net=/run/netns/NAME`: what the node itself sees). */
  netns: string;
  socket: string;
  /** `unix://…`: a DOCKER_HOST for this node. */
  host: string;
  running: boolean;
  docker(args: string[], options?: { timeoutMs?: number; input?: Buffer | string }): string;
  log(): string;
}

export interface SwarmLab {
  dir: string;
  /** The host's own address on the switch (the registry listens there). */
  hostAddress: string;
  /** `10.219.7.1:5000`: a registry every node can pull from (and push to). */
  registry: string;
  nodes: SwarmNode[];
  manager: SwarmNode;
  /**
   * A program that runs Chromium inside a client namespace on the switch (a student's machine on the
   * LAN): there Chromium sees no interface come and go, where on the host every container started by
   * anyone changes the network and Chromium aborts its loads (net::ERR_NETWORK_CHANGED).
   */
  chromiumInClient: string;
  /** `docker swarm init` on the manager. */
  initSwarm(): void;
  /** The workers join the manager's swarm. */
  joinWorkers(): Promise<void>;
  /** Copies images from the main engine into a node (docker save | docker load). */
  loadImages(node: SwarmNode, images: string[]): void;
  /** Stops a node's dockerd (its containers stop with it), as a machine that went down. */
  stopNode(node: SwarmNode): Promise<void>;
  /** Starts a stopped node's dockerd again (it rejoins the swarm by itself), once it answers. */
  startNode(node: SwarmNode): Promise<void>;
  /** Everything: the dockerds, the registry, the namespaces, the links, the directory. */
  teardown(): Promise<void>;
}

function run(command: string, args: string[], options: { timeoutMs?: number; input?: Buffer | string } = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, input: options.input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? `\n${r.error.message}` : '') };
}

function must(command: string, args: string[], options: { timeoutMs?: number; input?: Buffer | string } = {}): string {
  const r = run(command, args, options);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().slice(-2000)}`);
  return r.stdout;
}

/** A /24 in 10.219.0.0/16 no interface of this machine has an address in. */
function freeSubnet(): number {
  const used = must('ip', ['-4', '-o', 'addr', 'show']);
  for (let i = 0; i < 50; i++) {
    const k = 1 + Math.floor(Math.random() * 250);
    if (!used.includes(`10.219.${k}.`)) return k;
  }
  throw new Error('no free 10.219.x.0/24 subnet');
}

async function stopProcess(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/**
 * A killed run leaves its dockerds, namespaces and directory behind. Labs over an hour old go: the
 * processes whose command line names that directory (and only those), its namespaces, its link.
 */
async function sweepStale(): Promise<void> {
  for (const name of readdirSync('/tmp')
    .filter((n) => n.startsWith(DIR_PREFIX))
    .slice(0, 10)) {
    const dir = join('/tmp', name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < STALE_MS) continue;
      const id = readFileSync(join(dir, 'lab-id'), 'utf8').trim();
      for (const pidDir of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          if (readFileSync(`/proc/${pidDir}/cmdline`, 'utf8').includes(`${dir}/`)) process.kill(Number(pidDir), 'SIGKILL');
        } catch {}
      }
      await sleep(1000);
      for (const ns of must('ip', ['netns', 'list'])
        .split('\n')
        .map((l) => l.split(' ')[0] ?? '')
        .filter((n) => n.startsWith(`dvfl${id}-`)))
        run('ip', ['netns', 'del', ns]);
      run('ip', ['link', 'del', `dvfl${id}`]);
      unmountUnder(dir);
      run('umount', ['-l', dir], { timeoutMs: 30_000 });
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {}
  }
}

export async function startSwarmLab(options: { nodes: number }): Promise<SwarmLab> {
  await sweepStale();
  const dir = mkdtempSync(`/tmp/${DIR_PREFIX}`);
  // Everything of the lab (data roots, registry) on a tmpfs of its own: gone at once at teardown,
  // where deleting a few GB of image layers file by file took minutes.
  must('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, `dvfl-lab`, dir]);
  const id = Math.random().toString(36).slice(2, 6);
  writeFileSync(join(dir, 'lab-id'), `${id}\n`);
  const k = freeSubnet();
  const hostAddress = `10.219.${k}.1`;
  const sw = `dvfl${id}-sw`;
  const hostLink = `dvfl${id}`;
  const children: ChildProcess[] = [];
  const namespaces: string[] = [];
  const nodes: SwarmNode[] = [];
  let registryChild: ChildProcess | undefined;
  const restarts = new Map<SwarmNode, () => void>();

  const teardown = async () => {
    // Workers first, then the manager: each dockerd stops its containers on the way out.
    await Promise.all(children.slice(1).map((c) => stopProcess(c, STOP_MS)));
    if (children[0]) await stopProcess(children[0], STOP_MS);
    if (registryChild) await stopProcess(registryChild, 10_000);
    for (const ns of namespaces.reverse()) run('ip', ['netns', 'del', ns]);
    run('ip', ['link', 'del', hostLink]);
    unmountUnder(dir);
    run('umount', ['-l', dir], { timeoutMs: 30_000 });
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    must('ip', ['netns', 'add', sw]);
    namespaces.push(sw);
    must('ip', ['-n', sw, 'link', 'set', 'lo', 'up']);
    must('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    must('ip', ['-n', sw, 'link', 'set', 'br0', 'up']);
    must('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', sw]);
    must('ip', ['-n', sw, 'link', 'set', 'uplink', 'master', 'br0', 'up']);
    must('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', hostLink]);
    must('ip', ['link', 'set', hostLink, 'up']);

    const client = `dvfl${id}-cl`;
    must('ip', ['netns', 'add', client]);
    namespaces.push(client);
    must('ip', ['-n', sw, 'link', 'add', 'cl', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client]);
    must('ip', ['-n', sw, 'link', 'set', 'cl', 'master', 'br0', 'up']);
    must('ip', ['-n', client, 'addr', 'add', `10.219.${k}.5/24`, 'dev', 'eth0']);
    must('ip', ['-n', client, 'link', 'set', 'eth0', 'up']);
    must('ip', ['-n', client, 'link', 'set', 'lo', 'up']);
    const chromiumInClient = join(dir, 'chromium-in-client');
    writeFileSync(chromiumInClient, `#!/bin/sh\nexec nsenter --net=/run/netns/${client} -- /usr/bin/chromium "$@"\n`, { mode: 0o755 });

    // The registry, on the host's side of the switch only.
    const registry = `${hostAddress}:5000`;
    mkdirSync(join(dir, 'registry'));
    writeFileSync(
      join(dir, 'registry.yml'),
      ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/registry`, 'http:', `  addr: ${registry}`, ''].join(
        '\n',
      ),
    );
    const registryLog = openSync(join(dir, 'registry.log'), 'a');
    registryChild = spawn('docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: ['ignore', registryLog, registryLog] });
    closeSync(registryLog);

    for (let i = 0; i < options.nodes; i++) {
      const hostname = `node-${i}`;
      const ns = `dvfl${id}-n${i}`;
      const address = `10.219.${k}.${10 + i}`;
      must('ip', ['netns', 'add', ns]);
      namespaces.push(ns);
      must('ip', ['-n', sw, 'link', 'add', `n${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      must('ip', ['-n', sw, 'link', 'set', `n${i}`, 'master', 'br0', 'up']);
      must('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      must('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      must('ip', ['-n', ns, 'route', 'add', 'default', 'via', hostAddress]);
      // Named by the hostname: `{{.Node.Hostname}}` in a path names a node's own files (its socket).
      const nodeDir = join(dir, hostname);
      mkdirSync(nodeDir);
      writeFileSync(join(nodeDir, 'daemon.json'), `${JSON.stringify({ 'insecure-registries': [registry] })}\n`);
      const socket = join(nodeDir, 'docker.sock');
      const dockerdArgs = [
        '--config-file',
        join(nodeDir, 'daemon.json'),
        '--data-root',
        join(nodeDir, 'data'),
        '--exec-root',
        join(nodeDir, 'exec'),
        '--pidfile',
        join(nodeDir, 'dockerd.pid'),
        '-H',
        `unix://${socket}`,
        '--cgroup-parent',
        `dvfl-${id}-n${i}`,
      ];
      const node: SwarmNode = {
        hostname,
        address,
        netns: ns,
        socket,
        host: `unix://${socket}`,
        running: false,
        docker: (args, o = {}) =>
          must('docker', ['-H', `unix://${socket}`, ...args], { timeoutMs: o.timeoutMs ?? 120_000, ...(o.input ? { input: o.input } : {}) }),
        log: () => {
          try {
            return readFileSync(join(nodeDir, 'dockerd.log'), 'utf8').slice(-3000);
          } catch {
            return '';
          }
        },
      };
      // nsenter only enters the network namespace (`ip netns exec` would remount /sys, and with it
      // the cgroup hierarchy dockerd needs); unshare gives the node a hostname of its own.
      const spawnDockerd = () => {
        const log = openSync(join(nodeDir, 'dockerd.log'), 'a');
        const child = spawn(
          'nsenter',
          [`--net=/run/netns/${ns}`, '--', 'unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec dockerd "$@"', hostname, ...dockerdArgs],
          { stdio: ['ignore', log, log] },
        );
        closeSync(log);
        children[i] = child;
        node.running = true;
        child.once('exit', () => (node.running = false));
      };
      spawnDockerd();
      restarts.set(node, spawnDockerd);
      nodes.push(node);
    }

    for (const node of nodes) await untilAnswers(node);
    const registryUp = await waitFor(async () => run('curl', ['-fsS', '--max-time', '2', `http://${registry}/v2/`]).status === 0, 20_000);
    if (!registryUp) throw new Error(`the registry on ${registry} did not answer:\n${readFileSync(join(dir, 'registry.log'), 'utf8').slice(-2000)}`);

    const manager = nodes[0] as SwarmNode;
    const lab: SwarmLab = {
      dir,
      hostAddress,
      registry,
      nodes,
      manager,
      chromiumInClient,
      initSwarm: () => {
        // An address pool away from the switch's 10.219.0.0/16.
        manager.docker(['swarm', 'init', '--advertise-addr', manager.address, '--default-addr-pool', '10.218.0.0/16']);
      },
      joinWorkers: async () => {
        const token = manager.docker(['swarm', 'join-token', '-q', 'worker']).trim();
        for (const worker of nodes.slice(1)) worker.docker(['swarm', 'join', '--token', token, `${manager.address}:2377`], { timeoutMs: 90_000 });
        const joined = await waitFor(async () => {
          const ready = manager
            .docker(['node', 'ls', '--format', '{{.Status}}'])
            .split('\n')
            .filter((s) => s === 'Ready').length;
          return ready === nodes.length;
        }, 60_000);
        if (!joined) throw new Error(`the workers did not all become Ready:\n${manager.docker(['node', 'ls'])}`);
      },
      loadImages: (node, images) => {
        const tar = join(dir, 'images.tar');
        must('docker', ['save', '-o', tar, ...images], { timeoutMs: 300_000 });
        node.docker(['load', '-q', '-i', tar], { timeoutMs: 300_000 });
        rmSync(tar, { force: true });
      },
      stopNode: async (node) => {
        const child = children[nodes.indexOf(node)];
        if (child) await stopProcess(child, STOP_MS);
      },
      startNode: async (node) => {
        if (node.running) return;
        restarts.get(node)?.();
        await untilAnswers(node);
      },
      teardown,
    };
    return lab;
  } catch (error) {
    await teardown();
    throw error;
  }
}

async function untilAnswers(node: SwarmNode): Promise<void> {
  const deadline = Date.now() + READY_MS;
  let ready = false;
  while (!ready && Date.now() < deadline && node.running) {
    ready = run('docker', ['-H', node.host, 'info', '--format', '{{.ID}}'], { timeoutMs: 10_000 }).status === 0;
    if (!ready) await sleep(250);
  }
  if (!ready) throw new Error(`${node.hostname}'s dockerd did not answer within ${READY_MS / 1000} s:\n${node.log()}`);
}

/** Polls `check` every 500 ms until it is true or `timeoutMs` passed (bounded in count too). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / 500) + 1; i++) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
  return false;
}

export const labAvailable = (): string | undefined => {
  if (process.getuid?.() !== 0) return 'not root (network namespaces need it)';
  for (const tool of ['nsenter', 'unshare', 'ip', 'dockerd', 'docker-registry']) {
    if (run('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return existsSync('/run') ? undefined : 'no /run';
};
