// The fleet on a three-node swarm built on this machine (test/helpers/swarm-nodes.ts: dockerds in
// network namespaces), printed and never asserted:
// - time from `dockervm fleet up --seats N` to N seats healthy (N from FLEET_SEATS, default 6), with
//   the image pushed to the lab's registry and pulled by the workers; and one default VM's
//   `docker compose up --wait` on the main engine, measured in the same run, for the ratio;
// - memory per seat (docker stats of every seat container, on every node);
// - the entry point's added latency: the same noVNC page fetched from inside a seat on the manager,
//   through Caddy (HTTPS, one kept-alive connection) and straight from its websockify (HTTP);
// - `fleet save` of every seat (until every seat is healthy again), per seat, against one VM's first
//   `dockervm save` on the main engine (both copy the whole disk: nothing saved before).
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
  started = performance.now();
  run(process.execPath, [DOCKERVM, 'save', '-m', 'bench'], { cwd: dir });
  const oneSaveMs = performance.now() - started;
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

  // The seat on the manager, fetched both ways from inside itself (Python is in every noVNC VM): its
  // own websockify straight (127.0.0.1:6080), and through the entry point on the manager's address.
  const seat = up.seats.find((s) => s.node === lab.manager.hostname) ?? up.seats[0];
  const container = lab.manager.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${name}-fleet_${seat.name}`]).trim();
  const timer = (scheme, host, port, path) => `
import http.client, ssl, time, json
c = http.client.HTTPSConnection("${host}", ${port}, context=ssl._create_unverified_context()) if "${scheme}" == "https" else http.client.HTTPConnection("${host}", ${port})
times = []
for i in range(${REQUESTS + 1}):
    t = time.perf_counter(); c.request("GET", "${path}"); r = c.getresponse(); r.read(); times.append((time.perf_counter() - t) * 1000)
print(json.dumps(times[1:]))`;
  const fetchTimes = (scheme, host, port, path) => JSON.parse(lab.manager.docker(['exec', container, 'python3', '-c', timer(scheme, host, port, path)]));
  const viaProxy = fetchTimes('https', lab.manager.address, up.entry?.port ?? 8443, `/${seat.name}/vnc.html`);
  const direct = fetchTimes('http', '127.0.0.1', 6080, '/vnc.html');

  started = performance.now();
  const saved = JSON.parse(run(process.execPath, [DOCKERVM, 'fleet', 'save', '--json', '--wait', '900'], { cwd: dir, env })).saved;
  const fleetSaveMs = performance.now() - started;
  const savedBytes = saved.reduce((sum, s) => sum + s.bytes, 0);

  const lines = [
    `fleet bench (${SEATS} seats of the default VM on 3 swarm nodes in network namespaces, one machine, ${new Date().toISOString()})`,
    `  fleet up → ${SEATS} seats healthy (push, pull on 2 workers, disks seeded): ${seconds(fleetMs)}`,
    `  one VM, docker compose up --wait on the main engine:                  ${seconds(oneVmMs)}`,
    `  ratio fleet / one VM: ${(fleetMs / oneVmMs).toFixed(2)} (${SEATS} seats; ${(fleetMs / oneVmMs / SEATS).toFixed(2)} per seat)`,
    `  memory per seat: ${(seatBytes / Math.max(1, seatCount) / 1024 ** 2).toFixed(0)} MiB (${seatCount} seats); the entry point: ${(proxyBytes / 1024 ** 2).toFixed(0)} MiB`,
    `  noVNC page (${REQUESTS} fetches, one kept-alive connection): through the entry point (HTTPS) ${median(viaProxy).toFixed(2)} ms, direct (HTTP) ${median(direct).toFixed(2)} ms (medians)`,
    `  ratio entry point / direct: ${(median(viaProxy) / median(direct)).toFixed(2)} (added ${(median(viaProxy) - median(direct)).toFixed(2)} ms per request, TLS included)`,
    `  fleet save of ${saved.length} seats (${(savedBytes / saved.length / 1e6).toFixed(0)} MB of disk each, seats healthy again): ${seconds(fleetSaveMs)}, ${seconds(fleetSaveMs / saved.length)} per seat`,
    `  one VM, dockervm save (first snapshot, VM running) on the main engine:  ${seconds(oneSaveMs)}`,
    `  ratio fleet save per seat / one VM's save: ${(fleetSaveMs / saved.length / oneSaveMs).toFixed(2)} (the whole class: ${(fleetSaveMs / oneSaveMs).toFixed(2)})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  run(process.execPath, [DOCKERVM, 'fleet', 'down', '--volumes', '--yes'], { cwd: dir, env, allowFail: true });
} finally {
  await lab?.teardown();
  spawnSync('docker', ['compose', 'down', '--volumes'], { cwd: dir });
  // The project's image and the snapshot `dockervm save` made of it (all labelled with this project).
  const images = spawnSync('docker', ['images', '-q', '--filter', `label=dev.dockervm.project=${name}`], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .filter(Boolean);
  spawnSync('docker', ['rmi', '-f', `dockervm/${name}:latest`, ...new Set(images)]);
  if (builtProxy) spawnSync('docker', ['rmi', proxyImage]);
  rmSync(work, { recursive: true, force: true });
}
