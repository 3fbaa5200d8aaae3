// Builds the npm packages from src/: one bundled ESM file each (pure-JS dependencies inlined, so
// `npm create dockervm` installs a single small package) and a copy of templates/.
// `--then-run <bin> [args]` runs the built bin afterwards in the caller's directory (npm run create).
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const version = /VERSION = '([^']+)'/.exec(readFileSync(join(root, 'src/version.ts'), 'utf8'))[1];

const packages = [
  { name: 'create-dockervm', entry: 'src/create/bin.ts', templates: true },
];

for (const pkg of packages) {
  const dir = join(root, 'packages', pkg.name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.version !== version) {
    console.error(`build: packages/${pkg.name}/package.json has version ${manifest.version}, src/version.ts has ${version}`);
    process.exit(1);
  }
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints: [join(root, pkg.entry)],
    outfile: join(dir, 'dist', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    legalComments: 'linked',
    // Bundled CommonJS dependencies (handlebars) call require(); give them one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'warning',
  });
  if (pkg.templates) {
    rmSync(join(dir, 'templates'), { recursive: true, force: true });
    cpSync(join(root, 'templates'), join(dir, 'templates'), { recursive: true });
  }
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
