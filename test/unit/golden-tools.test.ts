// The goldens pass the tools users and CI run on them: shellcheck on every script, and the real
// `docker compose config -q` (the Compose spec's own validation).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTty, lintCompose, lintDockerfile } from '../../src/lint/index.ts';
import { GOLDEN_PASSWORD } from '../helpers/render.ts';
import { hasTool, run } from '../helpers/tools.ts';
import { VARIANTS } from '../helpers/variants.ts';

const GOLDEN_ROOT = join(import.meta.dirname, '../../examples/golden');
const haveShellcheck = hasTool('shellcheck');
const haveCompose = hasTool('docker', ['compose', 'version']);

function scripts(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (readFileSync(path, 'utf8').startsWith('#!/bin/sh')) found.push(path);
    }
  };
  walk(dir);
  return found;
}

const scratch = mkdtempSync(join(tmpdir(), 'dockervm-golden-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(VARIANTS)('golden $name', ({ name }) => {
  const dir = join(GOLDEN_ROOT, name);

  it.runIf(haveShellcheck)('every shell script passes shellcheck', () => {
    const files = scripts(dir);
    expect(files.length).toBeGreaterThan(0);
    const result = run('shellcheck', ['--shell=sh', '--severity=style', ...files]);
    expect(result.stdout + result.stderr, files.map((f) => relative(dir, f)).join(' ')).toBe('');
    expect(result.status).toBe(0);
  });

  it('the built-in lint finds nothing in the Dockerfile and compose.yaml', () => {
    const findings = [
      ...lintDockerfile(readFileSync(join(dir, 'Dockerfile'), 'utf8'), { file: `${name}/Dockerfile` }),
      ...lintCompose(readFileSync(join(dir, 'compose.yaml'), 'utf8'), { file: `${name}/compose.yaml` }),
    ];
    expect(formatTty(findings, { color: false })).toBe('');
  });

  it.runIf(haveCompose)('compose.yaml passes `docker compose config -q`', () => {
    // A copy with the git-ignored secret in place, as a freshly created project has it.
    const project = join(scratch, name);
    cpSync(dir, project, { recursive: true });
    if (readFileSync(join(project, 'compose.yaml'), 'utf8').includes('vnc_password')) {
      mkdirSync(join(project, 'secrets'), { recursive: true });
      writeFileSync(join(project, 'secrets/vnc_password'), `${GOLDEN_PASSWORD}\n`, { mode: 0o600 });
    }
    const result = run('docker', ['compose', 'config', '-q'], { cwd: project, env: { ...process.env, DISPLAY: ':0' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('the scripts dockervm runs in its helper containers (src/docker/scripts)', () => {
  const dir = join(import.meta.dirname, '../../src/docker/scripts');
  it.runIf(haveShellcheck)('pass shellcheck as POSIX sh (BusyBox ash and dash run them)', () => {
    const files = scripts(dir);
    expect(files.length).toBeGreaterThanOrEqual(6);
    const result = run('shellcheck', ['--shell=sh', '--severity=style', ...files]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
  it.runIf(hasTool('dash', ['-c', 'true']))('parse in dash, which has no pipefail', () => {
    for (const file of scripts(dir)) expect(run('dash', ['-n', file]).status, file).toBe(0);
  });
});
