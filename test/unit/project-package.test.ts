// The generated project's package.json and the package manager that installs it: pure parts.
import { describe, expect, it } from 'vitest';
import type { Prompter } from '../../src/create/ask.ts';
import { getContext } from '../../src/create/context.ts';
import { decideInstall } from '../../src/create/install.ts';
import { installCommand, packageManagerFrom } from '../../src/create/package-manager.ts';
import { PROJECT_SCRIPTS, renderPackageJson } from '../../src/render/package-json.ts';

describe('renderPackageJson', () => {
  const manifest = JSON.parse(renderPackageJson({ name: 'my-vm', generatorVersion: '1.2.3' })) as Record<string, unknown>;

  it('pins the exact dockervm that created the project, as a devDependency of a private package', () => {
    expect(manifest).toMatchObject({ name: 'my-vm', private: true, devDependencies: { dockervm: '1.2.3' } });
    expect(manifest).not.toHaveProperty('dependencies');
    expect(manifest).not.toHaveProperty('version');
  });

  it('has a script for each everyday command, each only that dockervm command', () => {
    const scripts = manifest.scripts as Record<string, string>;
    for (const name of ['up', 'down', 'save', 'snapshots', 'restore', 'shell', 'open', 'status']) expect(scripts[name]).toBe(`dockervm ${name}`);
    expect(scripts).toEqual(PROJECT_SCRIPTS);
  });

  it('is two-space JSON with a final newline, as npm writes it', () => {
    const text = renderPackageJson({ name: 'lab_2', generatorVersion: '0.1.0-rc.1' });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "private": true,\n');
    expect(JSON.parse(text).devDependencies).toEqual({ dockervm: '0.1.0-rc.1' });
  });
});

describe('packageManagerFrom (npm_config_user_agent)', () => {
  it.each([
    ['npm/11.6.2 node/v24.21.0 linux x64 workspaces/false', 'npm'],
    ['pnpm/9.12.0 npm/? node/v22.12.0 darwin arm64', 'pnpm'],
    ['yarn/1.22.22 npm/? node/v22.12.0 linux x64', 'yarn'],
    ['yarn/4.5.0 npm/? node/v24.0.0 linux x64', 'yarn'],
    ['bun/1.1.38 npm/? node/v22.6.0 linux x64', 'bun'],
    ['  PNPM/9.0.0 npm/?', 'pnpm'],
  ])('%s → %s', (agent, expected) => {
    expect(packageManagerFrom(agent)).toBe(expected);
  });

  it.each([undefined, '', 'deno/2.0.0 npm/?', 'cnpm/9 node/v22', 'npmx', '/'])('unknown or missing (%j) → npm', (agent) => {
    expect(packageManagerFrom(agent)).toBe('npm');
  });

  it('installs with `<manager> install`', () => {
    expect(installCommand('pnpm')).toEqual({ command: 'pnpm', args: ['install'], text: 'pnpm install' });
    expect(installCommand('npm').text).toBe('npm install');
  });
});

describe('decideInstall: flag ?? (interactive ? question : yes)', () => {
  const asked: string[] = [];
  const prompter = {
    confirm: async (config: { message: string; default?: boolean }) => (asked.push(config.message), config.default === true ? false : true),
  } as unknown as Prompter;
  const decide = (argv: string[], env: NodeJS.ProcessEnv, tty: boolean) => decideInstall(getContext(['vm', ...argv], env, tty), prompter);

  it('asks on a terminal, naming the package manager that ran us, with yes as the default', async () => {
    asked.length = 0;
    // The mock answers the opposite of the default, so a default of yes shows as false.
    expect(await decide([], { npm_config_user_agent: 'pnpm/9.12.0 npm/? node/v22.12.0' }, true)).toBe(false);
    expect(asked).toEqual(["Install dependencies? (pnpm install: the project's own dockervm CLI)"]);
  });

  it('takes --install / --no-install without asking, and yes under --yes or without a terminal', async () => {
    asked.length = 0;
    expect(await decide(['--no-install'], {}, true)).toBe(false);
    expect(await decide(['--install'], {}, true)).toBe(true);
    expect(await decide(['--yes'], {}, true)).toBe(true);
    expect(await decide(['--yes'], {}, false)).toBe(true);
    expect(await decide(['--no-install', '--yes'], {}, false)).toBe(false);
    expect(asked).toEqual([]);
  });
});
