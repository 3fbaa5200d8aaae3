// Every engine variant of test/helpers/variants.ts, scaffolded with the real CLI (FROM pinned to the
// local mirror's digest), built and run on the real engine, and checked like a VM: healthy, the right
// user, its desktop and services reachable on 127.0.0.1 only, supervised programs restarting, and a
// disk that keeps (or, by mode, forgets) what was done inside it. Everything is labelled
// dev.dockervm.project=dvme2e-… and removed in afterAll, also after a failure.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTty, lintCompose, lintDockerfile } from '../../src/lint/index.ts';
import { NOVNC_SELECTORS, openNoVnc, withChromium } from '../helpers/browser.ts';
import { requireBuilt } from '../helpers/cli.ts';
import {
  browserDesktop,
  expectAptHealthy,
  makeSshKey,
  readTraces,
  recordVncDesktop,
  shellScripts,
  sshWithKey,
  sshWithPassword,
  waitForNewPid,
  waitForRfb,
  writeTraces,
} from '../helpers/e2e-checks.ts';
import { engineProblem, engineVersions, ensureMirrorTag, PREFIX, removeLabelled, sh, tail } from '../helpers/e2e-engine.ts';
import { expectationsFor, restartTarget, type Expectations } from '../helpers/e2e-expect.ts';
import { VmProject } from '../helpers/e2e-project.ts';
import { vncAuthenticate } from '../helpers/rfb.ts';
import { VARIANTS } from '../helpers/variants.ts';
import { startXvfb, userNameForUid, waitForWindow, type XServer } from '../helpers/xvfb.ts';

