// Builds the npm packages from src/: one bundled ESM file each (pure-JS dependencies inlined, so
// `npm create dockervm` installs a single small package) and a copy of templates/.
// `--then-run <bin> [args]` runs the built bin afterwards in the caller's directory (npm run create).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Handlebars from 'handlebars';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const version = /VERSION = '([^']+)'/.exec(readFileSync(join(root, 'src/version.ts'), 'utf8'))[1];

const packages = [
  { name: 'create-dockervm', entry: 'src/create/bin.ts' },
  // dockerode stays a real dependency of dockervm (not bundled): it has its own release cadence and
  // optional native parts.
  { name: 'dockervm', entry: 'src/cli/bin.ts', external: ['dockerode'] },
];

/** Every template under templates/, precompiled with the options src/render/templates.ts compiles with. */
function precompiledTemplatesModule() {
  const dir = join(root, 'templates');
  const entries = [];
  const walk = (current) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else entries.push([relative(dir, path), Handlebars.precompile(readFileSync(path, 'utf8'), { noEscape: true, strict: true })]);
    }
  };
  walk(dir);
  return `export default {\n${entries.map(([name, spec]) => `  ${JSON.stringify(name)}: ${spec},`).join('\n')}\n};\n`;
}

const templatesPlugin = {
  name: 'dockervm-templates',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^virtual:dockervm-templates$/ }, () => ({ path: 'templates', namespace: 'dockervm' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'dockervm' }, () => ({ contents: precompiledTemplatesModule(), loader: 'js', resolveDir: root }));
  },
};

for (const pkg of packages) {
  const dir = join(root, 'packages', pkg.name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.version !== version) {
    console.error(`build: packages/${pkg.name}/package.json has version ${manifest.version}, src/version.ts has ${version}`);
    process.exit(1);
  }
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints: { index: join(root, pkg.entry) },
    outdir: join(dir, 'dist'),
    // Code that only some runs need (the prompt library) goes to chunks loaded on demand.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [templatesPlugin],
    // yaml's ES-module build (published as its "browser" entry; it uses no browser APIs) lets esbuild
    // drop the parser and composer that writing compose.yaml never needs: half the startup cost.
    alias: { yaml: join(root, 'node_modules/yaml/browser/index.js') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    legalComments: 'linked',
    // Bundled CommonJS dependencies (handlebars) call require(); give them one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'warning',
    external: pkg.external ?? [],
  });
}

const thenRun = process.argv.indexOf('--then-run');
if (thenRun !== -1) {
  const [bin, ...args] = process.argv.slice(thenRun + 1);
  const result = spawnSync(process.execPath, [join(root, 'packages', bin, 'bin', `${bin}.js`), ...args], {
    stdio: 'inherit',
    cwd: process.env.INIT_CWD ?? process.cwd(),
  });
  process.exit(result.status ?? 1);
}
