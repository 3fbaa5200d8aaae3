// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core, which downloads no
// browser) and noVNC helpers: open a noVNC page, answer its password dialog, wait until the
// session is connected and the first framebuffer pixels are on the canvas, and save the canvas.
//
// noVNC selectors, from the noVNC Debian bookworm ships (1:1.3.0, /usr/share/novnc/vnc.html and
// app/ui.js):
//   password dialog   #noVNC_credentials_dlg (gets class noVNC_open when the server asks)
//   password input    #noVNC_password_input
//   submit button     #noVNC_credentials_button
//   connect button    #noVNC_connect_button (inside #noVNC_connect_dlg; only without autoconnect=1)
//   connected state   <html class="noVNC_connected">
//   status message    #noVNC_status (noVNC_open + noVNC_status_error on failures)
//   framebuffer       #noVNC_container canvas
// Our generated index.html redirects to vnc.html?autoconnect=1&resize=remote&reconnect=1.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureDebianPackages, freeTcpPort, spawnManaged, waitForTcpListen, type ManagedProcess } from './xvfb.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export const NOVNC_SELECTORS = {
  credentialsDialog: '#noVNC_credentials_dlg',
  passwordInput: '#noVNC_password_input',
  credentialsButton: '#noVNC_credentials_button',
  connectDialog: '#noVNC_connect_dlg',
  connectButton: '#noVNC_connect_button',
  status: '#noVNC_status',
  canvas: '#noVNC_container canvas',
} as const;

/**
 * Console errors that Debian's noVNC (1.3.0) always logs and that mean nothing: its UI fetches
 * ./package.json to show a version number, and Debian does not ship that file.
 */
export const NOVNC_BENIGN_CONSOLE_ERRORS: readonly RegExp[] = [/Failed to load resource: .*404.*\/package\.json/, /Couldn't fetch package\.json/];

/** consoleErrors minus the known-benign noVNC ones (or the patterns given). */
export function unexpectedConsoleErrors(errors: readonly string[], benign: readonly RegExp[] = NOVNC_BENIGN_CONSOLE_ERRORS): string[] {
  return errors.filter((error) => !benign.some((pattern) => pattern.test(error)));
}

export interface ChromiumSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** console.error messages and uncaught page errors, as they happen (same array throughout). */
  consoleErrors: string[];
}

export interface WithChromiumOptions {
  /** Default 1280×800. */
  viewport?: { width: number; height: number };
  /** Browser launch bound. Default 60 000 ms. */
  launchTimeoutMs?: number;
}

/**
 * Launches Debian's Chromium headless, gives `fn` a fresh page, and closes the browser afterwards
 * whatever happens. Installs the chromium package when /usr/bin/chromium is missing.
 */