const problem = engineProblem();
const scratch = mkdtempSync(join(tmpdir(), 'dvme2e-'));
const run = Date.now().toString(36).slice(-4);
const report: string[] = [];
const note = (line: string) => {
  report.push(line);
  process.stdout.write(`e2e: ${line}\n`);
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const titled = (name: string) => new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

it.runIf(Boolean(process.env.CI))('a Docker Engine and the local registry mirror are reachable (required in CI)', () => {
  expect(problem).toBeUndefined();
});
if (problem && !process.env.CI) process.stdout.write(`e2e: SKIPPED the real-engine VM tests: ${problem}\n`);

beforeAll(() => {
  if (problem) return;
  requireBuilt();
  note(engineVersions());
  ensureMirrorTag('busybox', '1.37', '1.35');
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(`\ne2e summary\n${report.map((line) => `  ${line}`).join('\n')}\n`);
});

const engineVariants = VARIANTS.filter((variant) => variant.engine);
/** The docs show each window manager on the default base: a variant on another base records no picture. */
const picture = (variant: (typeof VARIANTS)[number]) => !variant.args.includes('--base');

describe.skipIf(Boolean(problem)).each(engineVariants)('VM $name', (variant) => {
  const name = `${PREFIX}${variant.name}-${run}`.slice(0, 60);
  let project: VmProject;
  let want: Expectations;
  let xserver: XServer | undefined;
  let sshKey: { privateKey: string; publicKey: string } | undefined;
  const timings: string[] = [];

  beforeAll(async () => {
    want = await expectationsFor(name, variant.args);
    const extra: string[] = [];
    if (want.sshd) {
      sshKey = makeSshKey(join(scratch, `${name}-ssh`));
      extra.push('--ssh-key', sshKey.publicKey);
    }
    project = VmProject.scaffold(scratch, name, [...variant.args, ...extra]);
    await project.freeHostPorts();
    for (const change of project.remapped) note(`${variant.name}: host port taken on this machine, using ${change}`);
    if (want.xterm) {
      // The host's X server: an Xvfb only the VM's UID may use (xhost SI:localuser), or -ac when
      // the host has no user with that UID to name.
      const allowed = userNameForUid(want.user.uid) !== undefined;
      xserver = await startXvfb(allowed ? { allowUids: [want.user.uid] } : { insecureNoAccessControl: true });
      project.env = { ...project.env, DISPLAY: xserver.display };
    }
    timings.push(`build+up ${seconds(await project.upBuild())}`);
    timings.push(`healthy after ${seconds(await project.waitHealthy())}`);
  });

  afterAll(async () => {
    const problems = project ? project.cleanup() : [];
    await xserver?.stop();
    note(`${variant.name}: ${timings.join(', ')}${problems.length ? `; cleanup problems: ${problems.join('; ')}` : ''}`);
  });

  it('builds, starts and the healthcheck turns healthy', () => {
    const state = project.inspect<{ State: { Health?: { Status: string } } }>('container', project.container()).State;
    expect(state.Health?.Status).toBe('healthy');
    expect(project.file('Dockerfile')).toMatch(/^FROM \S+@sha256:[0-9a-f]{64}$/m);
  });

  it('the generated files pass compose config, shellcheck and the built-in lint', () => {
    expect(project.compose(['config', '-q']).status).toBe(0);
    const scripts = shellScripts(join(project.dir, 'rootfs'));
    const shellcheck = sh('shellcheck', ['--shell=sh', '--severity=style', ...scripts]);
    expect(shellcheck.stdout + shellcheck.stderr, scripts.map((s) => relative(project.dir, s)).join(' ')).toBe('');
    const findings = [...lintDockerfile(project.file('Dockerfile')), ...lintCompose(project.file('compose.yaml'))];
    expect(formatTty(findings, { color: false })).toBe('');
  });

  it('logs in as the non-root user with the requested UID/GID; the image runs as that user unless a root daemon needs root', () => {
    const { name: user, uid, gid } = want.user;
    expect(project.mustExec(user, 'id -un; id -u; id -g').trim().split('\n')).toEqual([user, String(uid), String(gid)]);
    // Shells start at the user's home, also when the image runs as root for a daemon (WORKDIR).
    expect(project.mustExec(user, 'pwd').trim()).toBe(`/home/${user}`);
    // The home is the user's own, also when rootfs/ put files in it (COPY makes them root's).
    expect(project.mustExec(user, `stat -c %u:%g /home/${user}; touch /home/${user}/.dvme2e-writable && echo writable`).trim().split('\n')).toEqual([
      `${uid}:${gid}`,
      'writable',
    ]);
    const image = project.inspect<{ Config: { User: string } }>('image', `dockervm/${name}:latest`).Config.User;
    const defaultUid = project.mustExec(undefined, 'id -u').trim();
    const pid1 = project.mustExec('root', 'stat -c %u /proc/1').trim();
    if (want.runsAsRoot) {
      expect(image).toBe('root');
      expect(defaultUid).toBe('0');
      expect(pid1).toBe('0');
      // …but the desktop runs as the user: only the daemons keep root.
      if (want.vnc) expect(project.mustExec('root', 'stat -c %u /proc/"$(pgrep -x Xtigervnc | head -n1)"').trim()).toBe(String(uid));
    } else {
      expect(image).toBe(user);
      expect(defaultUid).toBe(String(uid));
      expect(pid1).toBe(String(uid));
    }
  });

  it('has sudo only when asked', () => {
    const sudo = project.exec(want.user.name, 'sudo -n id -u');
    if (want.user.sudo) {
      expect(sudo.stdout.trim(), sudo.stderr).toBe('0');
    } else {
      expect(sudo.status).not.toBe(0);
      expect(project.exec('root', 'test -e /etc/sudoers.d/' + want.user.name).status).not.toBe(0);
    }
  });

  it('publishes every port on 127.0.0.1 only', () => {
    type Binding = Array<{ HostIp: string; HostPort: string }> | null;
    const container = project.inspect<{ HostConfig: { PortBindings: Record<string, Binding> }; NetworkSettings: { Ports: Record<string, Binding> } }>(
      'container',
      project.container(),
    );
    const bound = Object.values(container.HostConfig.PortBindings ?? {}).flatMap((b) => b ?? []);
    const live = Object.values(container.NetworkSettings.Ports ?? {}).flatMap((b) => b ?? []);
    expect(bound.length).toBe(project.ports().length);
    expect(live.length).toBe(project.ports().length);
    for (const binding of [...bound, ...live]) expect(binding.HostIp).toBe('127.0.0.1');
  });

  it('keeps the VNC password out of the image history and metadata', (context) => {
    if (!want.vnc) return context.skip();
    const password = project.vncPassword;
    expect(password).toMatch(/^[A-Za-z0-9]{8}$/);
    const history = sh('docker', ['history', '--no-trunc', `dockervm/${name}:latest`]).stdout;
    const image = sh('docker', ['image', 'inspect', `dockervm/${name}:latest`]).stdout;
    const container = sh('docker', ['container', 'inspect', project.container()]).stdout;
    expect(history).toContain('COPY rootfs/');
    expect(history).not.toContain(password);
    expect(image).not.toContain(password);
    expect(container).not.toContain(password);
    // …while the VM does get it, as a compose secret readable by its user only.
    expect(project.mustExec(want.user.name, 'cat /run/secrets/vnc_password').trim()).toBe(password);
  });

  it('VNC: RFB handshake on 127.0.0.1, the generated password logs in and a wrong one is refused', async (context) => {
    if (!want.vnc) return context.skip();
    const port = project.hostPort(5901);
    await waitForRfb(port);
    const good = await vncAuthenticate({ host: '127.0.0.1', port, password: project.vncPassword });
    expect(good.serverVersion).toMatch(/^RFB 003\.00[378]$/);
    expect(good.ok, good.reason).toBe(true);
    expect(good.width).toBeGreaterThan(0);
    const wrong = await vncAuthenticate({ host: '127.0.0.1', port, password: 'wrong-pw' });
    expect(wrong.ok).toBe(false);
    // A VNC-only desktop has no noVNC of its own: its picture for the docs is taken through one on the host.
    if (!want.novnc && picture(variant)) {
      const recorded = await recordVncDesktop(port, project.vncPassword, want.spec.windowManager);
      note(`${variant.name}: desktop picture ${relative(process.cwd(), recorded.path)} (${recorded.width}×${recorded.height}, ${recorded.bytes} bytes)`);
    }
  });

  it('noVNC: headless Chromium logs in and shows a desktop with the xterm window', async (context) => {
    if (!want.novnc) return context.skip();
    // The desktop's picture for the docs, named by its window manager (scripts/record-screenshots.ts).
    const shot = await browserDesktop(project, variant.name, picture(variant) ? { picture: want.spec.windowManager } : {});
    timings.push(`noVNC connected ${shot.timings.connectedMs} ms, first pixels ${shot.timings.firstPixelsMs} ms`);
    note(`${variant.name}: desktop screenshot ${relative(process.cwd(), shot.png)} (white ${(shot.white * 100).toFixed(1)} %, ${shot.colors} colours)`);
    // No xterm window on the desktop: what the VM's programs said is the only trace of why.
    if (shot.white <= 0.05) process.stdout.write(`e2e ${variant.name}: no xterm on the desktop; the VM's output:\n${tail(project.logs(), 6000)}\n`);
    expect(shot.colors).toBeGreaterThan(2);
    expect(shot.nonBackground).toBeGreaterThan(0.02);
    expect(shot.white, 'xterm (white window) on the black root window').toBeGreaterThan(0.05);
  });

  it('files through the page on the localhost default: signed in with the VNC password, a drop lands in ~/Downloads, the listing downloads (headless Chromium)', async (context) => {
    // One noVNC VM is enough for the checks of the page's files (the --bind-all VM has its own in desktop-remote).
    if (!want.novnc || variant.name !== 'default') return context.skip();
    const dropped = randomBytes(256 * 1024);
    project.mustExec(want.user.name, 'mkdir -p ~/Downloads && printf "made in the VM\\n" > ~/Downloads/from-vm.txt');
    const url = `http://127.0.0.1:${project.hostPort(6080)}/`;
    // Without the VNC password: neither the listing nor an upload.
    expect((await fetch(`${url}dockervm/files/`)).status).toBe(401);
    expect((await fetch(`${url}dockervm/upload/x.bin`, { method: 'POST', body: 'x', headers: { 'X-Dockervm-Upload': '1' } })).status).toBe(401);
    await withChromium(async ({ browser }) => {
      const page = await browser.newPage({ acceptDownloads: true });
      await openNoVnc(page, { url, password: project.vncPassword, timeoutMs: 60_000 });
      // The page signs in to files with the password typed into noVNC, then shows its panel.
      await page.waitForSelector('#dockervm-files', { state: 'visible', timeout: 30_000 });
      await page.evaluate(
        ({ base64 }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], 'dropped.bin'));
          document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        },
        { base64: dropped.toString('base64') },
      );
      await page.waitForFunction(() => /saved as|refused|failed/.test(document.querySelector('#dockervm-upload-status')?.textContent ?? ''), undefined, {
        timeout: 60_000,
      });
      expect(await page.textContent('#dockervm-upload-status')).toBe('dropped.bin: saved as ~/Downloads/dropped.bin');
      const inVm = project.mustExec(want.user.name, 'stat -c %U ~/Downloads/dropped.bin; sha256sum < ~/Downloads/dropped.bin').trim().split('\n');
      expect(inVm).toEqual([want.user.name, `${createHash('sha256').update(dropped).digest('hex')}  -`]);
      await page.goto(`${url}dockervm/files/`, { timeout: 30_000 });
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('a[href="from-vm.txt"]', { timeout: 10_000 })]);
      expect([download.suggestedFilename(), readFileSync((await download.path()) ?? '', 'utf8')]).toEqual(['from-vm.txt', 'made in the VM\n']);
    });
  });

  it("pekwm: a right-click on the desktop opens the VM's menu, and its Terminal opens a new xterm", async (context) => {
    if (!want.novnc || want.spec.windowManager !== 'pekwm') return context.skip();
    const xterms = () => Number(project.mustExec('root', 'pgrep -c -x xterm || true').trim());
    const before = xterms();
    let after = before;
    // Like browserDesktop: a second try in a fresh browser when noVNC does not connect (a loaded machine).
    const menuTerminal = (timeoutMs: number) =>
      withChromium(async ({ page }) => {
        await openNoVnc(page, { url: `http://127.0.0.1:${project.hostPort(6080)}/`, password: project.vncPassword, timeoutMs });
        const canvas = await page.locator(NOVNC_SELECTORS.canvas).boundingBox();
        if (!canvas) throw new Error('no noVNC canvas');
        // Bounded: a menu that opens late gets a second and a third right-click.
        for (let attempt = 0; attempt < 3 && after === before; attempt++) {
          // Right of the xterm that opens at start: the bare desktop.
          await page.mouse.click(canvas.x + canvas.width - 200, canvas.y + 200, { button: 'right' });
          await new Promise((resolve) => setTimeout(resolve, 500));
          // pekwm opens its menu with the first entry selected: Terminal.
          await page.keyboard.press('Enter');
          for (let polls = 0; polls < 50 && after === before; polls++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            after = xterms();
          }
        }
      });
    await menuTerminal(60_000).catch((error: Error) => {
      process.stdout.write(`e2e ${variant.name}: noVNC for the menu, attempt 1 failed, retrying once: ${error.message.slice(0, 500)}\n`);
      return menuTerminal(120_000);
    });
    expect(after, 'xterm processes after Terminal in the menu').toBeGreaterThan(before);
  });

  it("xterm: the VM's xterm window appears on the host's X server", async (context) => {
    if (!want.xterm || !xserver) return context.skip();
    // xterm starts titled with the project name; bash then sets it to user@hostname (= the name too).
    const windows = await waitForWindow(xserver.display, titled(name), { timeoutMs: 30_000 });
    expect(windows.some((window) => titled(name).test(window))).toBe(true);
  });

  it('sshd: key login on the published 127.0.0.1 port works; password login is refused', async (context) => {
    if (!want.sshd || !sshKey) return context.skip();
    const port = project.hostPort(22);
    const login = sshWithKey(port, want.user.name, sshKey.privateKey, 'id -un');
    expect(login.stdout.trim(), login.stderr).toBe(want.user.name);
    const password = sshWithPassword(port, want.user.name);
    expect(password.status).not.toBe(0);
    expect(password.stderr).toContain('Permission denied (publickey)');
    // Host keys are made at first start, never baked into the image.
    const baked = sh('docker', ['run', '--rm', '--entrypoint', 'sh', `dockervm/${name}:latest`, '-c', 'ls /etc/ssh/ssh_host_* 2>/dev/null | wc -l']);
    expect(baked.stdout.trim()).toBe('0');
  });

  it('host-like services run: syslog takes messages, cron runs as root', async (context) => {
    const services = want.spec.services.filter((service) => service !== 'sshd');
    if (services.length === 0) return context.skip();
    if (services.includes('cron')) expect(project.mustExec('root', 'stat -c %u /proc/"$(pgrep -x cron | head -n1)"').trim()).toBe('0');
    if (services.includes('syslog')) {
      project.mustExec(want.user.name, 'logger -t dvme2e "hello from the e2e suite"');
      let logged = false;
      for (let polls = 0; polls < 50 && !logged; polls++) {
        logged = project.exec('root', 'grep -q "dvme2e.*hello from the e2e suite" /var/log/messages').status === 0;
        if (!logged) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(logged, '/var/log/messages has the logger line').toBe(true);
    }
  });

  it('a killed program comes back within seconds', async (context) => {
    const target = restartTarget(want);
    if (!target) {
      note(`${variant.name}: nothing supervised to kill (${want.supervisor === 'none' ? 'tini idles' : want.supervisor}); restart policy only`);
      return context.skip();
    }
    const old = project.mustExec('root', `pgrep -x ${target.process} | head -n1`).trim();
    expect(old).toMatch(/^\d+$/);
    const restartsBefore = project.restartCount();
    if (want.supervisor === 'none') {
      // The container dies with its one program, and may take this exec with it (exit 137).
      const kill = project.exec('root', `kill -KILL ${old}`);
      expect([0, 137], kill.stderr).toContain(kill.status);
    } else {
      project.mustExec('root', `kill -KILL ${old}`);
    }
    if (want.supervisor === 'none') {
      // One program under tini: the container stops with it and compose's restart policy starts it again.
      const started = Date.now();
      for (let polls = 0; project.restartCount() === restartsBefore && Date.now() - started < 30_000 && polls < 300; polls++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(project.restartCount()).toBeGreaterThan(restartsBefore);
      if (xserver) await waitForWindow(xserver.display, titled(name), { timeoutMs: 30_000 });
      timings.push(`${target.process} back (restart policy) after ${seconds(Date.now() - started)}`);
      await project.waitHealthy(60_000);
      return;
    }
    const back = await waitForNewPid(project, target.process, old);
    timings.push(`${target.program} back after ${back} ms (${want.supervisor})`);
    expect(back).toBeLessThan(15_000);
    if (target.program === 'vnc-server') await waitForRfb(project.hostPort(5901));
    await project.waitHealthy(60_000);
  });

  it('apt inside the VM is consistent and installs new packages', (context) => {
    if (!want.apt) {
      note(`${variant.name}: no package manager in the VM (${want.spec.base.family}); apt checks do not apply`);
      return context.skip();
    }
    expectAptHealthy(project);
  });

  it('persistence: what survives docker compose down + up matches the mode', async () => {
    writeTraces(project, want);
    if (want.apt) expectAptHealthy(project);
    project.down();
    project.up();
    await project.waitHealthy();
    const traces = readTraces(project, want);
    note(
      `${variant.name}: ${want.persistence} persistence after down + up: /etc file ${traces.etc}, home file ${traces.home}, apt package ${traces.package ?? 'n/a'}`,
    );
    expect(traces).toEqual({
      etc: want.systemSurvives,
      home: want.homeSurvives,
      package: want.apt ? want.systemSurvives : undefined,
    });
  });

  it('after a change to the project and a rebuild, the VM warns exactly when its disk kept the old system', async () => {
    mkdirSync(join(project.dir, 'rootfs/etc'), { recursive: true });
    writeFileSync(join(project.dir, 'rootfs/etc/dvme2e-rebuilt.conf'), 'rebuilt\n');
    timings.push(`rebuild after a rootfs/ change + up ${seconds(await project.upBuild())}`);
    await project.waitHealthy();
    const logs = project.logs();
    const warned = logs.includes('seeded from an older image');
    const arrived = project.exec('root', 'test -f /etc/dvme2e-rebuilt.conf').status === 0;
    note(`${variant.name}: after rebuild: warning ${warned}, new /etc file in the VM ${arrived}`);
    expect(warned, logs.slice(0, 2000)).toBe(want.systemSurvives);
    expect(arrived).toBe(!want.systemSurvives);
  });
});
