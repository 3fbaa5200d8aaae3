// Builds the npm packages from src/: one bundled ESM file each (pure-JS dependencies inlined, so
// `npm create dockervm` installs a single small package, templates precompiled into it) and a copy of
// the desktops' pictures.
// `--then-run <bin> [args]` runs the built bin afterwards in the caller's directory (npm run create).
// `--out DIR [--version V]` builds copies of both packages into DIR/<name>/ and leaves packages/ alone:
// the published-path tests pack and publish those, V standing in for src/version.ts (a newer release).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Handlebars from 'handlebars';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const sourceVersion = /VERSION = '([^']+)'/.exec(readFileSync(join(root, 'src/version.ts'), 'utf8'))[1];
const argValue = (flag) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const outRoot = argValue('--out');
const version = argValue('--version') ?? sourceVersion;

/** With --version: src/version.ts as if it said that version. */
const versionPlugin = {
  name: 'dockervm-version',
  setup(esbuild) {
    if (version === sourceVersion) return;
    esbuild.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({ contents: `export const VERSION = ${JSON.stringify(version)};`, loader: 'ts' }));
  },
};

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

// `import text from './x.sh?raw'`: the file's text, as vite (and so vitest) reads the same import.
const rawTextPlugin = {
  name: 'dockervm-raw-text',
  setup(esbuild) {
    esbuild.onResolve({ filter: /\?raw$/ }, (args) => ({ path: join(args.resolveDir, args.path.slice(0, -'?raw'.length)), namespace: 'raw-text' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'raw-text' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
  },
};

for (const pkg of packages) {
  const source = join(root, 'packages', pkg.name);
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  if (manifest.version !== sourceVersion) {
    console.error(`build: packages/${pkg.name}/package.json has version ${manifest.version}, src/version.ts has ${sourceVersion}`);
    process.exit(1);
  }
  const dir = outRoot ? join(outRoot, pkg.name) : source;
  if (outRoot) {
    rmSync(dir, { recursive: true, force: true });
    cpSync(source, dir, { recursive: true, filter: (path) => !path.startsWith(join(source, 'dist')) });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
  }
  const next = mkdtempSync(join(dir, '.dist-next-'));
  await build({
    entryPoints: { index: join(root, pkg.entry) },
    outdir: next,
    // Code that only some runs need (the prompt library) goes to chunks loaded on demand.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [templatesPlugin, rawTextPlugin, versionPlugin],
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
  moveInto(next, join(dir, 'dist'));
  copyPictures(join(dir, 'pictures'));
}

/**
 * The desktops' recorded pictures (committed where the site serves them), which a new project gets as
 * docs/desktop.png (src/create/pictures.ts): PNG files are not bundled, so only the chosen one is read.
 */
function copyPictures(to) {
  const from = join(root, 'site', 'public', 'screenshots');
  mkdirSync(to, { recursive: true });
  const pictures = readdirSync(from).filter((name) => name.endsWith('.png'));
  for (const name of pictures) cpSync(join(from, name), join(to, name));
  for (const name of readdirSync(to)) if (!pictures.includes(name)) rmSync(join(to, name), { force: true });
}

/**
 * Puts a fresh build in place file by file (each a rename, so atomic) instead of deleting dist/ first:
 * a CLI started from the previous build (a test run beside this build) may still load its chunks,
 * which are named by content hash, so old ones stay a while and go once no process can still want them.
 */
function moveInto(fresh, dist) {
  const written = new Set();
  const walk = (from, to) => {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) {
      const path = join(from, name);
      if (statSync(path).isDirectory()) walk(path, join(to, name));
      else {
        renameSync(path, join(to, name));
        written.add(join(to, name));
      }
    }
  };
  walk(fresh, dist);
  rmSync(fresh, { recursive: true, force: true });
  const stale = Date.now() - 30 * 60_000;
  const prune = (current) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) prune(path);
      else if (!written.has(path) && statSync(path).mtimeMs < stale) rmSync(path, { force: true });
    }
  };
  prune(dist);
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
