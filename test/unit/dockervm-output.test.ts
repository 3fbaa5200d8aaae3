import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, table } from '../../src/cli/messages.ts';
import { addresses, meaningfulChanges } from '../../src/cli/vm.ts';

describe('output helpers', () => {
  it('format sizes, ages and tables', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 kB');
    // Decimal, as docker prints sizes: its "116MB" image is 116 MB here too, not 111.
    expect(formatBytes(116_000_000)).toBe('116 MB');
    expect(formatBytes(999_700)).toBe('1.0 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.5 GB');
    const now = new Date('2026-11-22T12:00:00Z');
    expect(formatAge(new Date('2026-11-22T11:59:30Z'), now)).toBe('30 s ago');
    expect(formatAge(new Date('2026-11-22T11:00:00Z'), now)).toBe('1 h ago');
    expect(formatAge(new Date('2026-11-19T12:00:00Z'), now)).toBe('3 days ago');
    expect(
      table([
        ['A', 'BB'],
        ['CCC', 'D'],
      ]),
    ).toEqual(['A    BB', 'CCC  D']);
  });
});

describe('meaningfulChanges', () => {
  it('drops runtime noise and directories listed only because something below changed', () => {
    const changes = [
      { path: '/opt', kind: 'changed' },
      { path: '/opt/app', kind: 'added' },
      { path: '/run', kind: 'changed' },
      { path: '/run/sshd.pid', kind: 'added' },
      { path: '/tmp', kind: 'changed' },
      { path: '/tmp/.X11-unix', kind: 'added' },
      { path: '/tmp/.X1-lock', kind: 'added' },
      { path: '/etc/motd', kind: 'deleted' },
      { path: '/root/.bash_history', kind: 'changed' },
    ];
    expect(meaningfulChanges(changes)).toEqual(['/etc/motd', '/opt/app', '/root/.bash_history']);
  });

  it('a VM just booted has no unsaved changes: what its runtime makes at every start is left out', () => {
    // `docker diff` of a default VM (noVNC, supervisord) right after `up`, and what runit and the VNC
    // server of other variants add.
    const boot = [
      'C /tmp',
      'A /tmp/.X1-lock',
      'C /tmp/.X11-unix',
      'A /tmp/.X11-unix/X1',
      'A /tmp/dockervm-vnc-1000',
      'A /tmp/dockervm-vnc-1000/passwd',
      'A /tmp/dockervm-web-1000',
      'A /tmp/dockervm-web-1000/failed-logins',
      'A /tmp/dockervm-runtime-1000',
      'A /tmp/supervisor.sock',
      'A /tmp/supervisord.pid',
      'C /run',
      'A /run/secrets',
      'A /run/secrets/vnc_password',
      'C /.dockervm',
      'C /.dockervm/service',
      'C /.dockervm/service/vnc',
      'A /.dockervm/service/vnc/supervise',
      'A /.dockervm/service/vnc/supervise/pid',
    ].map((line) => ({ kind: line[0] === 'A' ? 'added' : 'changed', path: line.slice(2) }));
    expect(meaningfulChanges(boot)).toEqual([]);
    expect(meaningfulChanges([...boot, { kind: 'added', path: '/tmp/notes.txt' }])).toEqual(['/tmp/notes.txt']);
  });
});

describe('addresses', () => {
  it('name published ports by what they serve, reachable from this machine', () => {
    expect(
      addresses([
        { container: 6080, hostIp: '127.0.0.1', hostPort: 16080 },
        { container: 6080, hostIp: '::1', hostPort: 16080 },
        { container: 5901, hostIp: '0.0.0.0', hostPort: 5901 },
        { container: 22, hostIp: '::', hostPort: 2222 },
      ]),
    ).toEqual([
      { kind: 'novnc', container: 6080, url: 'http://127.0.0.1:16080/' },
      { kind: 'vnc', container: 5901, url: 'vnc://127.0.0.1:5901' },
      { kind: 'ssh', container: 22, url: 'ssh://[::1]:2222' },
    ]);
  });
});
