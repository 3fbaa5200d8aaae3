// Throwaway X servers for tests: Debian's Xvfb (and TigerVNC's Xtigervnc, an X server that is also
// a VNC server) on a free display, plus `xwininfo`-based window listing and process-group
// management so nothing outlives the test run.
//
// X access control — what this helper does and why:
//   * Plain `Xvfb :N` with neither -auth nor -ac already lets EVERY local process in (any UID, any
//     container that sees the socket): with no authorization file the server accepts local
//     connections. So "no options" is not a safe default either.
//   * By default we start the server with `-auth <file>` holding a fresh MIT-MAGIC-COOKIE-1 and
//     `-noreset`. Only holders of the cookie connect: the test process (through `env.XAUTHORITY`),
//     and a container if you hand it a copy (`writeXauthority(path, {uid, gid})`, a FamilyWild entry
//     that matches whatever hostname the container has; mount it and set XAUTHORITY). The cookie
//     works whatever the container's UID, user namespace or hostname.
//   * `allowUids` / `allowLocalUsers` add server-interpreted entries (`xhost +SI:localuser:NAME`):
//     the server reads the client's UID from the Unix socket (SO_PEERCRED) and compares it with
//     getpwnam(NAME) on the HOST. A container process reaching the socket through a bind mount of
//     /tmp/.X11-unix is seen with its host-side UID (the same number without user-namespace
//     remapping), so `allowUids: [1000]` lets a container user with UID 1000 in — provided the host
//     has *some* passwd entry with UID 1000 (the name does not matter). `SI:localuid:N` would avoid
//     the name lookup but Debian's X servers reject it (BadValue in ChangeHosts). Without
//     -noreset the server forgets xhost entries when its last client disconnects.
//   * `insecureNoAccessControl: true` passes `-ac`: every client that can reach the socket gets
//     in, nothing is checked. Simplest, and acceptable only for a throwaway server nobody else
//     can reach; never the default.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';

export const X11_SOCKET_DIR = '/tmp/.X11-unix';
const DEFAULT_START_TIMEOUT_MS = 15_000;
const FIRST_DISPLAY = 90;
const DISPLAY_SCAN = 200;
const OUTPUT_TAIL_BYTES = 16 * 1024;

// ---------------------------------------------------------------------------------------------
// Debian packages
// ---------------------------------------------------------------------------------------------

/** A command on PATH, or — when it contains a slash — a file that exists. */
function onPath(binary: string): boolean {
  if (binary.includes('/')) return existsSync(binary);
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure each binary is on PATH (or each absolute path exists), installing its Debian package with apt-get when it is not
 * (`{ Xvfb: 'xvfb', xwininfo: 'x11-utils' }`). Runs `apt-get update` once if the first install
 * attempt fails. Needs root; throws with apt's output otherwise.
 */
export function ensureDebianPackages(binaries: Record<string, string>, timeoutMs = 10 * 60_000): void {
  const missing = [
    ...new Set(
      Object.entries(binaries)
        .filter(([binary]) => !onPath(binary))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env, encoding: 'utf8', timeout: timeoutMs });
  let result = install();
  if (result.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { env, encoding: 'utf8', timeout: timeoutMs });
    result = install();
  }
  const still = Object.keys(binaries).filter((binary) => !onPath(binary));
  if (result.status !== 0 || still.length > 0) {
    throw new Error(
      `could not install ${missing.join(' ')} (still missing: ${still.join(' ') || 'none'}):\n${(result.stdout ?? '') + (result.stderr ?? '')}`.slice(0, 8000),
    );
  }
}

export const X_PACKAGES = { Xvfb: 'xvfb', xwininfo: 'x11-utils', xhost: 'x11-xserver-utils' } as const;

// ---------------------------------------------------------------------------------------------
// Process groups
// ---------------------------------------------------------------------------------------------

