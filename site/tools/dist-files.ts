// Reading the built site (site/dist): pages, internal links, and the JavaScript each page loads.
// Used by the site tests and bench/site-budget.mjs. Plain Node, no dependencies.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export const SITE_DIR = resolve(dirname(new URL(import.meta.url).pathname), '..');
export const DIST_DIR = join(SITE_DIR, 'dist');

/** Every HTML page of the build, as URL paths ("/", "/lessons/01-…/"), 404 page excluded. */
export function pagePaths(dist = DIST_DIR): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== 'pagefind' && entry !== '_astro') walk(path);
      } else if (entry === 'index.html') {
        const rel = relative(dist, dir);
        pages.push(rel ? `/${rel.split('\\').join('/')}/` : '/');
      }
    }
  };
  walk(dist);
  return pages.sort();
}

export function htmlOf(page: string, dist = DIST_DIR): string {
  return readFileSync(join(dist, page, 'index.html'), 'utf8');
}

/** The file a URL path of the site is served from, or undefined. */
export function fileFor(urlPath: string, dist = DIST_DIR): string | undefined {
  const clean = decodeURIComponent(urlPath.split(/[?#]/)[0]!);
  const candidate = join(dist, clean);
  if (!candidate.startsWith(dist)) return undefined;
  if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  const index = join(candidate, 'index.html');
  return existsSync(index) ? index : undefined;
}

// Only real tags: text inside <pre> has its "<" escaped, so `href="…"` shown as code is not a link.
const TAG = /<[a-z][a-z0-9-]*\b[^>]*>/gi;
const ATTRIBUTE = /\s(?:href|src)="([^"]*)"/g;
const ID = /\sid="([^"]*)"/g;

export interface BrokenLink {
  page: string;
  link: string;
  problem: string;
}

/** Internal links (href/src) of every page that point at no file, or at an id the target lacks. */
export function brokenLinks(dist = DIST_DIR): { checked: number; broken: BrokenLink[] } {
  const broken: BrokenLink[] = [];
  const ids = new Map<string, Set<string>>();
  const idsOf = (file: string) => {
    let set = ids.get(file);
    if (!set) {
      set = new Set([...readFileSync(file, 'utf8').matchAll(ID)].map((m) => m[1]!));
      ids.set(file, set);
    }
    return set;
  };
  let checked = 0;
  for (const page of pagePaths(dist)) {
    const links = [...htmlOf(page, dist).matchAll(TAG)].flatMap(([tag]) => [...tag.matchAll(ATTRIBUTE)].map((m) => m[1]!));
    for (const raw of links) {
      const link = raw.replace(/&amp;/g, '&');
      if (/^(?:[a-z]+:|\/\/)/i.test(link)) continue; // external: http:, mailto:, data: …
      checked++;
      const url = new URL(link, `http://site${page}`);
      const file = fileFor(url.pathname, dist);
      if (!file) {
        broken.push({ page, link, problem: 'no such file' });
        continue;
      }
      const fragment = decodeURIComponent(url.hash.slice(1));
      if (fragment && file.endsWith('.html') && fragment !== '_top' && !idsOf(file).has(fragment)) {
        broken.push({ page, link, problem: `no element with id "${fragment}"` });
      }
    }
  }
  return { checked, broken };
}

export interface PageScripts {
  page: string;
  /** Script files loaded at page load (module scripts, modulepreloads and their static imports). */
  files: string[];
  inlineBytes: number;
  bytes: number;
  gzipBytes: number;
}

const SCRIPT_SRC = /<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g;
const MODULEPRELOAD = /<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"[^>]*>|<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="modulepreload"[^>]*>/g;
const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc=)(?![^>]*type="application\/(?:ld\+)?json")[^>]*>([\s\S]*?)<\/script>/g;
const STATIC_IMPORT = /(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g;

/** The JavaScript a page makes the browser download and run before anyone interacts with it. */
export function pageScripts(page: string, dist = DIST_DIR): PageScripts {
  const html = htmlOf(page, dist);
  const queue = [...html.matchAll(SCRIPT_SRC)].map((m) => m[1]!);
  for (const m of html.matchAll(MODULEPRELOAD)) queue.push((m[1] ?? m[2])!);
  const files = new Set<string>();
  let text = '';
  while (queue.length) {
    const src = queue.shift()!;
    const url = new URL(src, `http://site${page}`);
    const file = fileFor(url.pathname, dist);
    if (!file || files.has(file)) continue;
    files.add(file);
    const code = readFileSync(file, 'utf8');
    text += code;
    for (const m of code.matchAll(STATIC_IMPORT)) {
      if (m[1]!.startsWith('.') || m[1]!.startsWith('/')) queue.push(new URL(m[1]!, url).pathname);
    }
  }
  const inline = [...html.matchAll(INLINE_SCRIPT)].map((m) => m[1]!).join('\n');
  text += inline;
  return {
    page,
    files: [...files].map((f) => relative(dist, f)),
    inlineBytes: Buffer.byteLength(inline),
    bytes: Buffer.byteLength(text),
    gzipBytes: gzipSync(text).length,
  };
}
