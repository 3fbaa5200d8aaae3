// Files through the desktop page (issue 11): upload throughput of a 50 MB file through the TLS web
// front (the same request the page's drop makes) against `docker compose cp` of the same file into the
// same VM, measured side by side in one run (3 rounds each, alternating; medians). Goal: ≥ 0.5×.
// Printed, never asserted. Needs a running engine and the local mirror (scripts/engine/up.sh).
// DOCKERVM_BENCH_PROJECT=DIR measures an already running --bind-all project instead of building one.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CREATE_BIN = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const SIZE = 50 * 1024 * 1024;
const ROUNDS = 3;
const work = mkdtempSync(join(tmpdir(), 'dvmbench-files-'));

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${(result.stderr ?? '').slice(-2000)}`);
  return result.stdout;
}

function post(port, ca, path, headers, file) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    if (file) createReadStream(file).pipe(req);
    else req.end(headers.body);
  });
}

async function signIn(port, ca, password) {
  return new Promise((resolve, reject) => {
    const body = `password=${encodeURIComponent(password)}`;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/dockervm/login',
        method: 'POST',
        ca,
        agent: false,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length },
      },
      (res) => {
        res.resume();
        if (res.statusCode !== 303) return reject(new Error(`sign-in answered ${res.statusCode}`));
        resolve(String(res.headers['set-cookie']).split(';')[0]);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mbps = (ms) => (SIZE / 1024 / 1024 / (ms / 1000)).toFixed(1);

let dir = process.env.DOCKERVM_BENCH_PROJECT;
const ours = !dir;
try {
  if (ours) {
    dir = join(work, `dvmbench-files-${Date.now().toString(36).slice(-4)}`);
    sh(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install', '--bind-all'], { env: { ...process.env, DOCKERVM_REGISTRY_MIRROR: MIRROR } });
    // Measured on this machine only: the ports go back to 127.0.0.1.
    const compose = join(dir, 'compose.yaml');
    writeFileSync(compose, readFileSync(compose, 'utf8').replaceAll('- 0.0.0.0:', '- 127.0.0.1:'));
    process.stderr.write('bench: building and starting the VM…\n');
    sh('docker', ['compose', 'up', '--detach', '--build', '--wait', '--wait-timeout', '400'], { cwd: dir });
  }
  const port = Number(sh('docker', ['compose', 'port', 'vm', '6080'], { cwd: dir }).trim().split(':').pop());
  const ca = sh('docker', ['compose', 'exec', '-T', 'vm', 'cat', '/var/lib/dockervm/tls/certificate.pem'], { cwd: dir });
  const password = readFileSync(join(dir, 'secrets', 'desktop_password'), 'utf8').trim();
  const user = sh('docker', ['compose', 'exec', '-T', 'vm', 'sh', '-c', 'ls /home | head -n1'], { cwd: dir }).trim();
  const file = join(work, 'payload.bin');
  writeFileSync(file, randomBytes(SIZE));
  const cookie = await signIn(port, ca, password);
  const upload = [];
  const copy = [];
  for (let round = 0; round < ROUNDS; round++) {
    let started = performance.now();
    const status = await post(
      port,
      ca,
      `/dockervm/upload/bench-${round}.bin`,
      { Cookie: cookie, 'X-Dockervm-Upload': '1', 'Content-Length': statSync(file).size },
      file,
    );
    upload.push(performance.now() - started);
    if (status !== 201) throw new Error(`upload answered ${status}`);
    started = performance.now();
    sh('docker', ['compose', 'cp', file, `vm:/home/${user}/bench-cp-${round}.bin`], { cwd: dir });
    copy.push(performance.now() - started);
  }
  sh('docker', ['compose', 'exec', '-T', 'vm', 'sh', '-c', `rm -f /home/${user}/Downloads/bench-*.bin /home/${user}/bench-cp-*.bin`], { cwd: dir });
  const up = median(upload);
  const cp = median(copy);
  console.log(`50 MB into the VM, median of ${ROUNDS} (alternating):`);
  console.log(`  through the desktop page (https upload): ${up.toFixed(0)} ms  (${mbps(up)} MB/s)`);
  console.log(`  docker compose cp:                      ${cp.toFixed(0)} ms  (${mbps(cp)} MB/s)`);
  console.log(`  upload / cp throughput: ${(cp / up).toFixed(2)}×  (goal ≥ 0.5×)`);
} finally {
  if (ours && dir) spawnSync('docker', ['compose', 'down', '--volumes', '--rmi', 'local', '--timeout', '5'], { cwd: dir, encoding: 'utf8' });
  rmSync(work, { recursive: true, force: true });
}
