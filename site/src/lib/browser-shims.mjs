// The configurator runs the scaffolder's own pure code in the browser (spec normalization, generators,
// Handlebars templates, compose as a YAML document). Those modules import a few Node built-ins for
// things the browser never calls (reading templates from disk) plus `basename(resolve(dir))` in
// normalize.ts. In the client bundle only, map node:path to a small POSIX implementation and the rest
// to stubs that throw if they are ever called; the server build keeps the real modules.
// Also stubs the CLI bundle's virtual template module for the reference pages.
import { fileURLToPath } from 'node:url';

const pathShim = fileURLToPath(new URL('./posix-path.ts', import.meta.url));
const STUBS = {
  'node:fs': ['existsSync', 'readdirSync', 'readFileSync', 'statSync'],
  'node:url': ['fileURLToPath'],
  'node:fs/promises': ['readFile'],
};
const PREFIX = '\0dockervm-browser-stub:';

export function browserShims() {
  return {
    name: 'dockervm-browser-shims',
    enforce: 'pre',
    resolveId(id, _importer, options) {
      // The CLI bundle's precompiled templates (scripts/build.mjs); the site only reads the commands'
      // names and option tables, never runs `dockervm new`.
      if (id === 'virtual:dockervm-templates') return `${PREFIX}templates`;
      const server = options?.ssr || this.environment?.config?.consumer === 'server';
      if (server) return null;
      if (id === 'node:path' || id === 'path') return pathShim;
      if (id in STUBS) return PREFIX + id;
      return null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const module = id.slice(PREFIX.length);
      if (module === 'templates') return 'export default {};';
      return STUBS[module].map((name) => `export function ${name}() { throw new Error('${module} ${name} is not available in the browser'); }`).join('\n');
    },
  };
}
