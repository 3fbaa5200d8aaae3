// Load on one engine, with the scaffolder's default VM (noVNC desktop, openbox, supervisord, rootfs
// disk), printed and never asserted:
// - VMS default VMs started at once: time until all are healthy, memory per VM, and how long the
//   engine takes to answer `docker info` while they run (vs before they started: a ratio);
// - CONCURRENT saves of CONCURRENT VMs at once, with every VM's health read four times a second;
// - CYCLES save/restore cycles in a row on one VM with execs and health probes around them: hangs,
//   VMs left paused, unhealthy readings, and files lost (a file written before each save must be
//   there after restoring it).
// Sizes from the environment: LOAD_VMS (20), LOAD_CONCURRENT (5), LOAD_CYCLES (200).
// One image is built; the other VMs are copies of the project under other names (same image, other
// ports), as a class would make them. Everything is removed at the end, by label.
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/ports.ts';
import { execLoop, inspectStates, run, watchHealth } from '../test/helpers/vm-watch.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CREATE = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const DOCKERVM = join(root, 'packages/dockervm/bin/dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const VMS = Number(process.env.LOAD_VMS ?? 20);
const CONCURRENT = Math.min(VMS, Number(process.env.LOAD_CONCURRENT ?? 5));
const CYCLES = Number(process.env.LOAD_CYCLES ?? 200);
const id = Date.now().toString(36);
const work = mkdtempSync(join(tmpdir(), 'dvmcli-load-'));
const names = Array.from({ length: VMS }, (_, i) => `dvmcli-load-${id}-${i}`);
const dirOf = (name) => join(work, name);

async function must(command, args, options) {
  const r = await run(command, args, options);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return r.stdout;
}
const dockervm = (name, args, timeoutMs = 600_000) => run(process.execPath, [DOCKERVM, ...args], { cwd: dirOf(name), timeoutMs });
const vmId = async (name) => (await must('docker', ['compose', 'ps', '-q', 'vm'], { cwd: dirOf(name) })).trim();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const summary = (readings) => {
  const counts = {};
  for (const r of readings) counts[r] = (counts[r] ?? 0) + 1;
  return Object.entries(counts)
    .map(([k, v]) => `${v}× ${k}`)
    .join(', ');
};

async function cleanup() {
  for (const name of names) await run('docker', ['compose', 'down', '--volumes', '--timeout', '1'], { cwd: dirOf(name), timeoutMs: 120_000 });
  for (const name of names) {
    const ids = (args) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    const label = `label=dev.dockervm.project=${name}`;
    const containers = ids(['ps', '-aq', '--filter', label]);
    if (containers.length) spawnSync('docker', ['rm', '-f', ...containers]);
    const volumes = ids(['volume', 'ls', '-q', '--filter', label]);
    if (volumes.length) spawnSync('docker', ['volume', 'rm', '-f', ...volumes]);
    const tags = ids(['images', '--format', '{{.Repository}}:{{.Tag}}', `dockervm/${name}`]);
    if (tags.length) spawnSync('docker', ['rmi', '-f', ...tags]);
    for (let i = 0; i < 5; i++) {
      const images = ids(['images', '-aq', '--filter', label]);
      if (!images.length) break;
      spawnSync('docker', ['rmi', '-f', ...new Set(images)]);
    }
  }
  rmSync(work, { recursive: true, force: true });
}

