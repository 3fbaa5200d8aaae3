import { describe, expect, it } from 'vitest';
import type { HealthSchedule } from '../../src/docker/containers.ts';
import { changedSince } from '../../src/docker/volume-changes.ts';
import { afterFailedSync, planSync, type Manifest } from '../../src/docker/volume-plan.ts';
import { nextProbeAt } from '../../src/cli/snapshot/window.ts';

const schedule = (over: Partial<HealthSchedule>): HealthSchedule => ({
  intervalMs: 10_000,
  startIntervalMs: 1_000,
  startPeriodMs: 30_000,
  timeoutMs: 5_000,
  startedAt: 0,
  status: 'healthy',
  lastProbeEnd: undefined,
  ...over,
});

describe('nextProbeAt: when the engine probes next', () => {
  it.each([
    ['healthy: one interval after the last probe', schedule({ lastProbeEnd: 60_000 }), 61_000, 70_000],
    ['starting in the start period: one start interval after', schedule({ status: 'starting', lastProbeEnd: 5_000 }), 5_500, 6_000],
    ['starting past the start period: the normal interval', schedule({ status: 'starting', lastProbeEnd: 40_000 }), 40_500, 50_000],
    ['healthy inside the start period: the normal interval', schedule({ lastProbeEnd: 5_000 }), 5_500, 15_000],
    ['no probe yet: counted from the start', schedule({ status: 'starting' }), 100, 1_000],
    ['overdue: a probe is running now (not before now - timeout)', schedule({ lastProbeEnd: 0 }), 100_000, 95_000],
  ])('%s', (_, s, now, expected) => {
    expect(nextProbeAt(s, now)).toBe(expected);
  });
});

/** A manifest from [path, type, line] rows (type as the raw mode's hex, as stat prints it). */
function manifest(rows: [string, 'dir' | 'file', string][]): Manifest {
  return new Map(
    rows.map(([path, kind, line]) => [
      path,
      { path, line: `${kind === 'dir' ? '41ed' : '81a4'} ${line}`, type: kind === 'dir' ? 0o040000 : 0o100000, size: 1 },
    ]),
  );
}

describe('afterFailedSync: a copy that stopped part-way is redone by the next plan', () => {
  const before = manifest([
    ['.', 'dir', 'r1'],
    ['./keep', 'file', 'k1'],
    ['./gone', 'dir', 'g1'],
    ['./gone/child', 'file', 'c1'],
    ['./edit', 'file', 'e1'],
  ]);
  const desired = manifest([
    ['.', 'dir', 'r2'],
    ['./keep', 'file', 'k1'],
    ['./edit', 'file', 'e2'],
    ['./new', 'file', 'n1'],
  ]);
  const failed = planSync(desired, before);

  it('every path the failed plan touched is copied again, or removed again', () => {
    const held = afterFailedSync(before, desired, failed);
    expect(held).toBeDefined();
    // The live volume moved on meanwhile: the new file is gone again, and ./gone came back.
    const later = manifest([
      ['.', 'dir', 'r3'],
      ['./keep', 'file', 'k1'],
      ['./edit', 'file', 'e2'],
      ['./gone', 'dir', 'g1'],
      ['./gone/child', 'file', 'c1'],
    ]);
    const next = planSync(later, held);
    expect(next.full).toBe(false);
    // ./new may have been copied before the failure: it must be removed.
    expect(next.remove).toContain('./new');
    // ./gone (and its child) may have been removed: copied back, though their lines did not change.
    expect(next.copy).toEqual(expect.arrayContaining(['.', './edit', './gone', './gone/child']));
    // Untouched by the failed plan, unchanged since: left alone.
    expect(next.copy).not.toContain('./keep');
  });

  it('a failed full copy, or an unknown start, leaves nothing known', () => {
    expect(afterFailedSync(undefined, desired, planSync(desired, undefined))).toBeUndefined();
    expect(afterFailedSync(before, desired, { ...failed, full: true })).toBeUndefined();
  });
});

describe('changedSince: how much of a volume is younger than a moment, by ctime', () => {
  const line = (ctime: string) => `81a4 1 2 0 0 1 2020-01-01 00:00:00.000000000 +0000 ${ctime} +0000`;
  const m: Manifest = new Map([
    ['./old', { path: './old', line: line('2026-12-01 10:00:00.000000000'), type: 0o100000, size: 1 }],
    ['./new', { path: './new', line: line('2026-12-01 12:00:00.500000000'), type: 0o100000, size: 1 }],
  ]);
  it('counts the paths changed at or after the moment', () => {
    expect(changedSince(m, Date.parse('2026-12-01T11:00:00Z') / 1000)).toBe(1);
    expect(changedSince(m, Date.parse('2026-12-01T09:00:00Z') / 1000)).toBe(2);
    expect(changedSince(m, Date.parse('2026-12-01T13:00:00Z') / 1000)).toBe(0);
  });
});
