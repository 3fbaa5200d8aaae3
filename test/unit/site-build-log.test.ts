// The site build's warning check must catch the warnings the site once printed, coloured or not.
import { describe, expect, it } from 'vitest';
import { buildWarnings } from '../../site/tools/build-log.ts';
import { onBuildWarning } from '../../site/src/lib/build-warnings.mjs';

describe('site build warnings', () => {
  it('finds Astro, Vite and Node warnings, coloured or plain', () => {
    const output = [
      '19:37:43 [build] Building static entrypoints...',
      '19:37:45 [WARN] [vite] \x1b[33m[MODULE_LEVEL_DIRECTIVE] \x1b[0mThe semantics of the module level directive',
      '   ╭─[ site/src/content/docs/index.mdx?astroPropagatedAssets:2:6 ]',
      '19:37:45   ├─ /404.html19:37:45 [WARN] [content] Entry docs → 404 was not found.',
      '\x1b[33m19:37:46 [WARN]\x1b[39m [@astrojs/sitemap] The Sitemap integration requires the `site` astro.config option. Skipping.',
      '(node:123) ExperimentalWarning: something',
      '19:37:46 [build] ✓ Completed in 3.24s.',
    ].join('\n');
    expect(buildWarnings(output)).toHaveLength(4);
    expect(buildWarnings('19:37:46 [build] ✓ Completed in 3.24s.\n19:37:46 [starlight:pagefind] Found 21 HTML files.')).toEqual([]);
  });

  it("silences only Astro's head-inject directive, nothing else", () => {
    const passed: string[] = [];
    const warn = (warning: { code?: string; message: string }) => passed.push(warning.message);
    onBuildWarning(
      {
        code: 'MODULE_LEVEL_DIRECTIVE',
        message: 'The semantics of the module level directive "use astro:head-inject" in "src/content/docs/a.mdx?astroPropagatedAssets" may not be preserved',
      },
      warn,
    );
    onBuildWarning(
      { code: 'MODULE_LEVEL_DIRECTIVE', message: 'The semantics of the module level directive "use client" in "src/x.ts" may not be preserved' },
      warn,
    );
    onBuildWarning({ code: 'CIRCULAR_DEPENDENCY', message: 'Circular dependency: a -> b -> a' }, warn);
    expect(passed).toHaveLength(2);
    expect(passed[0]).toContain('use client');
  });
});
