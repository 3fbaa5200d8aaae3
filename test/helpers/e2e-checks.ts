// The checks of the VM e2e suite that need more than a line or two: ssh, the desktop in the browser,
// xterm on a host X server, a killed program coming back, the disk across down + up.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { openNoVnc, screenshotCanvas, startWebsockify, withChromium, type NoVncTimings } from './browser.ts';
import { mustSh, sh } from './e2e-engine.ts';
import type { Expectations } from './e2e-expect.ts';
import type { VmProject } from './e2e-project.ts';
import { decodePng, pixelStats } from './png.ts';
import { rfbHandshake } from './rfb.ts';
import { type RecordedScreenshot, recordScreenshot } from './screenshots.ts';

export const ARTIFACTS = join(import.meta.dirname, '../../artifacts/e2e');

/** An ed25519 key pair made on the host for this run (the private key never leaves the scratch dir). */
export function makeSshKey(dir: string): { privateKey: string; publicKey: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKey = join(dir, 'id_ed25519');
  mustSh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dvme2e', '-f', privateKey]);
  chmodSync(privateKey, 0o600);
  return { privateKey, publicKey: `${privateKey}.pub` };
}

const SSH_OPTIONS = [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'BatchMode=yes',
  '-o',
  'ConnectTimeout=10',
  '-o',
  'LogLevel=ERROR',
];

export function sshWithKey(port: number, user: string, privateKey: string, command: string) {
  return sh('ssh', [...SSH_OPTIONS, '-o', 'IdentitiesOnly=yes', '-i', privateKey, '-p', String(port), `${user}@127.0.0.1`, command], { timeoutMs: 30_000 });
}

export function sshWithPassword(port: number, user: string) {
  return sh(
    'ssh',
    [
      ...SSH_OPTIONS,
      '-o',
      'PreferredAuthentications=password,keyboard-interactive',
      '-o',
      'PubkeyAuthentication=no',
      '-p',
      String(port),
      `${user}@127.0.0.1`,
      'id',
    ],
    { timeoutMs: 30_000 },
  );
}

/** Share of pixels that are near white: xterm's window on the VNC server's black root window. */
function whiteFraction(png: Buffer): number {
  const { data, width, height } = decodePng(png);
  let white = 0;
  for (let i = 0; i < width * height; i++) {
    if (data[i * 4]! >= 230 && data[i * 4 + 1]! >= 230 && data[i * 4 + 2]! >= 230) white++;
  }
  return white / (width * height);
}

export interface DesktopShot {
  timings: NoVncTimings;
  png: string;
  white: number;
  nonBackground: number;
  colors: number;
}

/**
 * Opens the generated noVNC page in headless Chromium, logs in, and screenshots the canvas until the
 * xterm window shows (bounded); the PNG stays under artifacts/e2e/. With `picture`, the desktop is also
 * recorded for the docs as artifacts/screenshots/<picture>.png (test/helpers/screenshots.ts).
 */
export async function browserDesktop(project: VmProject, label: string, options: { picture?: string } = {}): Promise<DesktopShot> {
  let shot: DesktopShot;
  try {
    shot = await browserDesktopOnce(project, label, 45_000);
  } catch (error) {
    // One more try in a fresh browser, after saying what went wrong (the page is kept under artifacts/).
    process.stdout.write(`e2e ${label}: noVNC attempt 1 failed, retrying once: ${(error as Error).message.slice(0, 1500)}\n`);
    shot = await browserDesktopOnce(project, label, 60_000);
  }
  if (options.picture && shot.white > 0.05) recordScreenshot(options.picture, readFileSync(shot.png));
  return shot;
}

