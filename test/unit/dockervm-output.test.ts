import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, table } from '../../src/cli/messages.ts';
import { addresses, meaningfulChanges } from '../../src/cli/vm.ts';

describe('output helpers', () => {
  it('format sizes, ages and tables', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MB');
    expect(formatBytes(1536)).toBe('1.5 kB');
    const now = new Date('2026-11-22T12:00:00Z');
    expect(formatAge(new Date('2026-11-22T11:59:30Z'), now)).toBe('30 s ago');
    expect(formatAge(new Date('2026-11-22T11:00:00Z'), now)).toBe('1 h ago');
    expect(formatAge(new Date('2026-11-19T12:00:00Z'), now)).toBe('3 days ago');
    expect(table([['A', 'BB'], ['CCC', 'D']])).toEqual(['A    BB', 'CCC  D']);
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
    expect(meaningfulChanges(changes)).toEqual(['/etc/motd', '/opt/app', '/root/.bash_history', '/tmp']);
  });
});

describe('addresses', () => {
  it('name published ports by what they serve, reachable from this machine', () => {
    expect(addresses([
      { container: 6080, hostIp: '127.0.0.1', hostPort: 16080 },
      { container: 6080, hostIp: '::1', hostPort: 16080 },
      { container: 5901, hostIp: '0.0.0.0', hostPort: 5901 },
      { container: 22, hostIp: '::', hostPort: 2222 },
    ])).toEqual([
      { kind: 'novnc', container: 6080, url: 'http://127.0.0.1:16080/' },
      { kind: 'vnc', container: 5901, url: 'vnc://127.0.0.1:5901' },
      { kind: 'ssh', container: 22, url: 'ssh://[::1]:2222' },
    ]);
  });
});
