#!/usr/bin/env node
// Copies the desktop pictures that the browser tests recorded (artifacts/screenshots/<name>.png, written
// by test/helpers/screenshots.ts) into the site (site/public/screenshots/), where the configurator shows
// the picture of the chosen desktop, and lists them with their sizes in site/src/lib/screenshots.json
// (what the configurator offers). The packages carry a copy (scripts/build.mjs): a new project's
// docs/desktop.png. Only this script writes there, on purpose: a test run never changes
// the committed pictures.
//
//   node scripts/record-screenshots.ts [NAME | NAME=RECORDED …]
//     no argument: every recorded picture named after a window manager (openbox.png, none.png, xfce.png)
//     NAME=RECORDED: the site's NAME.png from the recorded RECORDED.png (e.g. xfce=xfce-browsers)
//
// Record them first, e.g. the Openbox and the bare desktop of the VM e2e suite:
//   node node_modules/vitest/vitest.mjs run --project e2e test/e2e/vm-variants.test.ts -t 'VM (default|vnc-debian-supervisord) '
// Exit: 0 copied (or already the same), 1 a bad argument or a missing or oversized picture.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WINDOW_MANAGERS } from '../src/vmspec/types.ts';
import { decodePng } from '../test/helpers/png.ts';
import { compactPng, MAX_WIDTH, scaleToWidth } from '../test/helpers/screenshots.ts';

const ROOT = join(import.meta.dirname, '..');
const RECORDED = join(ROOT, 'artifacts', 'screenshots');
const SITE = join(ROOT, 'site', 'public', 'screenshots');
const MANIFEST = join(ROOT, 'site', 'src', 'lib', 'screenshots.json');
/** Each picture is loaded on the configure page: keep it well under the weight of a page. */
const MAX_BYTES = 150 * 1024;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function fail(message: string): never {
  process.stderr.write(`record-screenshots: ${message}\n`);
  process.exit(1);
}

function pairs(args: string[]): [site: string, recorded: string][] {
  if (args.includes('--help') || args.includes('-h')) {
    // The comment at the top of this file, after the #! line.
    const lines = readFileSync(import.meta.filename, 'utf8')
      .split('\n')
      .slice(1);
    const header = lines.slice(
      0,
      lines.findIndex((line) => !line.startsWith('//')),
    );
    process.stdout.write(`${header.map((line) => line.replace(/^\/\/ ?/, '')).join('\n')}\n`);
    process.exit(0);
  }
  if (args.length === 0) {
    const recorded = existsSync(RECORDED) ? readdirSync(RECORDED).filter((f) => f.endsWith('.png')) : [];
    const names = recorded.map((f) => f.slice(0, -4)).filter((n) => (WINDOW_MANAGERS as readonly string[]).includes(n));
    if (names.length === 0)
      fail(
        `no recorded picture named after a window manager (${WINDOW_MANAGERS.join(', ')}) in artifacts/screenshots/: run the browser tests first (see --help)`,
      );
    return names.map((n) => [n, n]);
  }
  return args.map((arg) => {
    const [site = '', recorded = site, ...rest] = arg.split('=');
    if (rest.length || !/^[a-z0-9][a-z0-9-]*$/.test(site) || !/^[a-z0-9][a-z0-9-]*$/.test(recorded))
      fail(`${arg}: expected NAME or NAME=RECORDED (lower-case words with dashes)`);
    return [site, recorded];
  });
}

type Manifest = Record<string, { width: number; height: number; bytes: number }>;
const manifest: Manifest = existsSync(MANIFEST) ? JSON.parse(readFileSync(MANIFEST, 'utf8')) : {};
mkdirSync(SITE, { recursive: true });
for (const [site, recorded] of pairs(process.argv.slice(2))) {
  const from = join(RECORDED, `${recorded}.png`);
  if (!existsSync(from)) fail(`artifacts/screenshots/${recorded}.png was not recorded: run the browser tests first (see --help)`);
  const raw = readFileSync(from);
  if (!raw.subarray(0, 8).equals(PNG)) fail(`artifacts/screenshots/${recorded}.png is not a PNG`);
  // Pictures saved by hand (full size, straight from the browser) get what recordScreenshot() does.
  const image = scaleToWidth(decodePng(raw), MAX_WIDTH);
  const bytes = compactPng(image).bytes;
  const { width, height } = image;
  if (bytes.length > MAX_BYTES) fail(`artifacts/screenshots/${recorded}.png has ${bytes.length} bytes even when compacted, more than ${MAX_BYTES}`);
  const to = join(SITE, `${site}.png`);
  const state = !existsSync(to) ? 'new' : readFileSync(to).equals(bytes) ? 'unchanged' : 'replaced';
  if (state !== 'unchanged') writeFileSync(to, bytes);
  manifest[site] = { width, height, bytes: bytes.length };
  process.stdout.write(`site/public/screenshots/${site}.png: ${width}×${height}, ${(bytes.length / 1024).toFixed(1)} KB (${state})\n`);
}
const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(MANIFEST, `${JSON.stringify(sorted, null, 2)}\n`);
