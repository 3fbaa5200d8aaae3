import { describe, expect, it } from 'vitest';
import { atLeast, composeCheck, diskCheck, engineCheck, GB, networkCheck, portCheck, xChecks, xSocket } from '../../src/cli/doctor/checks.ts';

describe('doctor checks', () => {
  it('compare versions the way distributions write them', () => {
    expect(atLeast('26.1.5+dfsg1', '26')).toBe(true);
    expect(atLeast('25.0.3', '26')).toBe(false);
    expect(atLeast('2.26.1-4', '2.23')).toBe(true);
    expect(atLeast('v2.20.0', '2.23')).toBe(false);
    expect(atLeast('2.23', '2.23.0')).toBe(true);
  });

  it('tell when the engine cannot create another network, and what to remove', () => {
    const exhausted = 'cannot create a network: could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network';
    expect(networkCheck({ ok: true, unused: 2, bridges: 5 }).status).toBe('ok');
    expect(networkCheck({ ok: false, error: exhausted, unused: 30, bridges: 31 })).toMatchObject({
      status: 'problem',
      fix: expect.stringMatching(/^30 of them .*docker network prune/),
    });
    expect(networkCheck({ ok: false, error: exhausted, unused: 0, bridges: 31 })).toMatchObject({
      status: 'problem',
      fix: expect.stringMatching(/default-address-pools/),
    });
    expect(networkCheck({ ok: false, error: 'permission denied', unused: 0, bridges: 1 }).status).toBe('warn');
  });

  it('say what to do about an old or missing engine and compose', () => {
    expect(engineCheck(undefined, 'unix:///x.sock', undefined).status).toBe('problem');
    expect(engineCheck('25.0.0', 'unix:///x', 'rootfs')).toMatchObject({ status: 'problem', fix: expect.stringMatching(/--persistence volumes/) });
    expect(engineCheck('25.0.0', 'unix:///x', 'volumes').status).toBe('warn');
    expect(engineCheck('26.1.5', 'unix:///x', 'rootfs').status).toBe('ok');
    expect(composeCheck(undefined, undefined).status).toBe('problem');
    expect(composeCheck('2.20.2', 'rootfs').status).toBe('problem');
    expect(composeCheck('2.20.2', 'none').status).toBe('warn');
    expect(diskCheck('/var/lib/docker', 1 * GB).status).toBe('problem');
    expect(diskCheck('/var/lib/docker', 50 * GB).status).toBe('ok');
    expect(portCheck('127.0.0.1', 6080, 6080, { state: 'taken', by: 'container web' })).toMatchObject({
      status: 'problem',
      detail: expect.stringMatching(/container web/),
    });
    expect(portCheck('127.0.0.1', 6080, 6080, { state: 'ours' }).status).toBe('ok');
    expect(portCheck('127.0.0.1', 6080, 6080, { state: 'taken' }, 'DOCKERVM_NOVNC_PORT').fix).toBe(
      'stop it, or set another port in .env (e.g. DOCKERVM_NOVNC_PORT=6081)',
    );
  });

  it('check the X display for xterm desktops', () => {
    expect(xSocket(':0')).toBe('/tmp/.X11-unix/X0');
    expect(xSocket(':1.0')).toBe('/tmp/.X11-unix/X1');
    expect(xSocket('host:0')).toBeUndefined();
    expect(xChecks({ display: undefined, socket: undefined, socketExists: false, xhost: undefined, user: 'me' })[0]?.status).toBe('problem');
    const allowed = xChecks({
      display: ':0',
      socket: '/tmp/.X11-unix/X0',
      socketExists: true,
      xhost: 'access control enabled, only authorized clients can connect\nSI:localuser:me\n',
      user: 'me',
    });
    expect(allowed.map((l) => l.status)).toEqual(['ok', 'ok', 'ok']);
    const refused = xChecks({
      display: ':0',
      socket: '/tmp/.X11-unix/X0',
      socketExists: true,
      xhost: 'access control enabled, only authorized clients can connect\n',
      user: 'me',
    });
    expect(refused.at(-1)).toMatchObject({ status: 'problem', fix: 'xhost +SI:localuser:me' });
  });
});
