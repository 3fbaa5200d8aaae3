// Runs every fixture in test/fixtures/lint and compares its findings, exactly, with the
// hand-written `<name>.expected.json` next to it. Compose files are the `.yaml` ones.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintCompose, lintDockerfile } from '../../src/lint/index.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'lint');
const inputs = readdirSync(dir)
  .filter((f) => !f.endsWith('.expected.json'))
  .sort();

interface Expected {
  line: number;
  code: string;
}

function ordered(list: Expected[]): Expected[] {
  return [...list].sort((a, b) => a.line - b.line || a.code.localeCompare(b.code));
}

describe('lint fixtures', () => {
  it('has a corpus of at least 25 inputs, each with its expectations', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(25);
    const names = new Set(readdirSync(dir));
    for (const f of inputs) expect(names.has(f.replace(/\.(Dockerfile|yaml)$/, '.expected.json')), f).toBe(true);
  });

  for (const input of inputs) {
    it(input, () => {
      const text = readFileSync(join(dir, input), 'utf8');
      const expected = JSON.parse(readFileSync(join(dir, input.replace(/\.(Dockerfile|yaml)$/, '.expected.json')), 'utf8')) as Expected[];
      const findings = input.endsWith('.yaml') ? lintCompose(text, { file: input }) : lintDockerfile(text, { file: input });
      expect(findings.map(({ line, code }) => ({ line, code }))).toEqual(ordered(expected));
      for (const f of findings) expect(f.file).toBe(input);
    });
  }
});
