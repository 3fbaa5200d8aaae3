// Lesson 16's save game, played in the browser: the lesson's own files (examples/lessons/16-win-at-2048)
// run as a VM on the real engine, headless Chromium opens the VM's noVNC page and plays 2048 with the
// arrow keys, the board is read from the screen (each tile's colour on noVNC's canvas) and must equal
// the game's state (the Firefox window title, and localStorage on the VM's disk); `dockervm save`, a
// lost game, `dockervm restore`, and the saved board must be back on the screen. Everything is named
// dvme2e-2048-… and removed afterwards (and by the e2e global setup after an interrupted run).
import { chmodSync, chownSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LESSONS_DIR } from '../../examples/lessons/lessons.ts';
import { openNoVnc, screenshotCanvas, withChromium } from '../helpers/browser.ts';
import { cleanupProject, dockervm, requireBuiltDockervm } from '../helpers/dockervm-engine.ts';
import { engineProblem, PREFIX, sh } from '../helpers/e2e-engine.ts';
import { decodePng, type RgbaImage } from '../helpers/png.ts';
import { freePort } from '../helpers/ports.ts';

const LESSON = join(LESSONS_DIR, '16-win-at-2048');
const ARTIFACTS = join(import.meta.dirname, '../../artifacts/browser');
const problem = engineProblem();
const name = `${PREFIX}2048-${Date.now().toString(36).slice(-4)}`;
const container = `${name}-vm-1`;

