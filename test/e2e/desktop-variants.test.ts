// The full desktop on the real engine: the xfce-browsers variant (test/helpers/variants.ts), scaffolded
// with the real CLI, built and run once, then checked for several things on the same VM: healthy, a
// 1 GB /dev/shm, the XFCE panel and each browser on screen through noVNC in headless Chromium (the window
// list from the VM's X server, and a screenshot that is neither mostly black nor missing the page's
// colour), Firefox and then Chromium rendering a page served inside the VM, each started by its desktop
// launcher's command, a 440 Hz tone played in the VM heard in the page (--audio), the clipboard both
// ways, remote resize, a restarted XFCE session, and packages installed with apt surviving down/up.
// The screenshot with Firefox is kept as artifacts/screenshots/xfce-browsers.png. Everything is
// labelled dev.dockervm.project=dvme2e-… and removed in afterAll, also after a failure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNoVnc, screenshotCanvas, withChromium } from '../helpers/browser.ts';
import { requireBuilt } from '../helpers/cli.ts';
import { engineProblem, PREFIX, tail } from '../helpers/e2e-engine.ts';
import { VmProject } from '../helpers/e2e-project.ts';
import { decodePng } from '../helpers/png.ts';
import { dominantFrequency, heard, tapSound, toneCommand } from '../helpers/sound.ts';
import { VARIANTS } from '../helpers/variants.ts';

const problem = engineProblem();
const variant = VARIANTS.find((v) => v.name === 'xfce-browsers')!;
const scratch = mkdtempSync(join(tmpdir(), 'dvme2e-'));
const name = `${PREFIX}${variant.name}-${Date.now().toString(36).slice(-4)}`;
const SCREENSHOT = join(import.meta.dirname, '../../artifacts/screenshots', `${variant.name}.png`);
const CHROMIUM_SCREENSHOT = join(import.meta.dirname, '../../artifacts/e2e', `${variant.name}-chromium.png`);
const timings: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The page Firefox shows: one colour no desktop theme uses, so its share of the screen is Firefox's. */
const PAGE_COLOUR = [255, 0, 255] as const;
const PAGE_PORT = 8099;
const PAGE_TITLE = 'dvme2e colour page';
const X = 'DISPLAY=:1';

it.runIf(Boolean(process.env.CI))('a Docker Engine and the local registry mirror are reachable (required in CI)', () => {
  expect(problem).toBeUndefined();
});

/** Shares of the screen that are near-black and that are the page's colour. */
function screenShares(png: Buffer): { black: number; page: number } {
  const { width, height, data } = decodePng(png);
  let black = 0;
  let page = 0;
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = [data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!];
    if (r < 16 && g < 16 && b < 16) black++;
    if (Math.abs(r - PAGE_COLOUR[0]) < 8 && Math.abs(g - PAGE_COLOUR[1]) < 8 && Math.abs(b - PAGE_COLOUR[2]) < 8) page++;
  }
  return { black: black / (width * height), page: page / (width * height) };
}

