// Rendering Handlebars templates. Templates are compiled with noEscape (HTML escaping would corrupt
// shell, Dockerfile and YAML text) and strict (a missing field is a bug, not an empty string): from
// source by compile.ts (tests, the site), or ahead of time by scripts/build.mjs (the published CLI).
import HandlebarsRuntime from 'handlebars/runtime';

/** Template sources by path relative to templates/, e.g. `rootfs/entrypoint.sh.hbs`. */
export type TemplateSources = Readonly<Record<string, string>>;

export type RenderTemplate = (name: string, data: object) => string;

/**
 * Templates compiled at build time (scripts/build.mjs): the published bundle needs only the small
 * Handlebars runtime, and starting the CLI costs no template compilation.
 */
export function precompiledRenderer(specs: Readonly<Record<string, TemplateSpecification>>): RenderTemplate {
  const runtime = HandlebarsRuntime.create();
  const templates = new Map<string, HandlebarsTemplateDelegate>();
  return (name, data) => {
    let template = templates.get(name);
    if (!template) {
      const spec = specs[name];
      if (!spec) throw new Error(`no template named ${name}`);
      template = runtime.template(spec);
      templates.set(name, template);
    }
    return template(data);
  };
}
