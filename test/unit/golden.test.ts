// Golden projects: every variant renders exactly to the files committed under examples/golden/.
// Regenerate on purpose with UPDATE_GOLDENS=1 and review the diff like any other change.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP_PICTURE_PATH } from '../../src/render/desktop-picture.ts';
import { renderFromArgs } from '../helpers/render.ts';
import { VARIANTS } from '../helpers/variants.ts';

// biome-ignore lint/suspicious/noExportsInTest: the golden tools' test reads the same root
export const GOLDEN_ROOT = join(import.meta.dirname, '../../examples/golden');

/**
 * secrets/ is git-ignored in every project, so it is not part of a golden; nor is the desktop's picture,
 * a copy of the site's (desktop-picture.test.ts checks it).
 */
const isCommitted = (path: string) => !path.startsWith('secrets/') && path !== DESKTOP_PICTURE_PATH;

function readTree(dir: string): Map<string, { content: string; mode: number }> {
  const files = new Map<string, { content: string; mode: number }>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      const info = statSync(path);
      if (info.isDirectory()) walk(path);
      else files.set(relative(dir, path), { content: readFileSync(path, 'utf8'), mode: info.mode & 0o777 });
    }
  };
  walk(dir);
  return files;
}

describe.each(VARIANTS)('golden project $name', ({ name, args }) => {
  it('renders to the committed files', async () => {
    const dir = join(GOLDEN_ROOT, name);
    const rendered = new Map([...(await renderFromArgs(name, args))].filter(([path]) => isCommitted(path)));
    if (process.env.UPDATE_GOLDENS === '1') {
      rmSync(dir, { recursive: true, force: true });
      for (const [path, file] of rendered) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), file.content, { mode: file.mode });
      }
    }
    const committed = readTree(dir);
    expect([...committed.keys()].sort()).toEqual([...rendered.keys()].sort());
    for (const [path, file] of rendered) {
      expect(committed.get(path)?.content, path).toBe(file.content);
      // git keeps only the executable bit
      expect((committed.get(path)!.mode & 0o100) !== 0, `${path} executable`).toBe((file.mode & 0o100) !== 0);
    }
  });
});
