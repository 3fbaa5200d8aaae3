// A second Docker engine for the engine-selection tests: its own dockerd on 127.0.0.1 over tcp
// (optionally TLS with certificates made here by openssl), with its own data root, exec root,
// pid file, unix socket and config file in a temp dir. A bridge of its own (not none: a dockerd
// started with --bridge=none deletes the host's docker0, which is the main engine's), no
// iptables, no ip forwarding, and its own address pool and cgroup parent: nothing of the main
// engine is touched.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';

const READY_MS = 60_000;
const STOP_MS = 30_000;

export interface SecondEngine {
  dir: string;
  /** `tcp://127.0.0.1:<port>` */
  host: string;
  /** For the test's own docker calls (`docker -H <socket>`), never through the endpoint under test. */
  socket: string;
  /** The engine ID from `docker info`. */
  id: string;
  /** TLS: the client's ca.pem, cert.pem and key.pem (a DOCKER_CERT_PATH). */
  clientCerts?: string;
  /** The CA alone, to verify with and nothing else. */
  caFile?: string;
  /** `docker -H unix://… <args>`; throws with the output when it fails. */
  docker(args: string[], timeoutMs?: number): string;
  log(): string;
  stop(): Promise<void>;
}

function run(
  command: string,
  args: string[],
  timeoutMs = 60_000,
  env: NodeJS.ProcessEnv = process.env,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, env });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? `\n${r.error.message}` : '') };
}

function must(command: string, args: string[], timeoutMs?: number): string {
  const r = run(command, args, timeoutMs);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A CA, a server certificate for IP 127.0.0.1 and a client certificate, all signed by that CA. */
export function makeCertificates(dir: string): { server: string; client: string } {
  const key = (file: string) => ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, file)];
  must('openssl', ['req', '-x509', ...key('ca-key.pem'), '-out', join(dir, 'ca.pem'), '-days', '2', '-subj', '/CN=dockervm test CA']);
  const sign = (name: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    must('openssl', ['req', ...key(`${name}-key.pem`), '-out', join(dir, `${name}.csr`), '-subj', `/CN=dockervm test ${name}`]);
    must('openssl', [
      'x509',
      '-req',
      '-in',
      join(dir, `${name}.csr`),
      '-CA',
      join(dir, 'ca.pem'),
      '-CAkey',
      join(dir, 'ca-key.pem'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      join(dir, `${name}-cert.pem`),
      '-extfile',
      join(dir, `${name}.ext`),
    ]);
  };
  sign('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  sign('client', 'extendedKeyUsage=clientAuth\n');
  // The client's view, laid out as DOCKER_CERT_PATH wants it.
  const client = join(dir, 'client');
  must('mkdir', ['-p', client]);
  writeFileSync(join(client, 'ca.pem'), readFileSync(join(dir, 'ca.pem')));
  writeFileSync(join(client, 'cert.pem'), readFileSync(join(dir, 'client-cert.pem')));
  writeFileSync(join(client, 'key.pem'), readFileSync(join(dir, 'client-key.pem')));
  return { server: dir, client };
}

const PREFIX = 'dvm-eng2-';
const STALE_MS = 60 * 60_000;

/**
 * A killed run leaves its dockerd running and its directory behind. Those over an hour old go: the
 * dockerd whose pid file and command line name that directory (and only it), then the directory.
 */
async function sweepStale(): Promise<void> {
  for (const name of readdirSync('/tmp')
    .filter((n) => n.startsWith(PREFIX))
    .slice(0, 20)) {
    const dir = join('/tmp', name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < STALE_MS) continue;
      const pid = Number(readFileSync(join(dir, 'dockerd.pid'), 'utf8').trim());
      // A pid that is now something else means our dockerd is gone already.
      const cmdline = existsSync(`/proc/${pid}`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
      if (cmdline.startsWith('dockerd\0') && cmdline.includes(`${dir}/data`)) {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 60 && existsSync(`/proc/${pid}`); i++) await sleep(250);
        if (existsSync(`/proc/${pid}`)) continue;
      }
    } catch {}
    unmountAndRemove(dir);
  }
}

/**
 * dockerd unmounts what it mounted on a clean exit; after a KILL, lazily unmount what is left under
 * our own directory (and only there, innermost first) so that the directory can go.
 */
export function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`));
  for (const m of mounts.reverse()) run('umount', ['-l', m], 10_000);
}

function unmountAndRemove(dir: string): void {
  unmountUnder(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** `dataRoot`: where the engine keeps images and volumes (a small filesystem, to fill it up). */
export async function startSecondEngine(options: { tls?: boolean; dataRoot?: string } = {}): Promise<SecondEngine> {
  await sweepStale();
  // Short: a unix socket path must stay under 108 bytes.
  const dir = mkdtempSync(`/tmp/${PREFIX}`);
  const socket = join(dir, 'docker.sock');
  const certs = options.tls ? makeCertificates(dir) : undefined;
  writeFileSync(join(dir, 'daemon.json'), '{}\n');
  const port = await freePort();
  // Its own bridge, with an address, so that dockerd takes it as it is.
  const bridge = `dvme2-${port}`;
  must('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  must('ip', ['addr', 'add', `10.214.${port % 200}.1/24`, 'dev', bridge]);
  must('ip', ['link', 'set', bridge, 'up']);
  const tlsArgs = certs
    ? ['--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server-cert.pem'), '--tlskey', join(dir, 'server-key.pem')]
    : ['--tls=false'];
  const args = [
    '--config-file',
    join(dir, 'daemon.json'),
    '--data-root',
    options.dataRoot ?? join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    join(dir, 'dockerd.pid'),
    '-H',
    `unix://${socket}`,
    '-H',
    `tcp://127.0.0.1:${port}`,
    ...tlsArgs,
    `--bridge=${bridge}`,
    '--iptables=false',
    '--ip6tables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--cgroup-parent',
    `dvm-eng2-${port}`,
    '--default-address-pool',
    'base=10.213.0.0/16,size=24',
  ];
  const logFd = openSync(join(dir, 'dockerd.log'), 'a');
  const child = spawn('dockerd', args, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  const docker = (a: string[], timeoutMs = 120_000) => must('docker', ['-H', `unix://${socket}`, ...a], timeoutMs);
  const log = () => {
    try {
      return readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-3000);
    } catch {
      return '';
    }
  };
  const stop = async () => {
    await stopEngine(child, dir);
    run('ip', ['link', 'del', bridge], 10_000);
  };

  let id = '';
  const deadline = Date.now() + READY_MS;
  for (let i = 0; i < 240 && Date.now() < deadline && !exited; i++) {
    const info = run('docker', ['-H', `unix://${socket}`, 'info', '--format', '{{.ID}}'], 10_000);
    if (info.status === 0 && info.stdout.trim()) {
      id = info.stdout.trim();
      break;
    }
    await sleep(250);
  }
  if (!id) {
    const why = log();
    await stop();
    throw new Error(`the second dockerd did not answer within ${READY_MS / 1000} s${exited ? ' (it exited)' : ''}:\n${why}`);
  }
  return { dir, host: `tcp://127.0.0.1:${port}`, socket, id, ...(certs ? { clientCerts: certs.client, caFile: join(dir, 'ca.pem') } : {}), docker, log, stop };
}

async function stopEngine(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(timer);
  }
  unmountAndRemove(dir);
}
