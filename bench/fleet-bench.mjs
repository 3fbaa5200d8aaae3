// The fleet on a three-node swarm built on this machine (test/helpers/swarm-nodes.ts: dockerds in
// network namespaces), printed and never asserted:
// - time from `dockervm fleet up --seats N` to N seats healthy (N from FLEET_SEATS, default 6), with
//   the image pushed to the lab's registry and pulled by the workers; and one default VM's
//   `docker compose up --wait` on the main engine, measured in the same run, for the ratio;
// - memory per seat (docker stats of every seat container, on every node);
// - the entry point's added latency: the same noVNC page fetched through Caddy (HTTPS, a reused
//   connection) and straight from the seat's container (HTTP, from inside the node that runs it).
// Everything is removed at the end: the fleet, the lab, the project and its image.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROXY_DOCKERFILE, proxyImageTag } from '../src/cli/fleet/proxy.ts';
import { VERSION } from '../src/version.ts';
import { startSwarmLab } from '../test/helpers/swarm-nodes.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CREATE = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const DOCKERVM = join(root, 'packages/dockervm/bin/dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const SEATS = Number(process.env.FLEET_SEATS ?? 6);
const REQUESTS = 40;
const name = `dvmcli-fleetbench-${Date.now().toString(36)}`;
const work = mkdtempSync(join(tmpdir(), 'dvmcli-fleetbench-'));
const dir = join(work, name);

function run(command, args, options = {}) {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 900_000,
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    input: options.input,
  });
  if (r.status !== 0 && !options.allowFail) throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${(r.stderr ?? '').slice(-3000)}`);
  return r.stdout ?? '';
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
/** Memory of a container in bytes, from `docker stats` ("123.4MiB / 23.5GiB"). */
const bytesOf = (text) => {
  const m = /^([\d.]+)\s*([KMG]i?B|B)/.exec(text.trim());
  if (!m) return 0;
  const unit = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2]] ?? 1;
  return Number(m[1]) * unit;
};
/** Per-transfer times (ms) of REQUESTS fetches of one URL over one reused connection, the first left out. */
const fetchTimes = (prefix, url, extra = []) =>
  run(prefix[0], [
    ...prefix.slice(1),
    'curl',
    '-sk',
    '--max-time',
    '20',
    ...extra,
    ...Array.from({ length: REQUESTS + 1 }, () => ['-o', '/dev/null', '-w', '%{time_total}\\n', url]).flat(),
  ])
    .trim()
    .split('\n')
    .slice(1)
    .map((s) => Number(s) * 1000);

let lab;
const proxyImage = proxyImageTag(VERSION);
let builtProxy = false;
try {
  run(process.execPath, [CREATE, dir, '--yes', '--no-install', '--name', name], { env: { DOCKERVM_REGISTRY_MIRROR: MIRROR }, timeoutMs: 60_000 });
  run('docker', ['compose', 'build', 'vm'], { cwd: dir });
  if (spawnSync('docker', ['image', 'inspect', proxyImage]).status !== 0) {
    run('docker', ['build', '-q', '-t', proxyImage, '-'], { input: PROXY_DOCKERFILE });
    builtProxy = true;
  }

  // One VM on the main engine, the way a single user runs it: the yardstick for the fleet's time.
  let started = performance.now();
  run('docker', ['compose', 'up', '--detach', '--wait', '--wait-timeout', '300'], { cwd: dir });
  const oneVmMs = performance.now() - started;
  run('docker', ['compose', 'down', '--volumes'], { cwd: dir });

  lab = await startSwarmLab({ nodes: 3 });
  lab.initSwarm();
  await lab.joinWorkers();
  lab.loadImages(lab.manager, [`dockervm/${name}:latest`, proxyImage]);
  const env = { DOCKER_HOST: lab.manager.host };

  started = performance.now();
  const up = JSON.parse(
    run(process.execPath, [DOCKERVM, 'fleet', 'up', '--json', '--seats', String(SEATS), '--no-build', '--registry', `${lab.registry}/bench`, '--wait', '900'], {
      cwd: dir,
      env,
    }),
  );
  const fleetMs = performance.now() - started;

  let seatBytes = 0;
  let seatCount = 0;
  let proxyBytes = 0;
  for (const node of lab.nodes) {
    for (const line of node.docker(['stats', '--no-stream', '--format', '{{.Name}}\t{{.MemUsage}}']).trim().split('\n').filter(Boolean)) {
      const [container, usage] = line.split('\t');
      if (container.includes('_seat-')) {
        seatBytes += bytesOf(usage);
        seatCount++;
      } else if (container.includes('_proxy.')) proxyBytes += bytesOf(usage);
    }
  }

  // The seat on the manager, fetched both ways from inside the manager's own network namespace.
  const seat = up.seats.find((s) => s.node === lab.manager.hostname) ?? up.seats[0];
  const container = lab.manager.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${name}-fleet_${seat.name}`]).trim();
  const seatIp = lab.manager
    .docker(['inspect', container, '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{if eq $k "docker_gwbridge"}}{{$v.IPAddress}}{{end}}{{end}}'])
    .trim();
  const inNode = ['nsenter', `--net=/run/netns/${lab.manager.netns}`];
  const viaProxy = fetchTimes(inNode, `${seat.url}vnc.html`);
  const direct = fetchTimes(inNode, `http://${seatIp}:6080/vnc.html`);

  const lines = [
    `fleet bench (${SEATS} seats of the default VM on 3 swarm nodes in network namespaces, one machine, ${new Date().toISOString()})`,
    `  fleet up → ${SEATS} seats healthy (push, pull on 2 workers, disks seeded): ${seconds(fleetMs)}`,
    `  one VM, docker compose up --wait on the main engine:                  ${seconds(oneVmMs)}`,
    `  ratio fleet / one VM: ${(fleetMs / oneVmMs).toFixed(2)} (${SEATS} seats; ${(fleetMs / oneVmMs / SEATS).toFixed(2)} per seat)`,
    `  memory per seat: ${(seatBytes / Math.max(1, seatCount) / 1024 ** 2).toFixed(0)} MiB (${seatCount} seats); the entry point: ${(proxyBytes / 1024 ** 2).toFixed(0)} MiB`,
    `  noVNC page (${REQUESTS} fetches, one kept-alive connection): through the entry point ${median(viaProxy).toFixed(2)} ms, direct ${median(direct).toFixed(2)} ms`,
    `  ratio entry point / direct: ${(median(viaProxy) / median(direct)).toFixed(2)} (added ${(median(viaProxy) - median(direct)).toFixed(2)} ms per request, TLS included)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  run(process.execPath, [DOCKERVM, 'fleet', 'down', '--volumes', '--yes'], { cwd: dir, env, allowFail: true });
} finally {
  await lab?.teardown();
  spawnSync('docker', ['compose', 'down', '--volumes'], { cwd: dir });
  spawnSync('docker', ['rmi', `dockervm/${name}:latest`]);
  if (builtProxy) spawnSync('docker', ['rmi', proxyImage]);
  rmSync(work, { recursive: true, force: true });
}