export interface ManagedProcess {
  readonly command: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** The last 16 KiB of its stdout and stderr, interleaved. */
  output(): string;
  /** SIGTERM to the whole process group, then SIGKILL after `graceMs` (default 5000). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnManagedOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this UID/GID (the test runs as root); supplementary groups are dropped. */
  uid?: number;
  gid?: number;
  /** Extra pipes after stdin/stdout/stderr (fd 3, 4, …), e.g. for -displayfd. */
  extraPipes?: number;
}

const live = new Set<ManagedProcess>();
/** Files to delete after the last-resort SIGKILL at exit (an X server's socket and lock), by process. */
const leftovers = new Map<ManagedProcess, string[]>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
}

/**
 * Spawns `command` in its own process group (detached, so children die with it), keeps a tail of
 * its output, and registers it for a last-resort SIGKILL when the Node process exits.
 */
export function spawnManaged(command: string, args: string[], options: SpawnManagedOptions = {}): ManagedProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const proc of live) killGroup(proc.pid, 'SIGKILL');
      for (const files of leftovers.values()) {
        for (const file of files) {
          try {
            rmSync(file, { recursive: true, force: true });
          } catch {
            // best effort while exiting
          }
        }
      }
    });
  }
  const stdio: Array<'ignore' | 'pipe'> = ['ignore', 'pipe', 'pipe', ...new Array<'pipe'>(options.extraPipes ?? 0).fill('pipe')];
  const child = spawn(command, args, {
    detached: true,
    stdio,
    env: options.env ?? process.env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      keep(Buffer.from(`\n[spawn error] ${error.message}\n`));
      exitedFlag = true;
      resolve({ code: null, signal: null });
    });
  });
  const pid = child.pid ?? -1;
  const managed: ManagedProcess = {
    command,
    pid,
    child,
    exited,
    running: () => !exitedFlag,
    output: () => tail,
    async stop(graceMs = 5000) {
      if (pid > 0) {
        killGroup(pid, 'SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
        // The leader may be gone while others in its group linger: SIGKILL the group either way.
        killGroup(pid, 'SIGKILL');
        if (!done) await Promise.race([exited, sleep(2000)]);
      }
      live.delete(managed);
    },
  };
  if (pid > 0) live.add(managed);
  return managed;
}

// ---------------------------------------------------------------------------------------------
// Xauthority
// ---------------------------------------------------------------------------------------------

const FAMILY_WILD = 0xffff;
const MIT_MAGIC_COOKIE = 'MIT-MAGIC-COOKIE-1';

function xauthField(bytes: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** One Xauthority entry (FamilyWild: matches any host) for display number `displayNumber`. */
export function xauthorityEntry(displayNumber: number, cookie: Buffer): Buffer {
  const family = Buffer.alloc(2);
  family.writeUInt16BE(FAMILY_WILD);
  return Buffer.concat([
    family,
    xauthField(Buffer.alloc(0)),
    xauthField(Buffer.from(String(displayNumber))),
    xauthField(Buffer.from(MIT_MAGIC_COOKIE)),
    xauthField(cookie),
  ]);
}

// ---------------------------------------------------------------------------------------------
// X servers
// ---------------------------------------------------------------------------------------------

export interface XServerOptions {
  /** Display number to use; default: the first free one from :90 (socket and lock file both absent). */
  display?: number;
  /** Give each of these host UIDs access via `xhost +SI:localuser:<name of that UID on the host>`. */
  allowUids?: number[];
  /** Give each of these host user names access via `xhost +SI:localuser:<name>`. */
  allowLocalUsers?: string[];
  /** Pass -ac: no access control at all (see the header comment). Default false. */
  insecureNoAccessControl?: boolean;
  /** Bound on start-up (display ready, xhost entries). Default 15 000 ms. */
  timeoutMs?: number;
}

export interface XvfbOptions extends XServerOptions {
  /** Xvfb -screen 0 value. Default '1280x800x24'. */
  screen?: string;
}

export interface XServer {
  /** ':N' */
  display: string;
  displayNumber: number;
  socketDir: typeof X11_SOCKET_DIR;
  /** /tmp/.X11-unix/XN */
  socketPath: string;
  /** The cookie file the server was started with (undefined with insecureNoAccessControl). */
  xauthority: string | undefined;
  /** DISPLAY (and XAUTHORITY when there is one), to merge into a client's environment. */
  env: { DISPLAY: string; XAUTHORITY?: string };
  process: ManagedProcess;
  /** Adds an `xhost` entry (e.g. 'SI:localuser:alice') and checks the server listed it. */
  allow(entry: string): void;
  /** Writes a FamilyWild cookie file for this display (mode 0600, owned by uid/gid when given), for a container's XAUTHORITY. */
  writeXauthority(path: string, owner?: { uid: number; gid: number }): void;
  /** Starts an X client on this display in its own process group (HOME=/tmp unless env says otherwise). */
  spawnClient(command: string, args: string[], options?: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; withCookie?: boolean }): ManagedProcess;
  /** Stops the server's process group and removes its cookie directory. Idempotent. */
  stop(): Promise<void>;
}

