// The configurator page's logic against the CLI: for each set of choices, the command line the page
// shows, run through the CLI's own argv parsing, must render exactly the files the page renders.
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as shim from '../../site/src/lib/posix-path.ts';
import { commandLine, CUSTOM, flagsOf, INITIAL_CHOICES, renderChoices, type Choices } from '../../site/src/lib/configure.ts';
import { templateRenderer } from '../../src/render/compile.ts';
import { loadTemplates } from '../../src/render/load-templates.ts';
import { DESKTOP_PICTURE_PATH } from '../../src/render/desktop-picture.ts';
import recorded from '../../site/src/lib/screenshots.json' with { type: 'json' };
import { renderFromArgs } from '../helpers/render.ts';

const render = templateRenderer(loadTemplates());
const choose = (changes: Partial<Choices>): Choices => ({ ...INITIAL_CHOICES, ...changes });

const CASES: Record<string, Partial<Choices>> = {
  defaults: {},
  'vnc with services and volumes': {
    directory: 'lab',
    desktop: 'vnc',
    services: ['sshd', 'cron'],
    persistence: 'volumes',
    packages: 'git, curl',
    ports: '8080 3000:3001',
  },
  'alpine shell, other user': { directory: 'tiny box', base: 'alpine', desktop: 'shell', sudo: 'no', user: 'ada', uid: '1500', gid: '1501', bindAll: true },
  'busybox defaults': { base: 'busybox' },
  'xterm on ubuntu': { base: 'ubuntu', desktop: 'xterm', persistence: 'home' },
  'fedora novnc without window manager': { base: 'fedora', wm: 'none', supervisor: 'supervisord', services: ['syslog'] },
  'runit on trixie': { base: 'debian-trixie', desktop: 'vnc', supervisor: 'runit' },
  'trixie, every service, no persistence': { base: 'debian-trixie', services: ['sshd', 'cron', 'syslog'], persistence: 'none', name: 'box-2' },
  'xfce with both browsers, sound and a shared folder': { wm: 'xfce', apps: ['firefox', 'chromium'], audio: true, share: true },
  'a browser on pekwm, sound, exposed': { apps: ['firefox'], audio: true, bindAll: true },
  'custom image with a family': { base: CUSTOM, customBase: 'registry.example.com/acme/os:1', family: 'fedora', desktop: 'vnc', sudo: 'yes' },
};

describe('configurator = CLI', () => {
  for (const [name, changes] of Object.entries(CASES)) {
    it(name, async () => {
      const choices = choose(changes);
      const page = renderChoices(choices, render, recorded);
      if (!page.ok) throw new Error(page.problems.join('\n'));
      const cli = await renderFromArgs(choices.directory, flagsOf(choices));
      expect([...page.files.keys()]).toEqual([...cli.keys()]);
      for (const [path, file] of page.files) {
        if (path.startsWith('secrets/')) continue; // random in the CLI, a placeholder on the page
        // The page shows the picture itself; its file is a stand-in of the same size.
        if (path === DESKTOP_PICTURE_PATH) {
          expect((file.content as Uint8Array).byteLength).toBe((cli.get(path)!.content as Uint8Array).byteLength);
          continue;
        }
        expect(file.content, path).toBe(cli.get(path)!.content);
        expect(file.mode, path).toBe(cli.get(path)!.mode);
      }
    });
  }

  it.each([
    ['a desktop on busybox', { base: 'busybox', desktop: 'novnc' }],
    ['runit on fedora', { base: 'fedora', supervisor: 'runit' }],
  ] as [string, Partial<Choices>][])('reports the problem the CLI reports: %s', async (_, changes) => {
    const choices = choose(changes);
    const page = renderChoices(choices, render, recorded);
    if (page.ok) throw new Error('the page rendered a project the CLI refuses');
    await expect(renderFromArgs(choices.directory, flagsOf(choices))).rejects.toThrow(page.problems[0]!);
  });

  it('shows a command line a shell runs as intended', () => {
    expect(commandLine(INITIAL_CHOICES)).toBe('npm create dockervm@latest my-vm -- --yes');
    expect(commandLine(choose({ directory: 'tiny box', packages: 'git', services: ['sshd'] }))).toBe(
      "npm create dockervm@latest 'tiny box' -- --service sshd --package git --yes",
    );
  });
});

describe('the browser path shim', () => {
  it('agrees with node:path (posix) where normalize.ts uses it', () => {
    for (const input of ['my-vm', 'a/b/c', '/abs/dir/', './x/../y', 'tiny box', '../up', '/']) {
      expect(shim.basename(shim.resolve(input)), input).toBe(posix.basename(posix.resolve('/', input)));
    }
  });
});
