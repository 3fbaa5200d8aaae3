// Answers → VmSpec: defaults, derived values and every refusal, without any I/O.
import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/vmspec/answers.ts';
import { defaultAnswers } from '../../src/vmspec/defaults.ts';
import { generate } from '../../generators/index.ts';
import { normalizeAnswers } from '../../src/vmspec/normalize.ts';
import { processNames } from '../../src/vmspec/processes.ts';
import { checkPackageName, parsePort, projectNameFromDirectory } from '../../src/vmspec/validate.ts';

const answers = (overrides: Partial<Answers> = {}): Answers => ({
  ...defaultAnswers('my-vm', { uid: 1000, gid: 1000, userName: 'me' }),
  ...overrides,
});

describe('defaults', () => {
  it('a noVNC desktop with pekwm on Debian, the whole disk persisted, on 127.0.0.1', () => {
    const spec = normalizeAnswers(answers(), '1.0.0');
    expect(spec).toMatchObject({
      name: 'my-vm',
      base: { reference: 'debian:bookworm-slim', family: 'debian' },
      desktop: 'novnc',
      windowManager: 'pekwm',
      // auto, made concrete: Xvnc, xterm, pekwm and websockify need a supervisor.
      supervisor: 'supervisord',
      user: { name: 'dev', uid: 1000, gid: 1000, sudo: true },
      persistence: 'rootfs',
      bindAddress: '127.0.0.1',
    });
    expect(spec.ports.map((p) => `${p.host}:${p.container}`)).toEqual(['5901:5901', '6080:6080']);
  });

  it('root on the host gives UID/GID 1000, never 0', () => {
    expect(defaultAnswers('x', { uid: 0, gid: 0, userName: 'root' })).toMatchObject({ uid: '1000', gid: '1000' });
  });

  it('busybox defaults to a shell without sudo and borrows tini from the Debian image', () => {
    const spec = normalizeAnswers(answers({ base: 'busybox' }), '1.0.0');
    expect(spec).toMatchObject({ desktop: 'shell', windowManager: 'none', user: { sudo: false } });
    expect(spec.initSource?.reference).toBe('debian:bookworm-slim');
  });

  it('a custom reference takes its family from the repository name or --family', () => {
    expect(normalizeAnswers(answers({ base: 'registry.example/team/ubuntu:24.04' }), '1').base.family).toBe('debian');
    expect(normalizeAnswers(answers({ base: 'ghcr.io/acme/os:1', family: 'alpine', desktop: 'shell' }), '1').base.family).toBe('alpine');
  });
});

describe('the supervisor is decided here, from the processes the generators will make', () => {
  it.each([
    ['shell', { desktop: 'shell' as const, windowManager: 'none' as const }, 'none'],
    ['xterm alone', { desktop: 'xterm' as const, windowManager: 'none' as const, persistence: 'home' as const }, 'none'],
    ['xterm and cron', { desktop: 'xterm' as const, windowManager: 'none' as const, services: ['cron' as const] }, 'supervisord'],
    ['runit asked for', { supervisor: 'runit' as const }, 'runit'],
  ])('%s → %s', (_title, overrides, supervisor) => {
    expect(normalizeAnswers(answers(overrides as Partial<Answers>), '1').supervisor).toBe(supervisor);
  });

  it('processNames names exactly the programs the generators make, for every desktop, window manager and service', () => {
    for (const desktop of ['shell', 'xterm', 'vnc', 'novnc'] as const) {
      for (const windowManager of desktop === 'vnc' || desktop === 'novnc' ? (['none', 'pekwm', 'openbox', 'xfce'] as const) : (['none'] as const)) {
        for (const services of [[], ['sshd'], ['cron', 'syslog']] as Answers['services'][]) {
          const spec = normalizeAnswers(answers({ desktop, windowManager, services, supervisor: 'supervisord' }), '1');
          const made = generate(spec)
            .programs.map((p) => p.name)
            .sort();
          expect(made, `${desktop} ${windowManager} ${services.join(',')}`).toEqual(processNames(spec).sort());
        }
      }
    }
  });
});

