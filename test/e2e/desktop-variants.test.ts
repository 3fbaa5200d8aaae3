// The full desktop on the real engine: the xfce-firefox variant (test/helpers/variants.ts), scaffolded
// with the real CLI, built and run once, then checked for several things on the same VM: healthy, a
// 1 GB /dev/shm, the XFCE panel and Firefox on screen through noVNC in headless Chromium (the window
// list from the VM's X server, and a screenshot that is neither mostly black nor missing the page's
// colour), Firefox rendering a page served inside the VM, the clipboard both ways, remote resize, and
// packages installed with apt surviving down/up. The screenshot is kept as
// artifacts/screenshots/xfce-firefox.png. Everything is labelled dev.dockervm.project=dvme2e-… and
// removed in afterAll, also after a failure.
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
import { VARIANTS } from '../helpers/variants.ts';

const problem = engineProblem();
const variant = VARIANTS.find((v) => v.name === 'xfce-firefox')!;
const scratch = mkdtempSync(join(tmpdir(), 'dvme2e-'));
const name = `${PREFIX}${variant.name}-${Date.now().toString(36).slice(-4)}`;
const SCREENSHOT = join(import.meta.dirname, '../../artifacts/screenshots', `${variant.name}.png`);
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

describe.skipIf(Boolean(problem))('the XFCE + Firefox desktop', () => {
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

  it('through noVNC: the XFCE panel and Firefox showing a page served inside the VM; clipboard both ways; remote resize', async () => {
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

      // A page in the VM, opened by the VM's Firefox the way a user would start it (from the launcher's command).
      const launcher = readFileSync(join(project.dir, 'rootfs/home/dev/Desktop/firefox.desktop'), 'utf8');
      const command = /^Exec=(\S+)/m.exec(launcher)?.[1];
      expect(command).toBe('firefox-esr');
      project.mustExec(
        'dev',
        `mkdir -p /tmp/page && printf '%s' '<html><head><title>${PAGE_TITLE}</title></head><body style="margin:0;background:#ff00ff"></body></html>' > /tmp/page/index.html` +
          ` && cd /tmp/page && (setsid python3 -m http.server ${PAGE_PORT} --bind 127.0.0.1 >/dev/null 2>&1 &)` +
          ` && (${X} setsid ${command} --new-window http://127.0.0.1:${PAGE_PORT}/ >/tmp/firefox.log 2>&1 &)`,
      );
      const started = Date.now();
      await poll('a Firefox window with the page', 600_000, () => (new RegExp(PAGE_TITLE).test(windows()) ? true : undefined)).catch((error: Error) => {
        throw new Error(`${error.message}\nFirefox said:\n${tail(project.exec('dev', 'cat /tmp/firefox.log').stdout, 3000)}`);
      });
      timings.push(`Firefox window after ${seconds(Date.now() - started)}`);

      const shares = await poll('the page colour on the noVNC canvas', 60_000, async () => {
        const found = screenShares(await screenshotCanvas(page, SCREENSHOT));
        return found.page > 0.15 ? found : undefined;
      });
      process.stdout.write(
        `e2e: ${variant.name}: screenshot ${SCREENSHOT} (page colour ${(shares.page * 100).toFixed(1)} %, black ${(shares.black * 100).toFixed(1)} %)\n`,
      );
      expect(shares.black, 'the screen is not mostly black').toBeLessThan(0.5);
      expect(shares.page, "Firefox's page is on screen").toBeGreaterThan(0.15);

      await clipboardBothWays(page);
      await remoteResize(page);
    });
  });

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

  it('after down and up (a reboot), the apt-installed packages and the desktop are still there', async () => {
    project.down();
    project.up();
    timings.push(`healthy after restart ${seconds(await project.waitHealthy(240_000))}`);
    expect(installed()).toEqual(['/usr/bin/wmctrl', '/usr/bin/xclip']);
    await poll('the XFCE panel after the restart', 120_000, () => (/xfce4-panel/.test(windows()) ? true : undefined));
  });
});
