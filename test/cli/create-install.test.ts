// The install step of the built bin, with stand-in package managers on PATH (shell scripts that log
// how they were called): nothing here reaches a registry.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBuilt, runCreateBin, tempDir } from '../helpers/cli.ts';

let scratch: ReturnType<typeof tempDir>;
beforeAll(requireBuilt);
afterEach(() => scratch?.cleanup());

/** A scratch dir with `bin/<name>` scripts that log "<name> <args> in <cwd>" and exit as told. */
function withManagers(managers: Record<string, { exit: number; stderr?: string }>) {
  scratch = tempDir();
  const bin = join(scratch.path, 'bin');
  mkdirSync(bin);
  const log = join(scratch.path, 'calls.log');
  for (const [name, behaviour] of Object.entries(managers)) {
    const script = `#!/bin/sh\necho "${name} $* in $PWD" >> ${JSON.stringify(log)}\n${behaviour.stderr ? `echo ${JSON.stringify(behaviour.stderr)} >&2\n` : ''}exit ${behaviour.exit}\n`;
    writeFileSync(join(bin, name), script);
    chmodSync(join(bin, name), 0o755);
  }
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  // Only the stand-ins (and sh) on PATH: a real package manager can never be reached.
  return { cwd: scratch.path, calls, env: { PATH: `${bin}:/bin:/usr/bin` } };
}

describe("create-dockervm installs the project's dependencies last", () => {
  it('runs `npm install` in the written project by default, with progress on stderr', () => {
    const { cwd, calls, env } = withManagers({ npm: { exit: 0 } });
    const result = runCreateBin(['my-vm', '--yes', '--no-pin', '--install'], { cwd, env });
    expect(result.status, result.stderr).toBe(0);
    expect(calls()).toEqual([`npm install in ${join(cwd, 'my-vm')}`]);
    expect(result.stderr).toMatch(/^installing dependencies \(npm install\) …\ninstalled dependencies with npm \(\d+\.\d s\)\n$/);
    // Installed already: the next steps go straight to the VM.
    expect(result.stdout).toMatch(/cd my-vm\n {2}npx dockervm up/);
    expect(JSON.parse(readFileSync(join(cwd, 'my-vm/package.json'), 'utf8')).devDependencies).toEqual({ dockervm: '0.1.0' });
  });

  it('uses the package manager that ran it (npm_config_user_agent)', () => {
    const { cwd, calls, env } = withManagers({ npm: { exit: 0 }, pnpm: { exit: 0 } });
    const result = runCreateBin(['vm', '--yes', '--no-pin', '--install'], {
      cwd,
      env: { ...env, npm_config_user_agent: 'pnpm/9.12.0 npm/? node/v22.12.0 linux x64' },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(calls()).toEqual([`pnpm install in ${join(cwd, 'vm')}`]);
  });

  it('a failed install: one line saying why and how to install by hand, exit 1, the project kept', () => {
    const { cwd, env } = withManagers({ npm: { exit: 1, stderr: 'npm error code E404' } });
    const result = runCreateBin(['kept', '--yes', '--no-pin', '--install'], { cwd, env });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(
      'create-dockervm: npm install failed (npm error code E404): the project is written; install by hand with `cd kept && npm install`',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(cwd, 'kept/compose.yaml'))).toBe(true);
    expect(existsSync(join(cwd, 'kept/package.json'))).toBe(true);
  });

  it('a package manager that is not installed is the same clear failure', () => {
    const { cwd, env } = withManagers({});
    const result = runCreateBin(['vm', '--yes', '--no-pin'].concat('--install'), {
      cwd,
      env: { ...env, npm_config_user_agent: 'bun/1.1.38 npm/? node/v22.6.0' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      'create-dockervm: bun is not installed here, so the dependencies were not installed: the project is written; install by hand with `cd vm && bun install`',
    );
    expect(existsSync(join(cwd, 'vm/Dockerfile'))).toBe(true);
  });

  it('--dry-run lists the install in the plan and runs nothing; --no-install leaves it to the next steps', () => {
    const { cwd, calls, env } = withManagers({ npm: { exit: 0 } });
    const plan = runCreateBin(['plan', '--yes', '--no-pin', '--dry-run', '--install'], { cwd, env });
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain(
      `package.json\nThen run:\n  npm install (in ${join(cwd, 'plan')})\nNothing was written or run (--dry-run).`.split('\n').slice(-3).join('\n'),
    );
    expect(plan.stdout).toMatch(/ package\.json\n/);
    const skipped = runCreateBin(['skip', '--yes', '--no-pin', '--no-install'], { cwd, env });
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toMatch(/cd skip\n {2}npm install\n {2}npx dockervm up/);
    expect(calls()).toEqual([]);
  });
});