/** Polls `check` (bounded in time and count) until it returns a value; the last error explains a timeout. */
async function poll<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (let tries = 0; Date.now() - started < timeoutMs && tries < 600; tries++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(500);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ''}`);
}

describe.skipIf(Boolean(problem))('the XFCE desktop with Firefox and Chromium', () => {
  let project: VmProject;
  const windows = () => project.mustExec('dev', `${X} wmctrl -l`, 30_000);
  const installed = () => project.exec('dev', 'for tool in wmctrl xclip; do command -v "$tool"; done').stdout.trim().split('\n');

  beforeAll(async () => {
    requireBuilt();
    project = VmProject.scaffold(scratch, name, variant.args);
    await project.freeHostPorts();
    timings.push(`build+up ${seconds(await project.upBuild())}`);
    timings.push(`healthy after ${seconds(await project.waitHealthy(240_000))}`);
  });

  afterAll(() => {
    const problems = project ? project.cleanup() : [];
    rmSync(scratch, { recursive: true, force: true });
    process.stdout.write(`e2e: ${name}: ${timings.join(', ')}${problems.length ? `; cleanup problems: ${problems.join('; ')}` : ''}\n`);
  });

  it('is healthy, with a 1 GB /dev/shm for the browser and no privileges added', () => {
    const state = project.inspect<{
      State: { Health?: { Status: string } };
      HostConfig: { ShmSize: number; Privileged: boolean; SecurityOpt: string[] | null };
    }>('container', project.container());
    expect(state.State.Health?.Status).toBe('healthy');
    expect(state.HostConfig.ShmSize).toBe(1024 ** 3);
    expect(state.HostConfig.Privileged).toBe(false);
    expect(state.HostConfig.SecurityOpt ?? []).toEqual([]);
    expect(project.mustExec('dev', 'df -k /dev/shm | tail -n 1').trim().split(/\s+/)[1]).toBe(String(1024 * 1024));
  });

  it('the tools the checks use install with apt as in any VM (and, below, survive down/up)', () => {
    const started = Date.now();
    project.mustExec(
      'root',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wmctrl xclip >/dev/null',
      600_000,
    );
    timings.push(`apt install ${seconds(Date.now() - started)}`);
    expect(installed()).toEqual(['/usr/bin/wmctrl', '/usr/bin/xclip']);
  });

  it('through noVNC: the XFCE panel, then Firefox and Chromium each showing a page served inside the VM; sound; clipboard both ways; remote resize', async () => {
    // XFCE's own windows, as its X server lists them.
    const desktop = await poll('the XFCE panel and desktop windows', 120_000, () => {
      const list = windows();
      return /xfce4-panel/.test(list) && /Desktop$/m.test(list) ? list : undefined;
    });
    expect(desktop).toMatch(/xfce4-panel/);

    await withChromium(async ({ page }) => {
      const opened = await openNoVnc(page, { url: `http://127.0.0.1:${project.hostPort(6080)}/`, password: project.vncPassword, timeoutMs: 120_000 }).catch(
        (error: Error) => {
          throw new Error(`${error.message}\nthe VM said:\n${tail(project.logs(), 4000)}`);
        },
      );
      timings.push(`noVNC first pixels ${opened.firstPixelsMs} ms`);
      // The desktop alone first: XFCE's panel and background, not the X server's black.
      const bare = screenShares(await screenshotCanvas(page, SCREENSHOT));
      expect(bare.black, 'the XFCE desktop is not mostly black').toBeLessThan(0.5);

      // A page in the VM, opened by each browser the way a user starts it: its desktop launcher's command.
      project.mustExec(
        'dev',
        `mkdir -p /tmp/page && printf '%s' '<html><head><title>${PAGE_TITLE}</title></head><body style="margin:0;background:#ff00ff"></body></html>' > /tmp/page/index.html` +
          ` && cd /tmp/page && (setsid python3 -m http.server ${PAGE_PORT} --bind 127.0.0.1 >/dev/null 2>&1 &)`,
      );
      const firefox = await showPage(page, 'firefox', 'firefox-esr');
      process.stdout.write(
        `e2e: ${variant.name}: screenshot ${SCREENSHOT} (page colour ${(firefox.page * 100).toFixed(1)} %, black ${(firefox.black * 100).toFixed(1)} %)\n`,
      );
      // Firefox closed, so what shows the page next can only be Chromium's window.
      project.exec('dev', 'pkill -x firefox-esr; true');
      await poll('Firefox closed', 60_000, () => (new RegExp(PAGE_TITLE).test(windows()) ? undefined : true));
      await showPage(page, 'chromium', 'chromium');

      await soundInThePage(page);
      await clipboardBothWays(page);
      await remoteResize(page);
    });
  });

  /**
   * Starts `browser` with the page by its launcher's command, waits for its window (by the page's title)
   * and for the page's colour on the noVNC canvas; the screenshot is kept (Firefox's for the docs).
   */
  async function showPage(page: Page, browser: string, program: string): Promise<{ black: number; page: number }> {
    const launcher = readFileSync(join(project.dir, `rootfs/home/dev/Desktop/${browser}.desktop`), 'utf8');
    const command = /^Exec=(.+?)(?: %[uU])?$/m.exec(launcher)?.[1];
    expect(command?.split(' ')[0]).toBe(program);
    project.mustExec('dev', `(${X} setsid ${command} http://127.0.0.1:${PAGE_PORT}/ >/tmp/${browser}.log 2>&1 &)`);
    const started = Date.now();
    await poll(`a ${browser} window with the page`, 600_000, () => (new RegExp(PAGE_TITLE).test(windows()) ? true : undefined)).catch((error: Error) => {
      throw new Error(`${error.message}\n${browser} said:\n${tail(project.exec('dev', `cat /tmp/${browser}.log`).stdout, 3000)}`);
    });
    timings.push(`${browser} window after ${seconds(Date.now() - started)}`);
    const shares = await poll(`the page colour on the noVNC canvas (${browser})`, 60_000, async () => {
      const found = screenShares(await screenshotCanvas(page, browser === 'firefox' ? SCREENSHOT : CHROMIUM_SCREENSHOT));
      return found.page > 0.15 ? found : undefined;
    });
    expect(shares.black, `the screen is not mostly black (${browser})`).toBeLessThan(0.5);
    expect(shares.page, `${browser}'s page is on screen`).toBeGreaterThan(0.15);
    return shares;
  }

  /** --audio: a 440 Hz tone played in the VM comes out of the page's sound (its Sound button clicked). */
  async function soundInThePage(page: Page): Promise<void> {
    await page.waitForSelector('#dockervm-sound', { state: 'visible', timeout: 120_000 });
    await page.click('#dockervm-sound');
    await tapSound(page);
    const started = Number(project.mustExec('dev', toneCommand(440, 1.5), 60_000).trim());
    // heard() hands over what the tap recorded since the last call: the tone is gathered across polls.
    const samples: number[] = [];
    let rate = 0;
    let firstLoudAt: number | undefined;
    await poll('the tone in the page', 30_000, async () => {
      const got = await heard(page, { since: started });
      rate = got.rate;
      firstLoudAt ??= got.firstLoudAt;
      samples.push(...got.samples);
      return samples.filter((value) => Math.abs(value) > 0.05).length > 16_384 ? true : undefined;
    });
    const sound = { samples, rate, firstLoudAt };
    const { hertz, peak } = dominantFrequency(sound.samples, sound.rate);
    timings.push(`440 Hz tone heard as ${hertz.toFixed(1)} Hz, ${((sound.firstLoudAt ?? started) - started).toFixed(0)} ms after it started`);
    expect(peak, 'the samples are not silent').toBeGreaterThan(0.1);
    expect(Math.abs(hertz - 440), `dominant frequency ${hertz.toFixed(1)} Hz`).toBeLessThanOrEqual(10);
  }

  async function clipboardBothWays(page: Page): Promise<void> {
    // Browser → VM: noVNC's clipboard box sends its text when it changes.
    const fromBrowser = `from-browser-${Date.now()}`;
    await page.evaluate((text) => {
      const box = document.querySelector<HTMLTextAreaElement>('#noVNC_clipboard_text');
      if (!box) throw new Error('no #noVNC_clipboard_text');
      box.value = text;
      box.dispatchEvent(new Event('change'));
    }, fromBrowser);
    await poll('the browser clipboard in the VM', 30_000, () => {
      const got = project.exec('dev', `${X} timeout 5 xclip -o -selection clipboard`, 15_000).stdout;
      return got === fromBrowser ? got : undefined;
    });
    // VM → browser: a program in the VM takes the clipboard; noVNC shows it in its clipboard box.
    const fromVm = `from-vm-${Date.now()}`;
    project.mustExec('dev', `printf '%s' ${fromVm} | ${X} xclip -selection clipboard -i`, 15_000);
    await poll("the VM's clipboard in noVNC", 30_000, async () => {
      const got = await page.evaluate(() => document.querySelector<HTMLTextAreaElement>('#noVNC_clipboard_text')?.value);
      return got === fromVm ? got : undefined;
    });
  }

  async function remoteResize(page: Page): Promise<void> {
    const size = () =>
      /current (\d+) x (\d+)/
        .exec(project.mustExec('dev', `${X} xrandr --current`, 15_000))
        ?.slice(1)
        .join('x');
    const before = size();
    await page.setViewportSize({ width: 1100, height: 700 });
    const after = await poll('the VM screen following the browser window', 30_000, () => {
      const now = size();
      return now && now !== before ? now : undefined;
    });
    const canvas = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#noVNC_container canvas');
      return c ? `${c.width}x${c.height}` : undefined;
    });
    expect(after).toBe(canvas);
    expect(after).toMatch(/^1100x/);
  }

  it('restarted by its supervisor (stopped, or killed outright), the XFCE session replaces the old one', async () => {
    // XFCE's programs outlive xfce4-session: without the session's own process group a restart would
    // leave a second panel and a window manager that cannot take the screen.
    const supervisorctl = 'supervisorctl -c /.dockervm/supervisord.conf';
    // Each session program with the process group it runs in: exactly one of each, all in the group of
    // the session the supervisor now runs, and nothing left in the group of the session before.
    const leader = () => project.mustExec('dev', `${supervisorctl} pid xfce`).trim();
    const programs = () =>
      project.mustExec('dev', "ps -eo pgid=,comm= | awk '$2 ~ /^(xfce4-session|xfwm4|xfce4-panel|xfdesktop)$/ { print $2, $1 }' | sort").trim();
    const once = (group: string) => ['xfce4-panel', 'xfce4-session', 'xfdesktop', 'xfwm4'].map((p) => `${p} ${group}`).join('\n');
    const leftovers = (group: string) => project.mustExec('dev', `ps -eo pgid=,comm= | awk '$1 == ${group} { print $2 }'`).trim();
    const replaced = async (what: string, old: string) =>
      poll(what, 120_000, () => {
        const now = leader();
        return now !== '0' && now !== old && leftovers(old) === '' && programs() === once(now) ? true : undefined;
      }).catch((error: Error) => {
        throw new Error(`${error.message}\nsession programs: ${programs()}\nleft of the old session (${old}): ${leftovers(old)}`);
      });
    const first = leader();
    project.mustExec('dev', `${supervisorctl} restart xfce`, 60_000);
    await replaced('the old XFCE session ended and one new one running after a restart', first);
    const second = leader();
    project.mustExec('dev', `kill -KILL ${second}`);
    await replaced('the old XFCE session ended and one new one running after its leader was killed', second);
    await poll('the XFCE panel on screen again', 120_000, () => (/xfce4-panel/.test(windows()) ? true : undefined));
  });

  it('after down and up (a reboot), the apt-installed packages and the desktop are still there', async () => {
    project.down();
    project.up();
    timings.push(`healthy after restart ${seconds(await project.waitHealthy(240_000))}`);
    expect(installed()).toEqual(['/usr/bin/wmctrl', '/usr/bin/xclip']);
    await poll('the XFCE panel after the restart', 120_000, () => (/xfce4-panel/.test(windows()) ? true : undefined));
  });
});
