// Reads templates/ of the repository from disk (Node only; the browser gets them from its bundler).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateSources } from './templates.ts';

/** templates/ of the repository, found upwards from this file (src/render/ → the repository root). */
export function findTemplatesDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from, depth = 0; depth < 4; dir = dirname(dir), depth++) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'Dockerfile.hbs'))) return candidate;
  }
  throw new Error(`templates/ not found above ${from}`);
}

export function loadTemplates(dir = findTemplatesDir()): TemplateSources {
  const sources: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else sources[relative(dir, path).split('\\').join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return sources;
}