async function browserDesktopOnce(project: VmProject, label: string, timeoutMs: number): Promise<DesktopShot> {
  const url = `http://127.0.0.1:${project.hostPort(6080)}/`;
  return withChromium(async ({ page, consoleErrors }) => {
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.url()} HTTP ${response.status()}`);
    });
    let timings: NoVncTimings;
    try {
      timings = await openNoVnc(page, { url, password: project.vncPassword, timeoutMs });
    } catch (error) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `${label}-novnc-failed.png`) }).catch(() => undefined);
      const details = [...failed.slice(0, 5), ...consoleErrors.slice(0, 5)].join(' | ');
      throw new Error(`${(error as Error).message}${details ? `\nrequests/console: ${details}` : ''}`);
    }
    const path = join(ARTIFACTS, `${label}-novnc.png`);
    let shot = { white: 0, nonBackground: 0, colors: 0 };
    for (let attempt = 0; attempt < 30; attempt++) {
      const png = await screenshotCanvas(page, path);
      const stats = pixelStats(png);
      shot = { white: whiteFraction(png), nonBackground: stats.nonBackgroundFraction, colors: stats.distinctColors };
      if (shot.white > 0.05 && shot.colors > 2) break;
      await sleep(500);
    }
    if (consoleErrors.length) process.stdout.write(`e2e ${label}: browser console: ${consoleErrors.slice(0, 3).join(' | ')}\n`);
    return { timings, png: path, ...shot };
  });
}

/**
 * The desktop of a VM that has VNC but no noVNC, seen through noVNC served by a websockify on the host,
 * recorded for the docs as artifacts/screenshots/<picture>.png once its xterm shows (bounded).
 */
export async function recordVncDesktop(port: number, password: string, picture: string): Promise<RecordedScreenshot> {
  const websockify = await startWebsockify({ target: `127.0.0.1:${port}` });
  try {
    return await withChromium(async ({ page }) => {
      await openNoVnc(page, { url: `${websockify.url}/vnc.html?autoconnect=1&resize=off`, password, timeoutMs: 45_000 });
      for (let attempt = 0; attempt < 30; attempt++) {
        const png = await screenshotCanvas(page, join(ARTIFACTS, `${picture}-vnc.png`));
        if (whiteFraction(png) > 0.05) return recordScreenshot(picture, png);
        await sleep(500);
      }
      throw new Error(`no xterm on the VNC desktop at 127.0.0.1:${port} after 15 s (see artifacts/e2e/${picture}-vnc.png)`);
    });
  } finally {
    await websockify.stop();
  }
}

/** Waits (bounded) until `pgrep -x name` in the VM prints a pid other than `old`. */
export async function waitForNewPid(project: VmProject, name: string, old: string, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const pids = project
      .exec('root', `pgrep -x ${name} || true`, 15_000)
      .stdout.split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    if (pids.length && !pids.includes(old)) return Date.now() - started;
    await sleep(200);
  }
  throw new Error(`${project.name}: ${name} did not come back within ${timeoutMs} ms`);
}

/** Polls an RFB handshake on the published VNC port until it answers (bounded); returns ms. */
export async function waitForRfb(port: number, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  let last = '';
  for (let tries = 0; Date.now() - started < timeoutMs && tries < 400; tries++) {
    try {
      const result = await rfbHandshake({ host: '127.0.0.1', port, timeoutMs: 3000 });
      if (/^RFB 003\.00[378]$/.test(result.serverVersion)) return Date.now() - started;
      last = result.serverVersion;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(50);
  }
  throw new Error(`no RFB handshake on 127.0.0.1:${port} within ${timeoutMs} ms (${last})`);
}

const MARKER = 'dvme2e-marker';

/** Leaves traces a VM should keep on its disk: a file in /etc, a file in the home, an apt package. */
export function writeTraces(project: VmProject, expect_: Expectations): void {
  const home = `/home/${expect_.user.name}`;
  project.mustExec('root', `echo ${MARKER} > /etc/${MARKER}`);
  project.mustExec(expect_.user.name, `echo ${MARKER} > ${home}/${MARKER}`);
  if (expect_.apt) {
    project.mustExec(
      'root',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hello >/dev/null && hello',
      300_000,
    );
  }
}

export interface Traces {
  etc: boolean;
  home: boolean;
  package: boolean | undefined;
}

export function readTraces(project: VmProject, expect_: Expectations): Traces {
  const has = (user: string, test: string) => project.exec(user, test, 30_000).status === 0;
  return {
    etc: has('root', `grep -qx ${MARKER} /etc/${MARKER}`),
    home: has(expect_.user.name, `grep -qx ${MARKER} /home/${expect_.user.name}/${MARKER}`),
    package: expect_.apt ? has('root', 'command -v hello >/dev/null && dpkg -s hello >/dev/null 2>&1') : undefined,
  };
}

/** apt inside the VM is consistent and installs new packages (no shortcut of ours may break it). */
export function expectAptHealthy(project: VmProject): void {
  const check = project.exec('root', 'apt-get check -q 2>&1 && dpkg --audit 2>&1');
  expect(check.status, check.stdout + check.stderr).toBe(0);
  expect(check.stdout).not.toMatch(/unmet|broken|not fully installed/i);
  // The local stand-in for Mesa's drivers must not block the real ones.
  if (project.exec('root', 'dpkg -s dockervm-no-gl-drivers >/dev/null 2>&1').status === 0) {
    const simulate = project.mustExec('root', 'apt-get update -qq && apt-get install -s -q libgl1-mesa-dri 2>&1', 300_000);
    expect(simulate).toMatch(/^Inst libgl1-mesa-dri /m);
  }
}

/** Every `#!/bin/sh` script under `dir` (what shellcheck must pass). */
export function shellScripts(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...shellScripts(path));
    else if (readFileSync(path, 'utf8').startsWith('#!/bin/sh')) found.push(path);
  }
  return found;
}