describe('desktops and browsers', () => {
  it('XFCE runs its session instead of the xterm, under runit too; browsers are sorted and unique', () => {
    const spec = normalizeAnswers(answers({ windowManager: 'xfce', apps: ['firefox', 'chromium', 'firefox'], supervisor: 'runit' }), '1');
    expect(spec).toMatchObject({ windowManager: 'xfce', apps: ['chromium', 'firefox'], supervisor: 'runit' });
    expect(processNames(spec)).toEqual(['vnc-server', 'xfce', 'novnc']);
  });

  it('a browser gives the VM a 1 GB /dev/shm and a launcher; without one, Docker keeps its default', () => {
    const withBrowser = generate(normalizeAnswers(answers({ windowManager: 'xfce', apps: ['firefox'] }), '1'));
    expect(Math.max(...withBrowser.contributions.map((c) => c.shmMegabytes ?? 0))).toBe(1024);
    const files = withBrowser.contributions.flatMap((c) => c.files ?? []).map((f) => f.path);
    expect(files).toContain('rootfs/home/dev/Desktop/firefox.desktop');
    const without = generate(normalizeAnswers(answers(), '1'));
    expect(without.contributions.some((c) => c.shmMegabytes)).toBe(false);
  });

  it('Chromium runs without its own sandbox (Docker forbids it user namespaces), Firefox keeps its own; both in the menu', () => {
    for (const [windowManager, path] of [
      ['pekwm', 'rootfs/etc/xdg/pekwm/menu'],
      ['openbox', 'rootfs/etc/xdg/openbox/menu.xml'],
    ] as const) {
      const spec = normalizeAnswers(answers({ windowManager, apps: ['chromium', 'firefox'] }), '1');
      const menu = generate(spec)
        .contributions.flatMap((c) => c.files ?? [])
        .find((f) => f.path === path);
      expect(menu && 'data' in menu ? menu.data.apps : undefined, windowManager).toEqual([
        { app: 'chromium', label: 'Chromium', command: 'chromium --no-sandbox', icon: 'chromium' },
        { app: 'firefox', label: 'Firefox', command: 'firefox-esr', icon: 'firefox-esr' },
      ]);
    }
  });
});

describe('refusals name every problem at once', () => {
  it('collects several problems into one error', () => {
    expect(() => normalizeAnswers(answers({ userName: 'root', uid: 'x', ports: ['0'] }), '1')).toThrow(
      /reserved[\s\S]*UID "x" is not a whole number[\s\S]*1 to 65535/,
    );
  });
  it.each([
    ['a digest in the base', { base: 'debian@sha256:' + 'a'.repeat(64) }, /already has a digest/],
    ['a window manager without VNC', { desktop: 'xterm' as const, windowManager: 'openbox' as const }, /window manager needs the vnc or novnc desktop/],
    ['services on busybox', { base: 'busybox', services: ['sshd' as const] }, /busybox cannot run sshd/],
    ['sudo on busybox', { base: 'busybox', sudo: true }, /busybox has no sudo/],
    ['an underivable name', { directory: '___' }, /cannot make a project name/],
    ['a clash with sshd', { services: ['sshd' as const], ports: ['2222'] }, /already published for SSH/],
    // Refused here, before any registry is asked (pinning comes after normalizing).
    [
      'several processes without a supervisor',
      { supervisor: 'none' as const },
      /5 processes \(vnc-server, xterm, pekwm, desktop-background, novnc\) need a supervisor/,
    ],
    ['a browser without a VNC desktop', { desktop: 'shell' as const, apps: ['firefox' as const] }, /--app firefox needs the vnc or novnc desktop/],
    ['a browser on Ubuntu (snap only)', { base: 'ubuntu', apps: ['chromium' as const] }, /Ubuntu packages chromium only as a snap/],
    ['runit where it is not packaged', { base: 'fedora', supervisor: 'runit' as const }, /runit is not packaged for fedora/],
  ])('%s', (_title, overrides, message) => {
    expect(() => normalizeAnswers(answers(overrides as Partial<Answers>), '1')).toThrow(message);
  });
});

describe('validators', () => {
  it.each([
    ['My VM', 'my-vm'],
    ['lab_01', 'lab_01'],
    ['--x--', 'x'],
    ['Ünïcode', 'n-code'],
    ['___', undefined],
  ])('project name from directory %j → %j', (dir, name) => {
    expect(projectNameFromDirectory(dir)).toBe(name);
  });

  it.each([
    ['debian', 'curl', true],
    ['debian', 'g++', true],
    ['debian', 'curl=7.88.1-10+deb12u5', true],
    ['debian', 'Curl', false],
    ['debian', 'curl;reboot', false],
    ['debian', '$(id)', false],
    ['debian', '-y', false],
    ['alpine', 'py3-pip', true],
    ['fedora', 'NetworkManager', true],
    ['busybox', 'anything', false],
  ] as const)('%s package %j valid: %s', (family, name, valid) => {
    expect(checkPackageName(family, name) === undefined).toBe(valid);
  });

  it.each([
    ['8080', { host: 8080, container: 8080 }],
    ['8080:80', { host: 8080, container: 80 }],
    ['0', 'port "0": ports are whole numbers from 1 to 65535'],
    ['1.2.3.4:80:80', 'port "1.2.3.4:80:80": use PORT or HOST:CONTAINER (ports go on 127.0.0.1, or on every interface with --bind-all)'],
    ['http', 'port "http": ports are whole numbers from 1 to 65535'],
  ])('port %j', (text, expected) => {
    expect(parsePort(text)).toEqual(expected);
  });
});
