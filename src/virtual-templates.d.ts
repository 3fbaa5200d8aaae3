// Made by scripts/build.mjs: every template under templates/, precompiled by Handlebars.
declare module 'virtual:dockervm-templates' {
  const templates: Record<string, TemplateSpecification>;
  export default templates;
}