export type XvfbServer = XServer;

/** Xauthority files of the servers this process started, so listWindows(':N') needs no extra argument. */
const cookieFiles = new Map<string, string>();

export function isDisplayFree(displayNumber: number): boolean {
  return !existsSync(join(X11_SOCKET_DIR, `X${displayNumber}`)) && !existsSync(`/tmp/.X${displayNumber}-lock`);
}

/** The first display number from `from` whose socket and lock file are both absent. */
export function freeDisplayNumber(from = FIRST_DISPLAY): number {
  for (let n = from; n < from + DISPLAY_SCAN; n++) if (isDisplayFree(n)) return n;
  throw new Error(`no free X display in :${from}–:${from + DISPLAY_SCAN - 1}`);
}

/** Host user name for a UID (getent passwd), or undefined. */
export function userNameForUid(uid: number): string | undefined {
  const result = spawnSync('getent', ['passwd', String(uid)], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return undefined;
  return result.stdout.split(':')[0] || undefined;
}

function xhost(env: NodeJS.ProcessEnv, args: string[]): { status: number | null; output: string } {
  const result = spawnSync('xhost', args, { env, encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

async function waitForDisplayFd(proc: ManagedProcess, deadline: number): Promise<number | undefined> {
  const pipe = proc.child.stdio[3];
  if (!pipe) return undefined;
  let text = '';
  return await new Promise<number | undefined>((resolve) => {
    const finish = (value: number | undefined) => {
      clearTimeout(timer);
      pipe.removeAllListeners('data');
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), Math.max(0, deadline - Date.now()));
    pipe.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /^(\d+)\n/.exec(text);
      if (match) finish(Number(match[1]));
    });
    void proc.exited.then(() => finish(undefined));
  });
}

interface XServerLaunch {
  binary: string;
  args(displayNumber: number, xauthority: string | undefined): string[];
  /** Extra readiness check after -displayfd reported (e.g. the VNC port accepts). */
  ready?: (deadline: number) => Promise<void>;
}

async function launchXServer(launch: XServerLaunch, options: XServerOptions): Promise<XServer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const workDir = mkdtempSync(join(tmpdir(), 'dockervm-x-'));
  const cookie = randomBytes(16);
  const attempts = options.display === undefined ? 5 : 1;
  let lastError = '';
  let from = FIRST_DISPLAY;

  for (let attempt = 0; attempt < attempts && Date.now() < deadline; attempt++) {
    const displayNumber = options.display ?? freeDisplayNumber(from);
    from = displayNumber + 1;
    if (!isDisplayFree(displayNumber)) {
      rmSync(workDir, { recursive: true, force: true });
      throw new Error(`display :${displayNumber} is taken (${X11_SOCKET_DIR}/X${displayNumber} or /tmp/.X${displayNumber}-lock exists)`);
    }
    let xauthority: string | undefined;
    if (!options.insecureNoAccessControl) {
      xauthority = join(workDir, `Xauthority.${displayNumber}`);
      writeFileSync(xauthority, xauthorityEntry(displayNumber, cookie), { mode: 0o600 });
    }
    const args = [`:${displayNumber}`, ...launch.args(displayNumber, xauthority), '-nolisten', 'tcp', '-noreset', '-displayfd', '3'];
    if (options.insecureNoAccessControl) args.push('-ac');
    else args.push('-auth', xauthority!);
    const proc = spawnManaged(launch.binary, args, { extraPipes: 1 });
    const reported = await waitForDisplayFd(proc, deadline);
    if (reported !== displayNumber || !proc.running()) {
      await proc.stop(1000);
      lastError = `${launch.binary} :${displayNumber} did not become ready (displayfd: ${reported ?? 'nothing'}; exited: ${!proc.running()}):\n${proc.output().trim()}`;
      if (/already active|server is already|Cannot establish any listening sockets/i.test(proc.output())) continue; // raced for the display: next one
      break;
    }
    const display = `:${displayNumber}`;
    const env: XServer['env'] = xauthority ? { DISPLAY: display, XAUTHORITY: xauthority } : { DISPLAY: display };
    const clientEnv = { ...process.env, ...env };
    if (!xauthority) delete clientEnv.XAUTHORITY;

    let stopped = false;
    const server: XServer = {
      display,
      displayNumber,
      socketDir: X11_SOCKET_DIR,
      socketPath: join(X11_SOCKET_DIR, `X${displayNumber}`),
      xauthority,
      env,
      process: proc,
      allow(entry: string) {
        const added = xhost(clientEnv, [`+${entry}`]);
        // xhost exits 0 even when the server refuses the entry (it prints "X Error … BadValue"), so check the list.
        const listed = xhost(clientEnv, []);
        const wanted = entry.replace(/^\+/, '');
        if (added.status !== 0 || /X Error/.test(added.output) || !listed.output.split('\n').some((line) => line.trim() === wanted)) {
          throw new Error(`xhost +${wanted} on ${display} did not take effect:\n${added.output}\nxhost list:\n${listed.output}`);
        }
      },
      writeXauthority(path: string, owner?: { uid: number; gid: number }) {
        writeFileSync(path, xauthorityEntry(displayNumber, cookie), { mode: 0o600 });
        chmodSync(path, 0o600);
        if (owner) chownSync(path, owner.uid, owner.gid);
      },
      spawnClient(command, clientArgs, clientOptions = {}) {
        const baseEnv: NodeJS.ProcessEnv = { ...process.env, HOME: '/tmp', ...clientOptions.env, DISPLAY: display };
        delete baseEnv.XAUTHORITY;
        if (clientOptions.withCookie !== false && xauthority) baseEnv.XAUTHORITY = xauthority;
        return spawnManaged(command, clientArgs, {
          env: baseEnv,
          ...(clientOptions.uid !== undefined ? { uid: clientOptions.uid } : {}),
          ...(clientOptions.gid !== undefined ? { gid: clientOptions.gid } : {}),
        });
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        cookieFiles.delete(display);
        await proc.stop();
        leftovers.delete(proc);
        // After a SIGKILL the server leaves its lock and socket behind; remove them if they are ours.
        const lock = `/tmp/.X${displayNumber}-lock`;
        try {
          if (Number(readFileSync(lock, 'utf8').trim()) === proc.pid) {
            rmSync(lock, { force: true });
            rmSync(server.socketPath, { force: true });
          }
        } catch {
          // no lock file: the server cleaned up itself
        }
        rmSync(workDir, { recursive: true, force: true });
      },
    };
    // If the test process dies without stop(), the exit hook SIGKILLs the server; then remove what it leaves.
    leftovers.set(proc, [server.socketPath, `/tmp/.X${displayNumber}-lock`, workDir]);
    try {
      if (xauthority) cookieFiles.set(display, xauthority);
      if (launch.ready) await launch.ready(deadline);
      for (const uid of options.allowUids ?? []) {
        const name = userNameForUid(uid);
        if (!name) {
          throw new Error(
            `allowUids: no user with UID ${uid} on this host, and SI:localuser needs one (the X server resolves the name with getpwnam; ` +
              `SI:localuid is not supported by Debian's X servers). Hand the client a cookie instead: server.writeXauthority(path, {uid, gid}).`,
          );
        }
        server.allow(`SI:localuser:${name}`);
      }
      for (const name of options.allowLocalUsers ?? []) server.allow(`SI:localuser:${name}`);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }
  rmSync(workDir, { recursive: true, force: true });
  throw new Error(lastError || `${launch.binary}: no display could be started within ${timeoutMs} ms`);
}

/** Starts Xvfb (installing xvfb/x11-utils/x11-xserver-utils if missing) and waits until it accepts clients. */
export async function startXvfb(options: XvfbOptions = {}): Promise<XvfbServer> {
  ensureDebianPackages(X_PACKAGES);
  const screen = options.screen ?? '1280x800x24';
  return launchXServer({ binary: 'Xvfb', args: () => ['-screen', '0', screen] }, options);
}

export interface XvncOptions extends XServerOptions {
  /** VNC password (VNC uses the first 8 characters). */
  password: string;
  /** TCP port for RFB on 127.0.0.1; default: a free one. */
  rfbPort?: number;
  /** Default '1024x768'. */
  geometry?: string;
  /** Default 24. */
  depth?: number;
  /** Desktop name sent in ServerInit. Default 'dockervm-test'. */
  desktopName?: string;
  /** More Xtigervnc arguments (e.g. ['-BlacklistThreshold', '100']). */
  extraArgs?: string[];
}

export interface XvncServer extends XServer {
  host: '127.0.0.1';
  rfbPort: number;
  passwordFile: string;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export const freeTcpPort = freePort;

/**
 * Whether some socket on this host is in LISTEN state on `port` (from /proc/net/tcp and tcp6).
 * Unlike a probe connection, this does not touch the server — which matters for TigerVNC, whose
 * blacklist counts every connection that closes before authenticating.
 */
export function isTcpListening(port: number): boolean {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // fields[1] = local address "ADDR:PORT", fields[3] = state; 0A = LISTEN
      if (fields[3] === '0A' && fields[1]?.endsWith(`:${portHex}`)) return true;
    }
  }
  return false;
}

