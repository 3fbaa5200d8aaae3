// dockervm snapshots on a large VM (~1 GB disk, ~40k files, rootfs persistence):
// - time of `dockervm save` and `dockervm restore` for a ~10 MB change, vs a full copy of the same
//   state (docker export of the container + a tar of the volume), with ratios (goal: ≤ 2 s, and
//   proportional to the change, not to the disk);
// - disk cost of a snapshot vs the size of the change (1, 10, 100 MB).
// Needs the engine, the built bin (npm run build) and the base images (scripts/engine/up.sh).
// Cleans up everything it made, by label.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const DOCKERVM = join(root, 'packages/dockervm/bin/dockervm.js');
const CREATE = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const name = `dvmcli-bench-${Date.now().toString(36)}`;
const work = mkdtempSync(join(tmpdir(), 'dvmcli-bench-'));
const dir = join(work, name);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 1_800_000, cwd: dir, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}
const timed = (fn) => {
  const started = performance.now();
  const value = fn();
  return { seconds: (performance.now() - started) / 1000, value };
};
const steps = [];
/** Runs dockervm --json; keeps its step timings (DOCKERVM_DEBUG=timing) for the breakdown. */
const dockervm = (...args) => {
  const result = spawnSync(process.execPath, [DOCKERVM, args[0], '--json', ...args.slice(1)], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', DOCKERVM_DEBUG: 'timing' },
  });
  if (result.status !== 0) throw new Error(`dockervm ${args.join(' ')} failed:\n${result.stderr}`);
  steps.push({ command: args.slice(0, 2).join(' '), lines: result.stderr.split('\n').filter((l) => /^\s+\[/.test(l)) });
  return JSON.parse(result.stdout);
};
const inVm = (script) => run('docker', ['compose', 'exec', '-T', '-u', 'root', 'vm', 'sh', '-c', script]);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
/** What a snapshot adds on disk: the top layer of its commit and of its volume image. */
const topLayer = (ref) => Number(run('docker', ['history', '--no-trunc', '--format', '{{.Size}}', '--human=false', ref]).split('\n')[0]);

function cleanup() {
  spawnSync('docker', ['compose', 'down', '--volumes', '--timeout', '1'], { cwd: dir, stdio: 'ignore' });
  const ids = (args) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const label = `label=dev.dockervm.project=${name}`;
  const containers = ids(['ps', '-aq', '--filter', label]);
  if (containers.length) spawnSync('docker', ['rm', '-f', ...containers]);
  const volumes = ids(['volume', 'ls', '-q', '--filter', label]);
  if (volumes.length) spawnSync('docker', ['volume', 'rm', '-f', ...volumes]);
  const tags = ids(['images', '--format', '{{.Repository}}:{{.Tag}}', name]);
  if (tags.length) spawnSync('docker', ['rmi', '-f', ...tags]);
  for (let i = 0; i < 5; i++) {
    const images = ids(['images', '-aq', '--filter', label]);
    if (!images.length) break;
    spawnSync('docker', ['rmi', '-f', ...new Set(images)]);
  }
  rmSync(work, { recursive: true, force: true });
}

try {
  run(process.execPath, [CREATE, dir, '--yes', '--no-install', '--name', name, '--desktop', 'shell'], {
    cwd: work,
    env: { ...process.env, DOCKERVM_REGISTRY_MIRROR: MIRROR },
  });
  run('docker', ['compose', 'up', '--detach', '--build', '--wait']);
  // A large disk: many small files (copies of /usr) and some big ones, about 1 GB in all.
  inVm('for i in 1 2 3 4 5; do cp -a /usr /opt/usr$i; done; for i in 1 2 3 4 5 6; do head -c 80000000 /dev/urandom > /srv/big$i; done');
  const disk = inVm('du -sb /etc /home /opt /root /srv /usr /var | awk "{s+=\\$1} END {print s}"; find /etc /home /opt /root /srv /usr /var | wc -l')
    .trim()
    .split('\n');
  console.log(`VM ${name}: disk ${mb(Number(disk[0]))} in ${disk[1]} files`);

  const first = timed(() => dockervm('save', '-m', 'first (full copy)'));
  console.log(
    `first save (copies the whole disk once, while the VM runs): ${first.seconds.toFixed(1)} s, VM frozen ${first.value.pausedMs} ms (${first.value.freeze})`,
  );

  // The reference: a full copy of the same state, the way a naive snapshot would make it.
  const vm = run('docker', ['compose', 'ps', '-q', 'vm']).trim();
  const exportTime = timed(() => {
    run('sh', ['-c', `docker export ${vm} > ${join(work, 'export.tar')}`]);
    run('sh', ['-c', `docker run --rm -v ${name}_rootfs:/v:ro busybox:latest tar -C /v -cf - . > ${join(work, 'volume.tar')}`]);
  }).seconds;
  rmSync(join(work, 'export.tar'), { force: true });
  rmSync(join(work, 'volume.tar'), { force: true });
  console.log(`full copy (docker export + tar of the volume): ${exportTime.toFixed(1)} s`);

  // A 10 MB change: a new file, an edited config, a deleted file, a file in the container layer.
  inVm('head -c 10000000 /dev/urandom > /home/dev/change.bin; echo edited >> /etc/hostname.bench; rm -rf /opt/usr5/share/doc; echo layer > /tmp/layer');
  const save = timed(() => dockervm('save', '-m', '10 MB change'));
  const restore = timed(() => dockervm('restore', first.value.snapshot.id));
  const back = timed(() => dockervm('restore', restore.value.autoSave.id));
  console.log('');
  console.log('| operation (10 MB change on the large VM) | time | vs full copy |');
  console.log('|---|---|---|');
  console.log(
    `| save | ${save.seconds.toFixed(2)} s (VM frozen ${save.value.pausedMs} ms by ${save.value.freeze}, ${mb(save.value.copiedBytes)} copied) | ${(save.seconds / exportTime).toFixed(2)}× |`,
  );
  console.log(
    `| restore older snapshot (auto-save first) | ${restore.seconds.toFixed(2)} s (${mb(restore.value.copiedBytes)} put back) | ${(restore.seconds / exportTime).toFixed(2)}× |`,
  );
  console.log(`| restore the auto-save | ${back.seconds.toFixed(2)} s (${mb(back.value.copiedBytes)} put back) | ${(back.seconds / exportTime).toFixed(2)}× |`);
  console.log(`| full copy: docker export + volume tar | ${exportTime.toFixed(2)} s | 1.00× |`);
  console.log('');
  console.log('Where the time goes (DOCKERVM_DEBUG=timing):');
  for (const { command, lines } of steps.slice(-3)) console.log(`  dockervm ${command}\n${lines.map((l) => `  ${l}`).join('\n')}`);

  console.log('');
  console.log('| change | snapshot disk cost (container layer + volume data) | cost / change |');
  console.log('|---|---|---|');
  for (const size of [0, 1, 10, 100]) {
    if (size) inVm(`head -c ${size * 1000000} /dev/urandom > /home/dev/cost-${size}.bin`);
    const { snapshot } = dockervm('save', '-m', `${size} MB`);
    const container = topLayer(snapshot.image);
    const volumes = snapshot.volumesImage ? topLayer(snapshot.volumesImage) : 0;
    console.log(
      `| ${size ? `${size} MB new file` : 'nothing'} | ${mb(container + volumes)} (${mb(container)} + ${mb(volumes)}) | ${size ? ((container + volumes) / (size * 1000000)).toFixed(2) : '–'} |`,
    );
  }
} finally {
  cleanup();
}