try {
  // One project built; the others are copies under their own names and ports, on the same image.
  await must(process.execPath, [CREATE, dirOf(names[0]), '--yes', '--no-install', '--name', names[0]], {
    cwd: work,
    env: { DOCKERVM_REGISTRY_MIRROR: MIRROR },
  });
  const build = await run('docker', ['compose', 'build', '--quiet'], { cwd: dirOf(names[0]), timeoutMs: 1_800_000 });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stderr.slice(-2000)}`);
  for (const name of names.slice(1)) {
    cpSync(dirOf(names[0]), dirOf(name), { recursive: true });
    // The VNC secret belongs to the VM's user (the scaffolder made it so); a copy belongs to us.
    const secret = statSync(join(dirOf(names[0]), 'secrets/vnc_password'));
    chownSync(join(dirOf(name), 'secrets/vnc_password'), secret.uid, secret.gid);
    const compose = join(dirOf(name), 'compose.yaml');
    writeFileSync(compose, readFileSync(compose, 'utf8').replaceAll(names[0], name));
    const env = join(dirOf(name), '.env');
    let text = readFileSync(env, 'utf8');
    for (const key of [...text.matchAll(/^(DOCKERVM_\w+_PORT)=\d+$/gm)].map((m) => m[1]))
      text = text.replace(new RegExp(`^${key}=\\d+$`, 'm'), `${key}=${await freePort()}`);
    writeFileSync(env, text);
    await must('docker', ['tag', `dockervm/${names[0]}:latest`, `dockervm/${name}:latest`]);
  }

  const infoBefore = median(await Promise.all(Array.from({ length: 5 }, () => run('docker', ['info', '--format', '{{.ID}}']).then((r) => r.ms))));
  const startAt = performance.now();
  const ups = await Promise.all(names.map((name) => run('docker', ['compose', 'up', '--detach', '--no-build'], { cwd: dirOf(name), timeoutMs: 900_000 })));
  const failedUps = ups.filter((u) => u.status !== 0);
  if (failedUps.length) throw new Error(`${failedUps.length} of ${VMS} VMs did not start:\n${failedUps[0].stderr.slice(-1500)}`);
  const ids = await Promise.all(names.map(vmId));
  let healthyAt;
  for (let i = 0; i < 2_400; i++) {
    const r = await inspectStates(ids);
    if (
      r.status === 0 &&
      r.stdout
        .trim()
        .split('\n')
        .every((l) => l === 'running healthy')
    ) {
      healthyAt = performance.now();
      break;
    }
    await sleep(250);
  }
  const infoDuring = median(await Promise.all(Array.from({ length: 5 }, () => run('docker', ['info', '--format', '{{.ID}}']).then((r) => r.ms))));
  await sleep(10_000);
  const stats = await must('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', ...ids], { timeoutMs: 120_000 });
  const mib = stats
    .trim()
    .split('\n')
    .map((l) => {
      const [value, unit] = /^([\d.]+)\s*([KMG]i?B)/.exec(l)?.slice(1) ?? ['0', 'MiB'];
      return Number(value) * ({ KiB: 1 / 1024, MiB: 1, GiB: 1024, kB: 1 / 1024, MB: 1, GB: 1024 }[unit] ?? 1);
    });
  console.log(`${VMS} default VMs started at once: all healthy after ${healthyAt ? `${((healthyAt - startAt) / 1000).toFixed(1)} s` : 'NEVER (10 min)'}`);
  console.log(`memory per VM: median ${median(mib).toFixed(1)} MiB, max ${Math.max(...mib).toFixed(1)} MiB (docker stats, idle)`);
  console.log(
    `engine answering: docker info ${infoDuring.toFixed(0)} ms with ${VMS} VMs vs ${infoBefore.toFixed(0)} ms before: ${(infoDuring / infoBefore).toFixed(2)}×`,
  );

  // Concurrent saves.
  const some = names.slice(0, CONCURRENT);
  const someIds = ids.slice(0, CONCURRENT);
  const watcher = watchHealth(someIds);
  const single = await dockervm(some[0], ['save', '--json', '-m', 'alone']);
  const together = await Promise.all(some.map((name) => dockervm(name, ['save', '--json', '-m', 'together'])));
  await watcher.stop();
  const frozen = together.filter((r) => r.status === 0).map((r) => JSON.parse(r.stdout).pausedMs);
  console.log(
    `${CONCURRENT} saves of ${CONCURRENT} VMs at once: ${together.filter((r) => r.status === 0).length} ok, longest ${(Math.max(...together.map((r) => r.ms)) / 1000).toFixed(1)} s vs one save alone ${(single.ms / 1000).toFixed(1)} s (${(Math.max(...together.map((r) => r.ms)) / single.ms).toFixed(2)}×); frozen ${Math.min(...frozen)}–${Math.max(...frozen)} ms; health readings: ${summary(watcher.readings)}`,
  );
  for (const r of together.filter((t) => t.status !== 0)) console.log(`  a save failed: ${r.stderr.trim().split('\n').at(-1)}`);

  // Save/restore cycles on one VM, with execs and probes around them.
  const name = names[0];
  // Both follow the VM: a restore makes it anew, with another id.
  const readings = [];
  let cycleWatch = watchHealth([ids[0]]);
  let loop = execLoop(ids[0]);
  const result = { saves: 0, restores: 0, failed: 0, hung: 0, lost: 0, pausedMs: [] };
  const started = performance.now();
  for (let i = 0; i < CYCLES; i++) {
    const token = `cycle-${i}`;
    await run('docker', ['exec', '-u', 'root', ids[0], 'sh', '-c', `echo ${token} > /home/dev/token`], { timeoutMs: 60_000 });
    const save = await dockervm(name, ['save', '--json', '-m', token], 300_000);
    if (save.hung) result.hung++;
    if (save.status !== 0) {
      result.failed++;
      continue;
    }
    result.saves++;
    const snapshot = JSON.parse(save.stdout);
    result.pausedMs.push(snapshot.pausedMs);
    await run('docker', ['exec', '-u', 'root', ids[0], 'sh', '-c', 'echo changed > /home/dev/token'], { timeoutMs: 60_000 });
    // A restore recreates the container: the exec loop follows it.
    await loop.stop();
    await cycleWatch.stop();
    readings.push(...cycleWatch.readings);
    const restore = await dockervm(name, ['restore', '--json', snapshot.snapshot.id], 300_000);
    if (restore.hung) result.hung++;
    if (restore.status !== 0) result.failed++;
    else result.restores++;
    ids[0] = await vmId(name);
    loop = execLoop(ids[0]);
    cycleWatch = watchHealth([ids[0]]);
    const back = await run('docker', ['exec', ids[0], 'cat', '/home/dev/token'], { timeoutMs: 60_000 });
    if (back.stdout.trim() !== token) result.lost++;
  }
  await loop.stop();
  await cycleWatch.stop();
  readings.push(...cycleWatch.readings);
  const cycleSeconds = (performance.now() - started) / 1000;
  console.log(
    `${CYCLES} save/restore cycles: ${result.saves} saves, ${result.restores} restores, ${result.failed} failed, ${result.hung} hung, ${result.lost} files lost, in ${cycleSeconds.toFixed(0)} s; frozen per save: median ${median(result.pausedMs)} ms, max ${Math.max(...result.pausedMs)} ms`,
  );
  console.log(`  health readings around them (a restore recreates the VM, which then starts again): ${summary(readings)}`);
  console.log(`  execs around them: ${loop.counts.ran} ran, ${loop.counts.failed} failed, ${loop.counts.hung} hung (the last VM's)`);
} finally {
  await cleanup();
}
