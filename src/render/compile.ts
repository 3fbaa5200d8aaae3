// Compiles templates from their sources with the full Handlebars compiler. Kept apart from
// templates.ts so the published bundle, which uses precompiled templates, does not carry the compiler.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { RenderTemplate, TemplateSources } from './templates.ts';

export function templateRenderer(sources: TemplateSources = loadTemplates()): RenderTemplate {
  const handlebars = Handlebars.create();
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  return (name, data) => {
    let template = compiled.get(name);
    if (!template) {
      const source = sources[name];
      if (source === undefined) throw new Error(`no template named ${name}`);
      template = handlebars.compile(source, { noEscape: true, strict: true });
      compiled.set(name, template);
    }
    return template(data);
  };
}

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