export async function withChromium<T>(fn: (session: ChromiumSession) => Promise<T>, options: WithChromiumOptions = {}): Promise<T> {
  ensureDebianPackages({ [CHROMIUM_PATH]: 'chromium' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
    headless: true,
    timeout: options.launchTimeoutMs ?? 60_000,
  });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const location = message.location();
      consoleErrors.push(`console.error: ${message.text()}${location.url ? ` (${location.url}:${location.lineNumber})` : ''}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    return await fn({ browser, context, page, consoleErrors });
  } finally {
    await browser.close().catch(() => undefined);
  }
}

export interface OpenNoVncOptions {
  /** The noVNC page, e.g. http://127.0.0.1:PORT/vnc.html?autoconnect=1&resize=off (or our index.html). */
  url: string;
  /** Typed into noVNC's password dialog if the server asks; omit for servers without auth. */
  password?: string;
  /** Bound on everything (navigation, login, first pixels). Default 60 000 ms. */
  timeoutMs?: number;
}

export interface NoVncTimings {
  /** page.goto → <html> gets class noVNC_connected (RFB ServerInit done). Includes typing the password. */
  connectedMs: number;
  /** page.goto → the first non-transparent pixel on noVNC's canvas (first framebuffer update drawn). */
  firstPixelsMs: number;
  /** page.goto → the password dialog opened (undefined when none was asked). */
  credentialsMs?: number;
  /** page.goto → the password was submitted (undefined when none was asked); connectedMs − passwordSentMs is VNC auth + ServerInit. */
  passwordSentMs?: number;
  /** Canvas size when the first pixels appeared (the remote framebuffer size). */
  canvasWidth: number;
  canvasHeight: number;
  /**
   * Every status text noVNC showed, in order, e.g. ['Credentials are required']. noVNC does not let
   * a normal message ('Connected (unencrypted) to …') replace a visible warning, so after a password
   * prompt the connected message often never appears: use connectedMs, not the status, to know.
   */
  statuses: string[];
  /** The page that connected (after index.html's redirect, the vnc.html URL). */
  url: string;
}

/** What the in-page probe records; times are Date.now() epoch milliseconds (the page shares the host clock). */
interface Probe {
  credentialsAt: number | null;
  passwordSentAt: number | null;
  connectedAt: number | null;
  firstPixelsAt: number | null;
  width: number;
  height: number;
  statuses: string[];
}

interface ProbeState extends Probe {
  href: string;
  credentialsOpen: boolean;
  connectOpen: boolean;
  statusText: string;
  statusError: boolean;
}

/**
 * Runs in the page at every document start (addInitScript), so it also covers the page our
 * index.html redirects to. Records when the password dialog opens, when the password is
 * submitted, when <html> gets noVNC_connected, when the canvas shows its first pixels, and every
 * status text. Runs in the browser: it may only use what it defines itself.
 */
function installProbe(): void {
  type InPageProbe = {
    credentialsAt: number | null;
    passwordSentAt: number | null;
    connectedAt: number | null;
    firstPixelsAt: number | null;
    width: number;
    height: number;
    statuses: string[];
  };
  const w = window as unknown as { __dockervmNoVncProbe?: InPageProbe };
  if (w.__dockervmNoVncProbe) return;
  const probe: InPageProbe = { credentialsAt: null, passwordSentAt: null, connectedAt: null, firstPixelsAt: null, width: 0, height: 0, statuses: [] };
  w.__dockervmNoVncProbe = probe;
  const started = Date.now();
  let hooked = false;
  let smallContext: CanvasRenderingContext2D | null = null;
  const recordStatus = () => {
    const text = (document.getElementById('noVNC_status')?.textContent ?? '').trim();
    if (text && probe.statuses[probe.statuses.length - 1] !== text && probe.statuses.length < 100) probe.statuses.push(text);
  };
  const tick = () => {
    const now = Date.now();
    const status = document.getElementById('noVNC_status');
    const button = document.getElementById('noVNC_credentials_button');
    if (!hooked && status && button) {
      hooked = true;
      // Every status noVNC shows, in order: a security failure's reason is soon replaced by 'Failed to connect to server'.
      new MutationObserver(recordStatus).observe(status, { childList: true, characterData: true, subtree: true });
      // Capture phase: runs before noVNC's own click handler sends the credentials.
      button.addEventListener(
        'click',
        () => {
          probe.passwordSentAt ??= Date.now();
        },
        true,
      );
      const small = document.createElement('canvas');
      small.width = 32;
      small.height = 32;
      smallContext = small.getContext('2d', { willReadFrequently: true });
    }
    if (hooked) recordStatus();
    if (probe.credentialsAt === null && document.getElementById('noVNC_credentials_dlg')?.classList.contains('noVNC_open')) probe.credentialsAt = now;
    if (probe.connectedAt === null && document.documentElement?.classList.contains('noVNC_connected')) probe.connectedAt = now;
    if (probe.firstPixelsAt === null && smallContext) {
      const canvas = document.querySelector<HTMLCanvasElement>('#noVNC_container canvas');
      if (canvas && canvas.width > 0 && canvas.height > 0) {
        // Scale the framebuffer down to 32×32 and look for any non-transparent pixel: before the
        // first FramebufferUpdate noVNC's canvas is fully transparent.
        smallContext.clearRect(0, 0, 32, 32);
        smallContext.drawImage(canvas, 0, 0, 32, 32);
        const data = smallContext.getImageData(0, 0, 32, 32).data;
        for (let i = 3; i < data.length; i += 4) {
          if (data[i]! > 0) {
            probe.firstPixelsAt = now;
            probe.width = canvas.width;
            probe.height = canvas.height;
            break;
          }
        }
      }
    }
    // Bounded: polls every 10 ms until the first pixels, and never longer than 10 minutes.
    if ((probe.firstPixelsAt === null || probe.connectedAt === null) && now - started < 600_000) setTimeout(tick, 10);
  };
  tick();
}

async function readProbe(page: Page): Promise<ProbeState | undefined> {
  try {
    return await page.evaluate(() => {
      const probe = (window as unknown as { __dockervmNoVncProbe?: Probe }).__dockervmNoVncProbe;
      const status = document.getElementById('noVNC_status');
      return {
        href: location.href,
        credentialsAt: probe?.credentialsAt ?? null,
        passwordSentAt: probe?.passwordSentAt ?? null,
        connectedAt: probe?.connectedAt ?? null,
        firstPixelsAt: probe?.firstPixelsAt ?? null,
        width: probe?.width ?? 0,
        height: probe?.height ?? 0,
        statuses: [...(probe?.statuses ?? [])],
        credentialsOpen: document.getElementById('noVNC_credentials_dlg')?.classList.contains('noVNC_open') ?? false,
        connectOpen: document.getElementById('noVNC_connect_dlg')?.classList.contains('noVNC_open') ?? false,
        statusText: (status?.textContent ?? '').trim(),
        statusError: (status?.classList.contains('noVNC_open') ?? false) && (status?.classList.contains('noVNC_status_error') ?? false),
      };
    });
  } catch (error) {
    // A navigation (index.html's meta refresh, noVNC reloading) destroys the context mid-call: try again later.
    if (/context was destroyed|navigat|Target closed/i.test((error as Error).message)) return undefined;
    throw error;
  }
}

/**
 * Opens a noVNC page (vnc.html, or our index.html that redirects to it), logs in with `password`
 * when noVNC asks, and waits until the session is connected and the canvas shows the first
 * pixels. Throws (with noVNC's status messages) on a security failure, a second password prompt
 * (wrong password), or the timeout. Times are measured from just before page.goto.
 */
export async function openNoVnc(page: Page, options: OpenNoVncOptions): Promise<NoVncTimings> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  await page.addInitScript(installProbe);
  await page.goto(options.url, { waitUntil: 'commit', timeout: remaining() });

  let passwordSent = false;
  let connectClicked = false;
  let state: ProbeState | undefined;
  for (let polls = 0; Date.now() < deadline && polls < 100_000; polls++) {
    state = (await readProbe(page)) ?? state;
    if (state && state.connectedAt !== null && state.firstPixelsAt !== null) break;
    if (state?.statusError) {
      // Let a following status (e.g. the disconnect after a security failure) land, then report them all.
      await sleep(200);
      state = (await readProbe(page)) ?? state;
      throw new Error(`noVNC at ${state.href} failed: ${state.statuses.join(' → ') || state.statusText}`);
    }
    if (state?.credentialsOpen) {
      if (passwordSent) throw new Error(`noVNC at ${state.href} asked for the password again (wrong password?); statuses: ${state.statuses.join(' → ')}`);
      if (options.password === undefined) throw new Error(`noVNC at ${state.href} asks for a password but none was given`);
      // force: the dialog is open (class noVNC_open) but still sliding in; waiting for it to be
      // "stable" would add ~0.5 s of animation to the measured time. While it slides in, the typed
      // text can miss the field (once in CI: an empty password, "Authentication failure"), so the
      // field is checked and, if need be, filled again before the click.
      await page.fill(NOVNC_SELECTORS.passwordInput, options.password, { timeout: remaining(), force: true });
      for (let tries = 0; (await page.inputValue(NOVNC_SELECTORS.passwordInput, { timeout: remaining() })) !== options.password; tries++) {
        if (tries >= 20) throw new Error(`noVNC at ${state.href}: the password field does not keep the password`);
        await sleep(25);
        await page.fill(NOVNC_SELECTORS.passwordInput, options.password, { timeout: remaining(), force: true });
      }
      await page.click(NOVNC_SELECTORS.credentialsButton, { timeout: remaining(), force: true });
      passwordSent = true;
    } else if (state?.connectOpen && !connectClicked && state.connectedAt === null) {
      await page.click(NOVNC_SELECTORS.connectButton, { timeout: remaining() });
      connectClicked = true;
    }
    await sleep(20);
  }
  if (!state || state.connectedAt === null || state.firstPixelsAt === null) {
    const what = !state ? 'loaded' : state.connectedAt === null ? 'connected' : 'showing pixels';
    throw new Error(`noVNC at ${state?.href ?? options.url} not ${what} after ${timeoutMs} ms; statuses: ${JSON.stringify(state?.statuses ?? [])}`);
  }
  const since = (at: number) => Math.max(0, at - started);
  return {
    connectedMs: since(state.connectedAt),
    firstPixelsMs: since(state.firstPixelsAt),
    ...(state.credentialsAt !== null ? { credentialsMs: since(state.credentialsAt) } : {}),
    ...(state.passwordSentAt !== null ? { passwordSentMs: since(state.passwordSentAt) } : {}),
    canvasWidth: state.width,
    canvasHeight: state.height,
    statuses: state.statuses,
    url: state.href,
  };
}

export interface ScreenshotOptions {
  /**
   * 'canvas' (default): the canvas's own pixels via toDataURL — exactly the remote framebuffer,
   * no noVNC overlays, at framebuffer size. 'page': what a person sees in the viewport.
   */
  source?: 'canvas' | 'page';
}

/** Saves a PNG of noVNC's canvas (or the page) to `path`, creating its directory; returns the PNG bytes. */
export async function screenshotCanvas(page: Page, path: string, options: ScreenshotOptions = {}): Promise<Buffer> {
  mkdirSync(dirname(path), { recursive: true });
  let png: Buffer;
  if ((options.source ?? 'canvas') === 'page') {
    png = await page.screenshot({ type: 'png' });
  } else {
    const dataUrl = await page.evaluate((selector) => {
      const canvas = document.querySelector<HTMLCanvasElement>(selector);
      if (!canvas || canvas.width === 0 || canvas.height === 0) return null;
      return canvas.toDataURL('image/png');
    }, NOVNC_SELECTORS.canvas);
    if (dataUrl === null) throw new Error(`no non-empty canvas (${NOVNC_SELECTORS.canvas}) on ${page.url()}`);
    png = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  }
  writeFileSync(path, png);
  return png;
}

export interface Websockify {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts `websockify --web <webDir> 127.0.0.1:<port> <target>` (installs websockify and novnc if
 * missing) and waits until it accepts connections. Default webDir /usr/share/novnc.
 */
export async function startWebsockify(options: { target: string; port?: number; webDir?: string; timeoutMs?: number }): Promise<Websockify> {
  ensureDebianPackages({ websockify: 'websockify', '/usr/share/novnc/vnc.html': 'novnc' });
  const port = options.port ?? (await freeTcpPort());
  const proc = spawnManaged('websockify', ['--web', options.webDir ?? '/usr/share/novnc', `127.0.0.1:${port}`, options.target]);
  try {
    await waitForTcpListen(port, Date.now() + (options.timeoutMs ?? 15_000));
  } catch (error) {
    await proc.stop();
    throw new Error(`${(error as Error).message}; websockify output:\n${proc.output()}`);
  }
  return { url: `http://127.0.0.1:${port}`, port, process: proc, stop: () => proc.stop() };
}

/**
 * Runs a browser step again (3 tries in all) when Chromium gave up on it because the machine's network
 * changed (ERR_NETWORK_CHANGED: the engine adds and removes interfaces for other containers meanwhile).
 */
export async function despiteNetworkChanges<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= 3 || !/ERR_NETWORK_CHANGED|canceled/.test(String(error))) throw error;
    }
  }
}
