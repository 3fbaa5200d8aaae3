// The tutorial site, end to end: run every lesson's example on the real engine and compare what it
// printed with the committed transcripts (the fresh ones go to a temporary directory: a run never
// changes the checkout), build the site from the committed transcripts with zero warnings, check every
// internal link, then load every page in Debian's Chromium: no console errors, search finds
// "bind mount" (and not the runner's notes), long lines wrap or scroll, the configurator's choices are
// readable and it writes what the CLI writes, and the JavaScript of each lesson page stays within
// budget. Screenshots go to artifacts/site/.
// Without an engine the examples are skipped (the site still builds from the committed transcripts);
// under CI=true a missing engine fails. DOCKERVM_RECORD_LESSONS=1 records the lessons whose output
// really changed into examples/lessons/ instead (the same as `npm run examples -- --record`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import createDockervm from '../../packages/create-dockervm/package.json' with { type: 'json' };
import { engineVersions } from '../../scripts/run-examples.ts';
import { buildWarnings } from '../../site/tools/build-log.ts';
import { brokenLinks, pagePaths, pageScripts, SITE_DIR } from '../../site/tools/dist-files.ts';
import { cutOffLines, truncatedOptions } from '../../site/tools/layout-checks.ts';
import { serveDist, type StaticSite } from '../../site/tools/static-server.ts';
import { withChromium } from '../helpers/browser.ts';
import { renderFromArgs } from '../helpers/render.ts';
import recorded from '../../site/src/lib/screenshots.json' with { type: 'json' };
import type { RecordedPictures } from '../../site/src/lib/screenshots.ts';

const ROOT = join(SITE_DIR, '..');
const ARTIFACTS = join(ROOT, 'artifacts', 'site');
const JS_BUDGET_BYTES = 100 * 1024;
const engine = engineVersions();
const engineMissing = typeof engine === 'string' ? engine : undefined;