/** The tile colours of the game's page (game/index.html), read from it so the two cannot drift apart. */
function tileColours(): Map<number, [number, number, number]> {
  const html = readFileSync(join(LESSON, 'game/index.html'), 'utf8');
  const colours = new Map<number, [number, number, number]>();
  const rgb = (hex: string): [number, number, number] => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  colours.set(0, rgb(/\.tile \{[^}]*background: #([0-9a-f]{6})/.exec(html)![1]!));
  for (const [, value, hex] of html.matchAll(/\.tile\[data-value="(\d+)"\] \{ background: #([0-9a-f]{6})/g)) colours.set(Number(value), rgb(hex!));
  return colours;
}
const BOARD_COLOUR: [number, number, number] = [0x2e, 0x34, 0x40];
const COLOURS = tileColours();

/** "score 200 moves 34 [0 2 0 0 / …]" → its 16 values. */
function boardOf(text: string): number[] {
  const cells = /\[([^\]]*)\]/.exec(text)?.[1];
  if (!cells) throw new Error(`no board in ${JSON.stringify(text)}`);
  return cells.split(/[ /]+/).map(Number);
}

const near = (a: readonly number[], b: readonly number[], tolerance: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);

/**
 * The board as the screen shows it: the bounding box of the board's dark background, cut into the page's
 * 4×4 grid (game/index.html: 12 px padding, 100 px tiles, 12 px gaps: 460 px in all), and each tile's
 * value from the colour near its top-left corner (clear of the digits). noVNC's JPEG encodings shift
 * colours a little: the nearest page colour wins, and a colour far from all of them fails.
 */
function boardOnScreen(image: RgbaImage): number[] {
  const { width, height, data } = image;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (!near([data[o]!, data[o + 1]!, data[o + 2]!], BOARD_COLOUR, 6)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) throw new Error('no 2048 board on the screen');
  const unit = (right - left + 1) / 460;
  if (Math.abs((bottom - top + 1) / 460 - unit) > 0.02) throw new Error(`the board on the screen is not square: ${left},${top} to ${right},${bottom}`);
  const values: number[] = [];
  for (let row = 0; row < 4; row++) {
    for (let column = 0; column < 4; column++) {
      const x = Math.round(left + unit * (12 + column * 112 + 14));
      const y = Math.round(top + unit * (12 + row * 112 + 14));
      const o = (y * width + x) * 4;
      const pixel = [data[o]!, data[o + 1]!, data[o + 2]!];
      const [value, distance] = [...COLOURS]
        .map(([v, c]) => [v, Math.hypot(...c.map((channel, i) => channel - pixel[i]!))] as const)
        .sort((a, b) => a[1] - b[1])[0]!;
      if (distance > 40) throw new Error(`tile ${row},${column} has colour rgb(${pixel.join(',')}), no tile colour of the game`);
      values.push(value);
    }
  }
  return values;
}

describe.skipIf(Boolean(problem) && !process.env.CI)('lesson 16: win at 2048 through noVNC', () => {
  let dir: string;
  let port: number;
  const password = `p${Math.random().toString(36).slice(2, 9)}`;

  beforeAll(async () => {
    if (problem) throw new Error(problem);
    requireBuiltDockervm();
    dir = mkdtempSync(join(tmpdir(), 'dvme2e-2048-'));
    cpSync(LESSON, dir, { recursive: true, filter: (src) => !/\/(lesson\.yaml|transcript\.json)$/.test(src) });
    // The lesson's project under this run's own name and a free host port.
    port = await freePort();
    const compose = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    const renamed = compose.replaceAll('l16-game', name).replace('127.0.0.1:16080:6080', `127.0.0.1:${port}:6080`);
    expect(renamed.match(new RegExp(name, 'g'))).toHaveLength(4);
    expect(renamed).toContain(`127.0.0.1:${port}:6080`);
    writeFileSync(join(dir, 'compose.yaml'), renamed);
    writeFileSync(join(dir, 'vnc-password'), `${password}\n`);
    chownSync(join(dir, 'vnc-password'), 1000, 1000);
    chmodSync(join(dir, 'vnc-password'), 0o600);
    const up = sh('docker', ['compose', 'up', '--detach', '--build'], { cwd: dir, timeoutMs: 15 * 60_000 });
    expect(up.status, up.stderr.slice(-4000)).toBe(0);
  });

  afterAll(() => {
    if (dir) sh('docker', ['compose', 'down', '--volumes'], { cwd: dir, timeoutMs: 120_000 });
    cleanupProject(name);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The game's state as its window title shows it, once Firefox has the page up (bounded). */
  async function title(want: (text: string) => boolean = (t) => t.includes('moves')): Promise<string> {
    let last = '';
    for (let tries = 0; tries < 120; tries++) {
      const result = sh('docker', ['exec', container, 'board-on-screen.sh'], { timeoutMs: 30_000 });
      last = result.stdout.trim() || result.stderr.trim();
      if (result.status === 0 && want(last)) return last;
      await sleep(500);
    }
    throw new Error(`the game's window never showed what was expected; last: ${last}`);
  }

  /** Screenshots noVNC's canvas until the board on it is `want` (bounded: the screen updates a moment later). */
  async function screenShows(page: Page, want: number[], file: string): Promise<number[]> {
    let seen: number[] | string = [];
    for (let tries = 0; tries < 40; tries++) {
      const png = await screenshotCanvas(page, join(ARTIFACTS, file));
      try {
        seen = boardOnScreen(decodePng(png));
        if (seen.join() === want.join()) return seen;
      } catch (error) {
        seen = (error as Error).message;
      }
      await sleep(250);
    }
    throw new Error(`the screen shows ${JSON.stringify(seen)}, the game has ${JSON.stringify(want)} (see artifacts/browser/${file})`);
  }

  /** Waits (bounded) until localStorage on the VM's disk holds the game the title shows. */
  async function diskShows(shown: string): Promise<void> {
    let onDisk = '';
    for (let tries = 0; tries < 40; tries++) {
      const result = sh('docker', ['exec', container, 'saved-board.py'], { timeoutMs: 30_000 });
      onDisk = (result.stdout || result.stderr).trim();
      if (result.status === 0 && shown === `2048 ${onDisk} — Mozilla Firefox`) return;
      await sleep(500);
    }
    throw new Error(`the disk has ${JSON.stringify(onDisk)}, the screen ${JSON.stringify(shown)}`);
  }

  /**
   * A noVNC page on the recreated VM, in a new browser context: once, a page of the first context got
   * no reply for 90 s after the restore (a kept-alive connection to the old container, most likely).
   * Once more if it times out.
   */
  async function connectAgain(browser: Browser, url: string): Promise<Page> {
    for (let attempt = 1; ; attempt++) {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      try {
        await openNoVnc(page, { url, password, timeoutMs: 90_000 });
        return page;
      } catch (error) {
        await page.context().close();
        if (attempt === 2) throw error;
        process.stdout.write(`2048: noVNC after the restore, attempt 1 failed, retrying: ${(error as Error).message}\n`);
      }
    }
  }

  async function press(page: Page, keys: string[]) {
    for (const key of keys) await page.keyboard.press(key, { delay: 10 });
  }

  it('plays, saves, loses, restores: the saved board is back on the screen', async () => {
    const noVnc = `http://127.0.0.1:${port}/vnc.html?autoconnect=1&resize=off`;
    await withChromium(
      async ({ browser, page }) => {
        // Firefox shows the game once everything started before it (the VNC server, websockify) is up.
        const fresh = await title((t) => t.includes('moves 0'));
        await openNoVnc(page, { url: noVnc, password });
        await screenShows(page, boardOf(fresh), '2048-new.png');

        // Keys typed into noVNC reach Firefox in the VM (focus follows the pointer: the board is under it).
        const canvas = page.locator('#noVNC_container canvas');
        await canvas.click({ position: { x: 300, y: 300 } });
        await press(page, Array.from({ length: 10 }, () => ['ArrowDown', 'ArrowLeft', 'ArrowDown', 'ArrowRight']).flat());
        const played = await title((t) => /moves [1-9]/.test(t));
        expect(played).not.toContain('GAME OVER');
        const saved = boardOf(played);
        await screenShows(page, saved, '2048-played.png');
        // Firefox writes localStorage to the disk a few seconds later: save once the disk has the board.
        await diskShows(played);

        const save = dockervm(['save', '-m', 'a good board'], { cwd: dir });
        expect(save.status, save.stderr).toBe(0);
        const snapshot = /saved (snap-\S+) /.exec(save.stdout + save.stderr)?.[1];
        expect(snapshot, save.stdout + save.stderr).toBeDefined();

        // Lose: keys until nothing moves (bounded).
        let state = played;
        for (let round = 0; round < 10 && !state.includes('GAME OVER'); round++) {
          await press(page, Array.from({ length: 25 }, () => ['ArrowUp', 'ArrowRight', 'ArrowDown', 'ArrowLeft']).flat());
          state = await title();
        }
        expect(state).toContain('GAME OVER');
        const lost = boardOf(state);
        expect(lost).not.toEqual(saved);
        await screenShows(page, lost, '2048-lost.png');

        const restore = dockervm(['restore', snapshot!], { cwd: dir });
        expect(restore.status, restore.stderr).toBe(0);
        // The VM was recreated: noVNC lost its connection. A new page connects to the restored VM.
        const restored = await title();
        await page.close();
        const again = await connectAgain(browser, noVnc);
        expect(boardOf(restored)).toEqual(saved);
        expect(restored).not.toContain('GAME OVER');
        expect(await screenShows(again, saved, '2048-restored.png')).toEqual(saved);
        await diskShows(restored);
        expect(restored).toBe(played);
      },
      { viewport: { width: 1280, height: 800 } },
    );
  });
});
