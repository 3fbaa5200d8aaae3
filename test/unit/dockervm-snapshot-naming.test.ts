import { describe, expect, it } from 'vitest';
import { labelInstruction, quoteLabelValue, readSavedVolumes } from '../../src/cli/snapshot/labels.ts';
import { currentTag, idFromTag, isSnapshotId, resolveSnapshotArg, snapshotTag, timestampId, uniqueId, volumesTag } from '../../src/cli/snapshot/naming.ts';
import { indexSnapshots } from '../../src/cli/snapshot/store.ts';
import type { ImageSummary } from '../../src/docker/images.ts';

describe('snapshot names', () => {
  it('are the UTC time, sortable, with a counter for saves in the same second', () => {
    const date = new Date('2026-11-22T10:15:00.123Z');
    expect(timestampId(date)).toBe('20261122T101500Z');
    expect(uniqueId(date, new Set())).toBe('20261122T101500Z');
    expect(uniqueId(date, new Set(['20261122T101500Z']))).toBe('20261122T101500Z-2');
    expect(uniqueId(date, new Set(['20261122T101500Z', '20261122T101500Z-2']))).toBe('20261122T101500Z-3');
    expect(isSnapshotId('20261122T101500Z-3')).toBe(true);
    expect(isSnapshotId('current')).toBe(false);
  });

  it('map to tags in the project repository and back', () => {
    expect(snapshotTag('lab', '20261122T101500Z')).toBe('lab:snap-20261122T101500Z');
    expect(volumesTag('lab', '20261122T101500Z')).toBe('lab:snap-20261122T101500Z-volumes');
    expect(currentTag('lab')).toBe('lab:snap-current');
    expect(idFromTag('lab', 'lab:snap-20261122T101500Z')).toBe('20261122T101500Z');
    expect(idFromTag('lab', 'lab:snap-20261122T101500Z-volumes')).toBeUndefined();
    expect(idFromTag('lab', 'lab:snap-current')).toBeUndefined();
    expect(idFromTag('lab', 'other:snap-20261122T101500Z')).toBeUndefined();
    expect(idFromTag('lab', 'lab:latest')).toBeUndefined();
  });

  it('resolve what a user types', () => {
    const ids = ['20261122T101500Z', '20261122T113000Z', '20261123T090000Z'];
    for (const arg of ['snap-20261122T101500Z', '20261122T101500Z', 'dockervm/lab:snap-20261122T101500Z', '20261122T10']) {
      expect(resolveSnapshotArg(arg, 'dockervm/lab', ids, undefined)).toBe('20261122T101500Z');
    }
    expect(resolveSnapshotArg('current', 'lab', ids, '20261123T090000Z')).toBe('20261123T090000Z');
    expect(() => resolveSnapshotArg('current', 'lab', ids, undefined)).toThrow(/no current snapshot/);
    expect(() => resolveSnapshotArg('20261122T', 'lab', ids, undefined)).toThrow(/matches 2 snapshots/);
    expect(() => resolveSnapshotArg('nope', 'lab', ids, undefined)).toThrow(/no snapshot "nope" in lab/);
    expect(() => resolveSnapshotArg('2026', 'lab', ['20261122T101500Z'], undefined)).not.toThrow();
    expect(() => resolveSnapshotArg('202', 'lab', ['20261122T101500Z'], undefined)).toThrow(/no snapshot/);
  });
});

describe('snapshot labels', () => {
  it('quote values for a Dockerfile LABEL, where $ would expand and newlines end the instruction', () => {
    expect(quoteLabelValue('plain')).toBe('"plain"');
    expect(quoteLabelValue('say "hi" to $HOME\\x')).toBe('"say \\"hi\\" to \\$HOME\\\\x"');
    expect(quoteLabelValue('two\nlines')).toBe('"two lines"');
    expect(labelInstruction({ a: '1', 'dev.dockervm.x': '{"k":"v"}' })).toBe('LABEL a="1" dev.dockervm.x="{\\"k\\":\\"v\\"}"');
  });

  it('read the saved volume list defensively', () => {
    // Anything but the list dockervm writes is a damaged label (restore refuses it), not "no volumes".
    expect(readSavedVolumes(undefined)).toBeUndefined();
    expect(readSavedVolumes('not json')).toBeUndefined();
    expect(readSavedVolumes('[{"name":"v","driver":"local","labels":{},"options":{}},{"nope":1}]')).toBeUndefined();
    expect(readSavedVolumes('[]')).toEqual([]);
    expect(readSavedVolumes('[{"name":"v","driver":"local","labels":{},"options":{}}]')).toEqual([{ name: 'v', driver: 'local', labels: {}, options: {} }]);
  });
});

describe('indexSnapshots', () => {
  const snap = (id: string, extra: Partial<ImageSummary> & { labels?: Record<string, string> } = {}): ImageSummary => ({
    id: `sha256:${id}`,
    tags: [`dockervm/lab:snap-${id}`],
    created: 0,
    size: 1,
    ...extra,
    labels: {
      'dev.dockervm.project': 'lab',
      'dev.dockervm.role': 'snapshot',
      'dev.dockervm.snapshot': id,
      'dev.dockervm.snapshot.created': `2026-11-22T10:00:0${id.at(-1)}.000Z`,
      'dev.dockervm.snapshot.volumes': '[{"name":"lab_rootfs","driver":"local","labels":{},"options":{}}]',
      ...extra.labels,
    },
  });
  const data = (id: string, tags = [`dockervm/lab:snap-${id}-volumes`]): ImageSummary => ({
    id: `sha256:v${id}`,
    tags,
    created: 0,
    size: 1,
    labels: { 'dev.dockervm.project': 'lab', 'dev.dockervm.role': 'snapshot-volumes', 'dev.dockervm.snapshot': id },
  });

  // The project label and the tag repository differ, as they do in generated projects.
  const LAB = { name: 'lab', repository: 'dockervm/lab' };

  it('lists complete snapshots oldest first and finds current by its tag', () => {
    const index = indexSnapshots(LAB, [
      snap('20261122T100002Z', { tags: ['dockervm/lab:snap-20261122T100002Z', 'dockervm/lab:snap-current'] }),
      data('20261122T100002Z'),
      snap('20261122T100001Z'),
      data('20261122T100001Z'),
    ]);
    expect(index.snapshots.map((s) => [s.id, s.current, s.complete])).toEqual([
      ['20261122T100001Z', false, true],
      ['20261122T100002Z', true, true],
    ]);
    expect(index.current).toBe('20261122T100002Z');
    expect(index.orphanVolumeTags).toEqual([]);
  });

  it('marks a snapshot whose volume image is gone incomplete, and volume tags without a snapshot as orphans', () => {
    const index = indexSnapshots(LAB, [snap('20261122T100001Z'), data('20261122T100003Z')]);
    expect(index.snapshots[0]?.complete).toBe(false);
    expect(index.orphanVolumeTags).toEqual(['dockervm/lab:snap-20261122T100003Z-volumes']);
  });

  it("ignores a snapshot tag copied onto another snapshot's image, and other projects", () => {
    const copied = snap('20261122T100001Z', { tags: ['dockervm/lab:snap-20261122T100001Z', 'dockervm/lab:snap-20261122T100009Z'] });
    const other = snap('20261122T100005Z', { labels: { 'dev.dockervm.project': 'other' } });
    const index = indexSnapshots(LAB, [copied, data('20261122T100001Z'), other]);
    expect(index.snapshots.map((s) => s.id)).toEqual(['20261122T100001Z']);
  });
});
