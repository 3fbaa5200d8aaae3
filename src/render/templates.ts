// Handlebars templates from templates/. Compiled with noEscape (HTML escaping would corrupt shell,
// Dockerfile and YAML text) and strict (a missing field is a bug, not an empty string).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/** Template sources by path relative to templates/, e.g. `rootfs/entrypoint.sh.hbs`. */
export type TemplateSources = Readonly<Record<string, string>>;

export type RenderTemplate = (name: string, data: object) => string;

export function templateRenderer(sources: TemplateSources): RenderTemplate {
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

/**
 * templates/ next to the code: two levels up from src/render in the repository, one level up from the
 * bundle in a published package (dist/ and templates/ side by side).
 */
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
