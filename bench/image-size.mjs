// Image size of each desktop variant minus its base image, on the real engine, in one run:
// scaffolded with the built create-dockervm (FROM pinned through the local mirror), built with
// `docker compose build`, measured with `docker image inspect`, and the biggest packages it added
// (dpkg's Installed-Size). A "careless" desktop — `apt-get install -y xterm tigervnc-standalone-server
// novnc websockify supervisor openbox` on the same base — is built as the reference.
// Goal (issue 3): novnc + openbox ≤ +150 MB. Printed, never asserted.
// Needs a running engine and the local mirror (scripts/engine/up.sh). Removes what it builds.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeLabelled, runCleanup } from './engine-cleanup.mjs';
import { installedPackages } from './image-packages.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CREATE_BIN = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const work = mkdtempSync(join(tmpdir(), 'dvmbench-'));
const MB = 1_000_000;

const VARIANTS = [
  { name: 'novnc-openbox', what: 'novnc + openbox + supervisord (the default)', args: [] },
  { name: 'novnc', what: 'novnc, no window manager', args: ['--wm', 'none'] },
  { name: 'vnc', what: 'vnc, no window manager', args: ['--desktop', 'vnc', '--wm', 'none'] },
  { name: 'xterm', what: 'xterm on the host X server', args: ['--desktop', 'xterm'] },
  { name: 'shell', what: 'shell (no desktop)', args: ['--desktop', 'shell'] },
  { name: 'novnc-openbox-trixie', what: 'novnc + openbox on debian:trixie-slim', args: ['--base', 'debian-trixie'] },
];

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 * MB, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${(result.stderr ?? '').slice(-3000)}`);
  return result.stdout;
}

function imageSize(ref) {
  // BuildKit may have fetched the base for the build without putting it in the image store.
  if (spawnSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' }).status !== 0) sh('docker', ['pull', '-q', ref]);
  return Number(sh('docker', ['image', 'inspect', '--format', '{{.Size}}', ref]).trim());
}

/** The base image a generated Dockerfile starts from (last FROM), as `repo@sha256:…`. */
function baseOf(dir) {
  const froms = sh('grep', ['^FROM ', join(dir, 'Dockerfile')])
    .trim()
    .split('\n');
  const reference = froms.at(-1).split(/\s+/)[1];
  const [name, digest] = reference.split('@');
  return digest ? `${name.replace(/:[^/]*$/, '')}@${digest}` : reference;
}

function measure(label, what, image, base) {
  const added = imageSize(image) - imageSize(base);
  const before = installedPackages(base);
  const after = installedPackages(image);
  const grown = [...after].filter(([name]) => !before.has(name)).sort((a, b) => b[1] - a[1]);
  const top = grown
    .slice(0, 10)
    .map(([name, kb]) => `${name} ${(kb / 1024).toFixed(1)}`)
    .join(', ');
  return { label, what, added, packages: grown.length, top };
}

const results = [];
const cleanup = [];
try {
  for (const variant of VARIANTS) {
    const name = `dvmbench-${variant.name}`;
    const dir = join(work, name);
    sh(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install', '--uid', '1000', '--gid', '1000', ...variant.args], {
      env: { ...process.env, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: MIRROR, HOME: work },
    });
    cleanup.push(() => removeLabelled(name));
    cleanup.push(() => sh('docker', ['compose', 'down', '--rmi', 'all', '--volumes'], { cwd: dir }));
    const started = Date.now();
    sh('docker', ['compose', 'build', '--quiet'], { cwd: dir });
    const built = Date.now() - started;
    const result = measure(variant.name, variant.what, `${name}:latest`, baseOf(dir));
    results.push({ ...result, built });
    process.stderr.write(`built ${name} in ${(built / 1000).toFixed(1)} s\n`);
  }
  // The reference: what a desktop costs without looking at what the packages pull.
  const careless = join(work, 'careless');
  mkdirSync(careless);
  const base = baseOf(join(work, 'dvmbench-novnc-openbox'));
  writeFileSync(
    join(careless, 'Dockerfile'),
    `FROM ${base}\nRUN apt-get update && apt-get install -y xterm tigervnc-standalone-server novnc websockify supervisor openbox && rm -rf /var/lib/apt/lists/*\n`,
  );
  cleanup.push(() => sh('docker', ['image', 'rm', 'dvmbench-careless:latest']));
  const started = Date.now();
  sh('docker', ['build', '-q', '-t', 'dvmbench-careless:latest', careless]);
  results.push({
    ...measure('careless', 'apt-get install -y (recommends) of the same desktop', 'dvmbench-careless:latest', base),
    built: Date.now() - started,
  });
} finally {
  runCleanup(cleanup);
  rmSync(work, { recursive: true, force: true });
}

const careless = results.find((r) => r.label === 'careless');
console.log('| variant | image − base | vs careless | packages added | biggest added packages (MB installed) |');
console.log('|---|---:|---:|---:|---|');
for (const r of results) {
  const ratio = careless ? `${((r.added / careless.added) * 100).toFixed(0)} %` : '';
  console.log(`| ${r.label}: ${r.what} | +${(r.added / MB).toFixed(0)} MB | ${ratio} | ${r.packages} | ${r.top} |`);
}
const main = results.find((r) => r.label === 'novnc-openbox');
if (main) console.log(`\nnovnc + openbox: +${(main.added / MB).toFixed(0)} MB over its base (goal ≤ +150 MB)`);
