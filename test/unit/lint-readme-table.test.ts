// The README's lint rule table is the user's list of what `dockervm lint` checks: it must name every
// built-in rule, with its hadolint code and the severity the rule really has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/lint/index.ts';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
const table = /<!-- lint-rules:start -->([\s\S]*?)<!-- lint-rules:end -->/.exec(readme)?.[1] ?? '';
const rows = table
  .split('\n')
  .filter((l) => /^\| (?:DL|DVM|SC)/.test(l))
  .map((l) => l.split('|').map((c) => c.trim()));

describe('README lint rule table', () => {
  it('lists every built-in rule once, and nothing else', () => {
    const codes = rows.map((r) => r[1]).filter((c) => c !== 'SC…');
    expect(codes).toEqual([...RULES.keys()]);
  });

  it('gives each DL rule its hadolint code and its real severity', () => {
    for (const [, code, hadolint, severity] of rows) {
      if (code === 'SC…') continue;
      expect(hadolint, code).toBe(code!.startsWith('DL') ? code : '— (ours)');
      expect(severity, code).toBe(RULES.get(code!)!.severity);
    }
  });
});
