// Compiles templates from their sources with the full Handlebars compiler: for tests and the site's
// in-browser configurator (no Node APIs here). Kept apart from templates.ts so the published bundle,
// which uses precompiled templates, does not carry the compiler.
import Handlebars from 'handlebars';
import type { RenderTemplate, TemplateSources } from './templates.ts';

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
