// `dockervm lint --config`: an absolute path is used as it is, a relative one from the project
// directory (wherever the command runs), and a missing one is one line.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKERVM_BIN, requireBuiltDockervm, scratchDir } from '../helpers/dockervm-engine.ts';

const scratch = scratchDir();
const project = join(scratch.path, 'project');
const elsewhere = join(scratch.path, 'elsewhere');

function lint(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [DOCKERVM_BIN, 'lint', '--json', '--no-external', ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: scratch.path, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const codes = (stdout: string) => (JSON.parse(stdout) as { findings: { code: string }[] }).findings.map((f) => f.code);

beforeAll(() => {
  requireBuiltDockervm();
  mkdirSync(join(project, 'lint'), { recursive: true });
  mkdirSync(elsewhere);
  copyFileSync(join(import.meta.dirname, '../fixtures/lint/bad-apt.Dockerfile'), join(project, 'Dockerfile'));
  // Outside the project, so only an absolute path (or ../) reaches it.
  writeFileSync(join(elsewhere, 'strict.yaml'), 'ignored: [DL3008]\n');
  writeFileSync(join(project, 'lint', 'relaxed.yaml'), 'ignored: [DL3008, DL3009, DL3014, DL3015]\n');
});
afterAll(() => scratch.cleanup());

describe('dockervm lint --config', () => {
  it('the findings without a config', () => {
    expect(codes(lint([], project).stdout)).toEqual(['DL3008', 'DL3009', 'DL3014', 'DL3015']);
  });

  it('takes an absolute path as it is', () => {
    const result = lint(['--config', join(elsewhere, 'strict.yaml')], project);
    expect(result.stderr).not.toMatch(/no such file/);
    expect(codes(result.stdout)).toEqual(['DL3009', 'DL3014', 'DL3015']);
  });

  it('reads a relative path from the project directory, also when run from elsewhere', () => {
    expect(codes(lint(['--config', 'lint/relaxed.yaml'], project).stdout)).toEqual([]);
    const fromOutside = lint(['--config', 'lint/relaxed.yaml', '--project-dir', project], elsewhere);
    expect(fromOutside.status, fromOutside.stderr).toBe(0);
    expect(codes(fromOutside.stdout)).toEqual([]);
  });

  it('a missing file is one line, exit 1', () => {
    const result = lint(['--config', join(elsewhere, 'missing.yaml')], project);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^dockervm lint: --config .*missing\.yaml: no such file$/);
  });
});
