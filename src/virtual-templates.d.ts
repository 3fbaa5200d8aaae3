// Made by scripts/build.mjs: every template under templates/, precompiled by Handlebars.
declare module 'virtual:dockervm-templates' {
  const templates: Record<string, TemplateSpecification>;
  export default templates;
}
// Shell scripts the CLI runs in helper containers live in .sh files (so shellcheck reads them); the
// build (scripts/build.mjs) and vitest both inline a `?raw` import as the file's text.
declare module '*.sh?raw' {
  const text: string;
  export default text;
}
