// The generated README's commands, as the published-path e2e test reads them: every variant's README
// has the lifecycle in code blocks, each one runnable as typed (npx dockervm, the project's own CLI).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandLines, shellWords } from '../helpers/readme-commands.ts';

const GOLDEN = join(import.meta.dirname, '../../examples/golden');

describe('commandLines and shellWords', () => {
  it('reads sh code blocks only, drops comments outside quotes, and splits words as a shell does', () => {
    const markdown = ['```sh', 'npx dockervm save -m "a # in quotes"   # a comment', '', '# only a comment', '```', '```yaml', 'not: a command', '```'].join(
      '\n',
    );
    expect(commandLines(markdown)).toEqual(['npx dockervm save -m "a # in quotes"']);
    expect(shellWords(commandLines(markdown)[0]!)).toEqual(['npx', 'dockervm', 'save', '-m', 'a # in quotes']);
    expect(shellWords("echo 'it''s' \"\" x")).toEqual(['echo', 'its', '', 'x']);
  });

  it('refuses what needs a real shell', () => {
    expect(() => shellWords('docker compose down --volumes && docker compose up -d')).toThrow(/needs a shell for "&"/);
    expect(() => shellWords('xhost +SI:localuser:$(id -un)')).toThrow(/needs a shell/);
    expect(() => shellWords('echo "open')).toThrow(/unterminated quote/);
  });
});

describe.each(readdirSync(GOLDEN))('the README of golden project %s', (variant) => {
  const lines = commandLines(readFileSync(join(GOLDEN, variant, 'README.md'), 'utf8'));

  it('has the lifecycle as npx dockervm commands in code blocks', () => {
    for (const command of ['up', 'status', 'down', 'shell', 'save', 'snapshots', 'restore']) {
      expect(
        lines.some((line) => line.startsWith(`npx dockervm ${command}`)),
        command,
      ).toBe(true);
    }
    expect(lines.find((line) => line.startsWith('npx dockervm restore'))).toBe('npx dockervm restore <snapshot>');
  });

  it('never tells the reader to run a bare dockervm (not on their PATH)', () => {
    for (const line of lines) expect(line).not.toMatch(/^dockervm /);
    expect(readFileSync(join(GOLDEN, variant, 'README.md'), 'utf8')).not.toMatch(
      /(?<!npx)(^|[\s`(])dockervm (up|down|save|snapshots|restore|shell|pin|open|status)\b/m,
    );
  });
});