/** Polls isTcpListening until true; throws at the deadline. */
export async function waitForTcpListen(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (isTcpListening(port)) return;
    await sleep(50);
  }
  throw new Error(`nothing listened on TCP port ${port} in time`);
}

/** Resolves once something accepts TCP connections on host:port; throws at the deadline. */
export async function waitForTcpPort(host: string, port: number, deadline: number): Promise<void> {
  let lastError = 'not tried';
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 1000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve(true);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        lastError = error.message;
        resolve(false);
      });
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing accepted connections on ${host}:${port} in time (${lastError})`);
}

/**
 * Starts TigerVNC's Xtigervnc on 127.0.0.1 only (-localhost -interface 127.0.0.1) with VNC
 * Authentication and a password file made by `vncpasswd -f`. Installs tigervnc-standalone-server
 * and tigervnc-tools if missing.
 *
 * TigerVNC's blacklist: every connection from an address that ends before authenticating
 * successfully — a wrong password, but also a bare rfbHandshake() or a TCP connect probe — counts
 * as a failure; after BlacklistThreshold (default 5) of them the address is refused for
 * BlacklistTimeout (default 10 s, doubling) with the reason 'Too many security failures'. A
 * successful login clears the count. Relax it with extraArgs ['-BlacklistThreshold', '1000'] or
 * ['-UseBlacklist=0'] when a test polls.
 */
export async function startXvnc(options: XvncOptions): Promise<XvncServer> {
  ensureDebianPackages({ Xtigervnc: 'tigervnc-standalone-server', vncpasswd: 'tigervnc-tools', ...X_PACKAGES });
  const rfbPort = options.rfbPort ?? (await freeTcpPort());
  const passwordDir = mkdtempSync(join(tmpdir(), 'dockervm-vncpasswd-'));
  const passwordFile = join(passwordDir, 'passwd');
  const made = spawnSync('vncpasswd', ['-f'], { input: `${options.password}\n`, timeout: 10_000 });
  if (made.status !== 0 || made.stdout.length !== 8) {
    rmSync(passwordDir, { recursive: true, force: true });
    throw new Error(`vncpasswd -f failed (status ${made.status}): ${made.stderr.toString()}`);
  }
  writeFileSync(passwordFile, made.stdout, { mode: 0o600 });
  let server: XServer;
  try {
    server = await launchXServer(
      {
        binary: 'Xtigervnc',
        args: () => [
          '-rfbport',
          String(rfbPort),
          '-localhost',
          '-interface',
          '127.0.0.1',
          '-SecurityTypes',
          'VncAuth',
          '-PasswordFile',
          passwordFile,
          '-geometry',
          options.geometry ?? '1024x768',
          '-depth',
          String(options.depth ?? 24),
          '-desktop',
          options.desktopName ?? 'dockervm-test',
          ...(options.extraArgs ?? []),
        ],
        // Not a probe connection: TigerVNC would count it as a failed (unauthenticated) attempt.
        ready: (deadline) => waitForTcpListen(rfbPort, deadline),
      },
      options,
    );
  } catch (error) {
    rmSync(passwordDir, { recursive: true, force: true });
    throw error;
  }
  leftovers.get(server.process)?.push(passwordDir);
  const stopServer = server.stop.bind(server);
  return Object.assign(server, {
    host: '127.0.0.1' as const,
    rfbPort,
    passwordFile,
    async stop() {
      await stopServer();
      rmSync(passwordDir, { recursive: true, force: true });
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Windows
// ---------------------------------------------------------------------------------------------

export interface ListWindowsOptions {
  /** Cookie file; default: the one of a server this process started on that display, else $XAUTHORITY. */
  xauthority?: string;
  timeoutMs?: number;
}

/**
 * Names of all named windows on `display` (':N'), from `xwininfo -root -tree`, in tree order.
 * Unnamed windows are left out; duplicates are kept. Throws when xwininfo cannot connect.
 */
export function listWindows(display: string, options: ListWindowsOptions = {}): string[] {
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display };
  const xauthority = options.xauthority ?? cookieFiles.get(display);
  if (xauthority) env.XAUTHORITY = xauthority;
  const result = spawnSync('xwininfo', ['-root', '-tree'], { env, encoding: 'utf8', timeout: options.timeoutMs ?? 10_000 });
  if (result.status !== 0) {
    throw new Error(`xwininfo -root -tree on ${display} failed (status ${result.status}${result.error ? `, ${result.error.message}` : ''}): ${result.stderr}`);
  }
  const names: string[] = [];
  for (const line of result.stdout.split('\n')) {
    // e.g.     0x400022 "probe": ("xterm" "XTerm")  484x316+0+0  +0+0
    const match = /^\s*0x[0-9a-fA-F]+ "(.*)": \(/.exec(line);
    if (match) names.push(match[1]!);
  }
  return names;
}

/** Polls listWindows until a window named `name` (string: exact; RegExp: test) exists; bounded by timeoutMs (default 15 000). */
export async function waitForWindow(display: string, name: string | RegExp, options: ListWindowsOptions = {}): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let names: string[] = [];
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      names = listWindows(display, { ...options, timeoutMs: Math.min(10_000, Math.max(1000, deadline - Date.now())) });
      if (names.some((candidate) => (typeof name === 'string' ? candidate === name : name.test(candidate)))) return names;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(
    `no window ${String(name)} on ${display} within ${timeoutMs} ms; windows: ${JSON.stringify(names)}${lastError ? `; last error: ${lastError}` : ''}`,
  );
}
