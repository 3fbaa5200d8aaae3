// Variants whose base image this machine cannot fetch (Docker Hub is unreachable; the local mirror
// serves Debian and busybox only). They are not skipped silently: each one says, in the test report,
// what covers it instead, and that coverage is checked to exist.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VARIANTS } from '../helpers/variants.ts';

const GOLDEN = join(import.meta.dirname, '../../examples/golden');
const COVERAGE = ['test/unit/golden.test.ts (render snapshot)', 'test/unit/golden-tools.test.ts (shellcheck, `docker compose config -q`, built-in lint)'];

const offEngine = VARIANTS.filter((variant) => !variant.engine);

describe.each(offEngine)('VM $name (base image not fetchable here)', (variant) => {
  it('is covered by the render, compose-config and lint tests instead of a real build', () => {
    const base = variant.args.includes('--base') ? variant.args[variant.args.indexOf('--base') + 1] : 'debian';
    const why = variant.notBuilt ?? 'its base image is not in the local mirror and Docker Hub is unreachable here';
    process.stdout.write(`e2e: NOT BUILT here ${variant.name} (--base ${base}): ${why}; covered by ${COVERAGE.join(' and ')}\n`);
    for (const file of ['Dockerfile', 'compose.yaml', 'README.md']) expect(existsSync(join(GOLDEN, variant.name, file))).toBe(true);
  });
});
