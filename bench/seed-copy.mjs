// How fast a first start seeds the VM's disk (issue 10): the generated seed-rootfs script of the default
// VM, copying with its GNU tar pipe, next to the same script made to take its cp -a branch (the one it
// keeps for bases without GNU tar, and the only one before). Each round seeds a fresh volume once each
// way, the order alternating; every copy is timed inside the container (no container start in the
// figure) and checked against the other: the same paths with the same mode, owner, size, link target,
// mtime and link count (`find -printf`; directory sizes aside, which ext4 grows in blocks, and the files
// the engine puts into every container's /etc: hostname, hosts, resolv.conf, mtab, with /etc's own mtime).
// Printed, never asserted. Needs a running engine and the local mirror (scripts/engine/up.sh).
// BENCH_ROUNDS (5) rounds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedByCp } from './desktop-start.mjs';
import { removeLabelled, runCleanup } from './engine-cleanup.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CREATE_BIN = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const work = mkdtempSync(join(tmpdir(), 'dvmbench-seed-'));
const name = `dvmbench-seed-${Date.now().toString(36).slice(-4)}`;
const image = `dockervm/${name}:latest`;
const DISK = '/.dockervm/disk';

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${(result.stderr ?? '').slice(-2000)}`);
  return result.stdout;
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Seeds a fresh volume with the image's own script (`cp: true`: its cp -a branch) and returns the
 * seconds the script ran, and the listing of what it wrote.
 */
function seed(cp) {
  const volume = `${name}-${cp ? 'cp' : 'tar'}`;
  sh('docker', ['volume', 'rm', '-f', volume]);
  sh('docker', ['volume', 'create', '--label', `dev.dockervm.project=${name}`, volume]);
  const script = `cp /.dockervm/bin/seed-rootfs /tmp/seed${cp ? ` && ${seedByCp('/tmp/seed')}` : ''}`;
  const out = sh('docker', [
    'run',
    '--rm',
    '--user',
    'root',
    '--network',
    'none',
    '--label',
    `dev.dockervm.project=${name}`,
    '--volume',
    `${volume}:${DISK}`,
    '--entrypoint',
    'sh',
    image,
    '-c',
    // The page cache is the same for both (the image was read by the runs before); only the copy is timed.
    `${script} && sync && start=$(date +%s%N) && /tmp/seed >/dev/null && end=$(date +%s%N) && ` +
      `echo "$(( (end - start) / 1000000 ))" && cd ${DISK} && find etc home opt root srv usr var ! -type d -printf '%p %m %U %G %s %l %T@ %n\\n' -o -type d -printf '%p %m %U %G %T@\\n' | grep -Ev '^etc(/hostname|/hosts|/resolv.conf|/mtab)? ' | sort | md5sum`,
  ]);
  sh('docker', ['volume', 'rm', '-f', volume]);
  const [ms, listing] = out.trim().split('\n');
  return { seconds: Number(ms) / 1000, listing };
}

const cleanup = [];
try {
  const dir = join(work, name);
  sh(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install'], { env: { ...process.env, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: MIRROR } });
  cleanup.push(() => removeLabelled(name));
  process.stderr.write('bench: building the default VM …\n');
  sh('docker', ['compose', 'build', '--quiet'], { cwd: dir });
  const files = sh('docker', [
    'run',
    '--rm',
    '--entrypoint',
    'sh',
    image,
    '-c',
    'find /etc /home /opt /root /srv /usr /var | wc -l; du -sm /etc /home /opt /root /srv /usr /var | awk "{ s += \\$1 } END { print s }"',
  ])
    .trim()
    .split('\n');
  seed(false); // reads the image once, so that neither way pays for a cold page cache
  const times = { tar: [], cp: [] };
  const listings = new Set();
  for (let round = 0; round < ROUNDS; round++) {
    for (const way of round % 2 === 0 ? ['tar', 'cp'] : ['cp', 'tar']) {
      const result = seed(way === 'cp');
      times[way].push(result.seconds);
      listings.add(result.listing);
      process.stderr.write(`round ${round + 1}: ${way} ${result.seconds.toFixed(2)} s\n`);
    }
  }
  const s = (values) => `${median(values).toFixed(2)} s (${values.map((v) => v.toFixed(2)).join(', ')})`;
  console.log(`### Seeding the default VM's disk (${files[0]} paths, ${files[1]} MB), ${ROUNDS} rounds alternating\n`);
  console.log('| copy | median (each run) |\n|---|---|');
  console.log(`| GNU tar pipe (now) | ${s(times.tar)} |`);
  console.log(`| cp -a (before; bases without GNU tar) | ${s(times.cp)} |`);
  console.log(
    `\ntar / cp -a: **${(median(times.tar) / median(times.cp)).toFixed(2)}×**; the two copies list ${listings.size === 1 ? 'the same' : 'DIFFERENT'} paths, modes, owners, sizes, links and times`,
  );
} finally {
  runCleanup(cleanup);
  rmSync(work, { recursive: true, force: true });
}
