// Seat snapshots from the manager's images (pure): which images count, in what order, and what
// `fleet restore SEAT [SNAPSHOT]` resolves its argument to.
import { describe, expect, it } from 'vitest';
import { diskLabel, indexSeatSnapshots, resolveSeatSnapshot, seatSnapshotTag } from '../../src/cli/fleet/seat-snapshots.ts';
import type { ImageSummary } from '../../src/docker/images.ts';

const owner = { name: 'class-vm', repository: 'dockervm/class-vm' };
const disk = diskLabel({ dirs: ['etc', 'home'], bytes: 1234, sha256: 'a'.repeat(64) });

function image(seat: string, id: string, extra: Partial<ImageSummary> & { labels?: Record<string, string> } = {}): ImageSummary {
  return {
    id: `sha256:${seat}${id}`,
    tags: [seatSnapshotTag(owner.repository, seat, id)],
    created: 0,
    size: 0,
    ...extra,
    labels: {
      'dev.dockervm.project': 'class-vm',
      'dev.dockervm.role': 'fleet-snapshot',
      'dev.dockervm.fleet.seat': seat,
      'dev.dockervm.snapshot': id,
      'dev.dockervm.snapshot.message': `${seat} at ${id}`,
      'dev.dockervm.fleet.disk': disk,
      ...extra.labels,
    },
  };
}

const A = '20261202T100000Z';
const B = '20261202T110000Z';
const C = '20261203T090000Z';

describe('indexSeatSnapshots', () => {
  it('lists the seat snapshots oldest first, with their disk', () => {
    const list = indexSeatSnapshots(owner, [image('seat-02', B), image('seat-01', B), image('seat-01', A)]);
    expect(list.map((s) => `${s.seat} ${s.id}`)).toEqual([`seat-01 ${A}`, `seat-01 ${B}`, `seat-02 ${B}`]);
    expect(list[0]).toMatchObject({ tag: `dockervm/class-vm:fleet-seat-01-${A}`, dirs: ['etc', 'home'], bytes: 1234, message: `seat-01 at ${A}` });
  });

  it('skips VM snapshots, other projects, a tag that does not match the labels, and a damaged disk label', () => {
    const list = indexSeatSnapshots(owner, [
      image('seat-01', A, { labels: { 'dev.dockervm.role': 'snapshot' } }),
      image('seat-01', A, { labels: { 'dev.dockervm.project': 'other' } }),
      image('seat-01', A, { tags: [seatSnapshotTag(owner.repository, 'seat-02', A)] }),
      image('seat-01', A, { labels: { 'dev.dockervm.fleet.disk': '{"dirs":"etc"}' } }),
      image('seat-01', 'not-an-id'),
    ]);
    expect(list).toEqual([]);
  });
});

describe('resolveSeatSnapshot', () => {
  const list = indexSeatSnapshots(owner, [image('seat-01', A), image('seat-01', B), image('seat-02', C)]);
  const pick = (seat: string, arg: string | undefined) => resolveSeatSnapshot(list, owner.repository, seat, arg).tag;

  it("takes the seat's newest when none is named", () => {
    expect(pick('seat-01', undefined)).toBe(`dockervm/class-vm:fleet-seat-01-${B}`);
  });

  it('takes an id, a unique prefix of one, the tag, or another seat’s tag', () => {
    expect(pick('seat-01', A)).toBe(`dockervm/class-vm:fleet-seat-01-${A}`);
    expect(pick('seat-01', '20261202T10')).toBe(`dockervm/class-vm:fleet-seat-01-${A}`);
    expect(pick('seat-01', `fleet-seat-01-${B}`)).toBe(`dockervm/class-vm:fleet-seat-01-${B}`);
    expect(pick('seat-01', `dockervm/class-vm:fleet-seat-02-${C}`)).toBe(`dockervm/class-vm:fleet-seat-02-${C}`);
  });

  it('refuses an ambiguous prefix, an unknown name, and a seat with no snapshot, in one line', () => {
    expect(() => pick('seat-01', '2026120')).toThrow(/matches 2 snapshots of seat-01/);
    expect(() => pick('seat-01', C)).toThrow(/no snapshot "20261203T090000Z" of seat-01: see `npx dockervm fleet snapshots`/);
    expect(() => pick('seat-03', undefined)).toThrow(/seat-03 has no snapshot: save one with `npx dockervm fleet save seat-03`/);
  });
});