/**
 * The environment without what vitest adds: it mirrors import.meta.env into process.env (DEV=1, MODE,
 * SSR …) and sets NODE_ENV=test, and Astro would then build the site in development mode (no search).
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  for (const name of ['DEV', 'PROD', 'MODE', 'SSR', 'BASE_URL', 'TEST']) delete env[name];
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  return env;
}

function run(args: string[], options: { cwd: string; timeoutMs: number }) {
  const started = Date.now();
  const result = spawnSync(process.execPath, args, {
    cwd: options.cwd,
    env: { ...buildEnv(), ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: options.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, seconds: (Date.now() - started) / 1000 };
}

describe('lesson examples on the real engine', () => {
  if (engineMissing && process.env.CI) {
    it('needs an engine under CI', () => {
      throw new Error(`no engine: ${engineMissing} (CI runs scripts/engine/up.sh first)`);
    });
    return;
  }
  if (engineMissing) console.warn(`site: lesson examples skipped, no engine (${engineMissing}); the site builds from the committed transcripts`);
  it.skipIf(engineMissing !== undefined)('every step of every lesson runs, prints what it expects, and matches the committed transcript', () => {
    const record = process.env.DOCKERVM_RECORD_LESSONS === '1';
    // Fresh transcripts go under artifacts/ (git-ignored), where a difference can be looked at.
    const out = join(ARTIFACTS, 'transcripts');
    rmSync(out, { recursive: true, force: true });
    const result = run(['scripts/run-examples.ts', ...(record ? ['--record'] : ['--out', out])], { cwd: ROOT, timeoutMs: 15 * 60_000 });
    // The runner's report: one line per lesson, and under a lesson that differs, the diff and how to
    // re-record it on purpose.
    const report = result.output
      .split('\n')
      .filter((l) => /^(run-examples: | {4})/.test(l))
      .join('\n');
    console.log(report);
    expect(result.status, report.slice(-12_000) || result.output.slice(-6000)).toBe(0);
  });
});

describe('the built site', () => {
  let site: StaticSite;
  let buildSeconds = 0;
  let buildOutput = '';

  beforeAll(async () => {
    const result = run([join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build'], { cwd: SITE_DIR, timeoutMs: 5 * 60_000 });
    buildSeconds = result.seconds;
    if (result.status !== 0) throw new Error(`astro build failed:\n${result.output.slice(-6000)}`);
    expect(result.output).toContain('All internal links are valid');
    buildOutput = result.output;
    console.log(`site: astro build ${buildSeconds.toFixed(1)} s, ${pagePaths().length} pages`);
    site = await serveDist();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await site?.close();
  });

  it('builds without a single warning', () => {
    expect(buildWarnings(buildOutput)).toEqual([]);
  });

  it('has the 16 lessons, the guides and the references', () => {
    const pages = pagePaths();
    expect(pages.filter((p) => p.startsWith('/lessons/'))).toHaveLength(16);
    for (const page of ['/', '/guide/configure/', '/guide/generated-project/', '/reference/create-dockervm/', '/reference/dockervm/']) {
      expect(pages).toContain(page);
    }
  });

  it('has no broken internal link or anchor', () => {
    const { checked, broken } = brokenLinks();
    expect(checked).toBeGreaterThan(100);
    expect(broken).toEqual([]);
  });

  it('ships at most 100 KB of JavaScript per lesson page', () => {
    const lessons = pagePaths()
      .filter((p) => p.startsWith('/lessons/'))
      .map((p) => pageScripts(p));
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(lessons.map((s) => `site: JS ${s.page}: ${kb(s.bytes)} (${kb(s.gzipBytes)} gzip, ${s.files.length} files)`).join('\n'));
    for (const scripts of lessons) expect(scripts.bytes, scripts.page).toBeLessThanOrEqual(JS_BUDGET_BYTES);
  });

  it('loads every page in Chromium without a console error, lesson pages with at most 100 KB of script', async () => {
    await withChromium(async ({ page, consoleErrors }) => {
      const failed: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
      });
      // Measure every page as a first visit: no script from the browser cache.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const loaded: string[] = [];
      for (const path of pagePaths()) {
        await visit(page, consoleErrors, `${site.url}${path}`);
        await expect(page.locator('h1').first().textContent()).resolves.toBeTruthy();
        // What the browser really fetched once the page settled (lazy and idle-time loads included),
        // plus the page's inline scripts.
        const scriptBytes = await page.evaluate(() => {
          const fetched = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
          const files = fetched.filter((e) => e.initiatorType === 'script' || /\.m?js(\?|$)/.test(e.name)).reduce((sum, e) => sum + e.decodedBodySize, 0);
          const inline = [...document.querySelectorAll('script:not([src])')].reduce((sum, el) => sum + new Blob([el.textContent ?? '']).size, 0);
          return files + inline;
        });
        if (path.startsWith('/lessons/')) loaded.push(`${path.split('/')[2]!.slice(0, 2)}: ${(scriptBytes / 1024).toFixed(1)} KB`);
        if (path.startsWith('/lessons/')) expect(scriptBytes, path).toBeLessThanOrEqual(JS_BUDGET_BYTES);
      }
      console.log(`site: script fetched by Chromium per lesson page: ${loaded.join(', ')}`);
      expect(failed).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  });

  it('finds "bind mount" with the search', async () => {
    await withChromium(async ({ page, consoleErrors }) => {
      await visit(page, consoleErrors, `${site.url}/`);
      await page.locator('button[data-open-modal]').first().click();
      const input = page.locator('.pagefind-ui__search-input');
      await input.fill('bind mount');
      const hit = page.locator('a.pagefind-ui__result-link[href*="/lessons/08-bind-mounts/"]').first();
      await hit.waitFor({ timeout: 20_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'search.png') });
      expect(consoleErrors).toEqual([]);
    });
  });

  it('keeps the exit status of a failing command on the page but out of search excerpts', async () => {
    await withChromium(async ({ page, consoleErrors }) => {
      await visit(page, consoleErrors, `${site.url}/lessons/03-containers-are-ephemeral/`);
      await expect(page.locator('.dvm-exit').first().textContent()).resolves.toMatch(/^\[exit status [1-9]\d*\]$/);
      await page.locator('button[data-open-modal]').first().click();
      await page.locator('.pagefind-ui__search-input').fill('No such file or directory');
      const excerpts = page.locator('.pagefind-ui__result-excerpt');
      await excerpts.first().waitFor({ timeout: 20_000 });
      const texts = await excerpts.allTextContents();
      expect(texts.length).toBeGreaterThan(0);
      expect(texts.filter((t) => t.includes('exit status'))).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  });

  it('wraps or scrolls long lines on every lesson page, never cuts them off (desktop and phone)', async () => {
    await withChromium(async ({ page, consoleErrors }) => {
      const problems: string[] = [];
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        for (const path of pagePaths().filter((p) => p.startsWith('/lessons/') || p.startsWith('/guide/'))) {
          await visit(page, consoleErrors, `${site.url}${path}`);
          problems.push(...(await page.evaluate(cutOffLines)).map((p) => `${width}px ${path}: ${p}`));
        }
      }
      expect(problems).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  });

  it("shows the configurator's choices in full, on a desktop and on a phone", async () => {
    await withChromium(async ({ page, consoleErrors }) => {
      const problems: string[] = [];
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await visit(page, consoleErrors, `${site.url}/guide/configure/`);
        await page.locator('html[data-configurator="ready"]').waitFor();
        problems.push(...(await page.evaluate(truncatedOptions, '#dvm-config-form select')).map((p) => `${width}px: ${p}`));
      }
      expect(problems).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  });

  it("shows the chosen desktop's recorded picture in the configurator, and changes it with the choice", async () => {
    // Every window manager whose picture scripts/record-screenshots.ts put into the site (pekwm, openbox
    // and none at least); each choice must show its own picture, really loaded, and shell none at all.
    const pictures: RecordedPictures = recorded;
    const names = Object.keys(pictures);
    expect(names).toEqual(expect.arrayContaining(['pekwm', 'openbox', 'none']));
    await withChromium(async ({ page, consoleErrors }) => {
      await visit(page, consoleErrors, `${site.url}/guide/configure/`);
      await page.locator('html[data-configurator="ready"]').waitFor();
      const figure = page.locator('#dvm-config-picture');
      const shown = async () => {
        await page.waitForFunction(() => {
          const img = document.querySelector<HTMLImageElement>('#dvm-config-picture-img');
          return img?.complete && img.naturalWidth > 0;
        });
        return page.evaluate(() => {
          const img = document.querySelector<HTMLImageElement>('#dvm-config-picture-img')!;
          return { src: new URL(img.src).pathname, naturalWidth: img.naturalWidth, visible: img.getBoundingClientRect().width > 0 };
        });
      };
      // The defaults: a noVNC desktop with pekwm.
      expect(await figure.isVisible()).toBe(true);
      expect(await shown()).toEqual({ src: '/screenshots/pekwm.png', naturalWidth: pictures.pekwm!.width, visible: true });
      await page.screenshot({ path: join(ARTIFACTS, 'configure-picture.png'), fullPage: true });
      for (const wm of names) {
        await page.selectOption('select[name=wm]', wm);
        expect(await figure.getAttribute('data-window-manager')).toBe(wm);
        expect(await shown(), wm).toEqual({ src: `/screenshots/${wm}.png`, naturalWidth: pictures[wm]!.width, visible: true });
      }
      await page.selectOption('select[name=wm]', '');
      await page.selectOption('select[name=desktop]', 'shell');
      expect(await figure.isHidden()).toBe(true);
      await page.selectOption('select[name=desktop]', 'vnc');
      expect((await shown()).src).toBe('/screenshots/pekwm.png');
      expect(consoleErrors).toEqual([]);
    });
  });

  it("states the packages' own Node.js requirement on the landing page", async () => {
    const version = createDockervm.engines.node.replace(/^>=\s*/, '');
    await withChromium(async ({ page, consoleErrors }) => {
      await visit(page, consoleErrors, `${site.url}/`);
      await expect(page.locator('main').textContent()).resolves.toContain(`Node.js ${version} or newer`);
    });
  });

  it('configures the same Dockerfile and compose.yaml as the CLI', async () => {
    // Each configuration is a set of form actions; the page's own command line is then run through the
    // CLI's argv parsing and rendering (test/helpers/render.ts) and must give the same files.
    const configurations: { name: string; actions: [kind: 'fill' | 'select' | 'check', selector: string, value?: string][] }[] = [
      { name: 'defaults', actions: [] },
      {
        name: 'lab',
        actions: [
          ['fill', 'input[name=directory]', 'lab'],
          ['select', 'select[name=desktop]', 'vnc'],
          ['check', 'input[name=services][value=sshd]'],
          ['check', 'input[name=services][value=cron]'],
          ['select', 'select[name=persistence]', 'volumes'],
          ['fill', 'input[name=packages]', 'git curl'],
          ['fill', 'input[name=ports]', '8080'],
        ],
      },
      {
        name: 'tiny',
        actions: [
          ['fill', 'input[name=directory]', 'tiny box'],
          ['select', 'select[name=base]', 'alpine'],
          ['select', 'select[name=desktop]', 'shell'],
          ['select', 'select[name=sudo]', 'no'],
          ['fill', 'input[name=user]', 'ada'],
          ['fill', 'input[name=uid]', '1500'],
          ['fill', 'input[name=gid]', '1500'],
          ['check', 'input[name=bindAll]'],
        ],
      },
    ];
    await withChromium(async ({ page, consoleErrors }) => {
      for (const configuration of configurations) {
        await visit(page, consoleErrors, `${site.url}/guide/configure/`);
        await page.locator('html[data-configurator="ready"]').waitFor();
        for (const [kind, selector, value] of configuration.actions) {
          if (kind === 'fill') await page.fill(selector, value!);
          else if (kind === 'select') await page.selectOption(selector, value!);
          else await page.check(selector);
        }
        const command = (await page.locator('#dvm-config-command').textContent())!;
        const shown = async (file: string) => {
          // A DOM click: Playwright's pointer click sometimes lands under the sticky header after the
          // page scrolled to the file picker.
          await page.locator(`#dvm-config-tabs button[data-file="${file}"]`).dispatchEvent('click');
          await page
            .locator(`#dvm-config-file[data-file="${file}"]`)
            .waitFor({ state: 'attached', timeout: 5000 })
            .catch(async (error: Error) => {
              const state = await page.locator('#dvm-config-file').getAttribute('data-file');
              throw new Error(`${configuration.name}: ${file} not shown (showing ${state}): ${error.message}`);
            });
          return (await page.locator('#dvm-config-file').textContent())!;
        };
        const words = shellWords(command);
        expect(words.slice(0, 3), command).toEqual(['npm', 'create', 'dockervm@latest']);
        const directory = words[3]!;
        const flags = words.slice(5).filter((w) => w !== '--yes');
        const cli = await renderFromArgs(directory, flags);
        const listed = ((await page.locator('.dvm-config__files').getAttribute('data-files')) ?? '').split('\n');
        expect(listed, configuration.name).toEqual([...cli.keys()]);
        await page.selectOption('#dvm-config-more', 'README.md');
        expect(await page.locator('#dvm-config-file').textContent(), `${configuration.name}: README.md`).toBe(cli.get('README.md')!.content);
        expect(await shown('Dockerfile'), `${configuration.name}: Dockerfile`).toBe(cli.get('Dockerfile')!.content);
        expect(await shown('compose.yaml'), `${configuration.name}: compose.yaml`).toBe(cli.get('compose.yaml')!.content);
        // The desktop's picture is listed with the files; the page says what it is instead of its bytes.
        const picture = cli.get('docs/desktop.png')?.content;
        if (picture) {
          await page.selectOption('#dvm-config-more', 'docs/desktop.png');
          expect(await page.locator('#dvm-config-file').textContent()).toBe(
            `A PNG picture of ${Math.round((picture as Uint8Array).byteLength / 1024)} KB: the desktop shown above, which the project's README shows too.`,
          );
        }
        if (configuration.name === 'lab') await page.screenshot({ path: join(ARTIFACTS, 'configure.png'), fullPage: true });
      }
      expect(consoleErrors).toEqual([]);
    });
  });

  it('takes screenshots of the landing page and a lesson, light and dark', async () => {
    await withChromium(async ({ page, consoleErrors }) => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await visit(page, consoleErrors, `${site.url}/`);
        await page.screenshot({ path: join(ARTIFACTS, `landing-${scheme}.png`), fullPage: true });
        await visit(page, consoleErrors, `${site.url}/lessons/08-bind-mounts/`);
        await page.screenshot({ path: join(ARTIFACTS, `lesson-08-${scheme}.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await visit(page, consoleErrors, `${site.url}/lessons/01-containers-are-not-vms/`);
      await page.screenshot({ path: join(ARTIFACTS, 'lesson-01-phone.png') });
      expect(consoleErrors).toEqual([]);
    });
  });
});

/**
 * page.goto, again when Chromium aborted a request with ERR_NETWORK_CHANGED: the engine adding or
 * removing a bridge network (another test, the examples runner) makes Chromium drop requests in flight.
 * Those messages are taken out of consoleErrors; every other error stays.
 */
async function visit(page: Page, consoleErrors: string[], url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const before = consoleErrors.length;
    await page.goto(url, { waitUntil: 'networkidle' });
    const transient = consoleErrors.slice(before).filter((e) => e.includes('ERR_NETWORK_CHANGED'));
    if (transient.length === 0) return;
    consoleErrors.splice(before, consoleErrors.length - before, ...consoleErrors.slice(before).filter((e) => !transient.includes(e)));
    if (attempt === 3) throw new Error(`${url}: the network kept changing under Chromium (${transient[0]})`);
  }
}

/** Splits a command line the way a POSIX shell splits plain and single-quoted words. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!));
}
