// Comparing a fresh lesson transcript with the committed one (scripts/lessons/compare.ts): what
// changes from run to run is masked, what a reader would see differently is reported.
import { describe, expect, it } from 'vitest';
import type { RecordedStep, Transcript } from '../../examples/lessons/lessons.ts';
import { lessonSlugs, readTranscript } from '../../examples/lessons/lessons.ts';
import { comparableOutput, lineDiff, transcriptDiff } from '../../scripts/lessons/compare.ts';

const step = (output: string, extra: Partial<RecordedStep> = {}): RecordedStep => ({
  id: 'one',
  where: { host: true },
  command: 'docker run --rm debian:bookworm-slim true',
  output,
  exitCode: 0,
  durationMs: 10,
  ...extra,
});
const transcript = (...steps: RecordedStep[]): Transcript => ({
  lesson: '99-test',
  title: 'Test',
  engine: { server: '26.1.5', compose: '2.26.1' },
  recorded: '2026-12-01',
  steps,
});

describe('lesson transcripts compared', () => {
  it('agrees with itself for every committed lesson', () => {
    for (const slug of lessonSlugs()) expect(transcriptDiff(readTranscript(slug)!, readTranscript(slug)!), slug).toBe('');
  });

  it('masks ids, digests, times, ages, pids and table padding', () => {
    const a = step('CONTAINER ID   STATUS\n1779428cd8ea   Up 2 seconds\nsha256:' + 'a'.repeat(64) + '\n2026-11-23T08:13:54.838547902Z pid 12620');
    const b = step('CONTAINER ID   STATUS\n0b3c5e7f9a1d   Up Less than a second\nsha256:' + 'b'.repeat(64) + '\n2026-12-01T19:42:01.1Z pid 31128');
    expect(transcriptDiff(transcript(a), transcript(b))).toBe('');
  });

  it("reads a build as what it built, whatever the cache held and in BuildKit's order", () => {
    const fresh =
      '#4 [1/2] FROM docker.io/library/debian:bookworm-slim\n#4 DONE 0.0s\n\n#5 [2/2] RUN sh install.sh\n#5 3.263 installed 2 dependencies\n#5 DONE 3.3s\n\n#6 exporting to image\n#6 naming to docker.io/library/l04-app:1 done';
    const cached =
      '#5 [2/2] RUN sh install.sh\n#5 CACHED\n\n#4 [1/2] FROM docker.io/library/debian:bookworm-slim\n#4 DONE 0.0s\n\n#6 exporting to image\n#6 naming to docker.io/library/l04-app:1 done';
    expect(comparableOutput(step(fresh))).toEqual(comparableOutput(step(cached)));
    // A step of a concurrent build that BuildKit reports in ours, under that build's numbering.
    const shared = `#1 [stage-0 1/8] FROM docker.io/library/debian:bookworm-slim@sha256:${'c'.repeat(64)}\n#1 CACHED\n#9 [stage-0 2/8] RUN sh install.sh\n#9 CACHED\n${cached}`;
    expect(comparableOutput(step(shared))).toEqual(comparableOutput(step(cached)));
    expect(comparableOutput(step(fresh))).toContain('build RUN sh install.sh: done');
    const failed = cached.replace('#5 CACHED', '#5 ERROR: process "/bin/sh -c sh install.sh" did not complete successfully');
    expect(transcriptDiff(transcript(step(fresh)), transcript(step(failed)))).toContain('+ build RUN sh install.sh: ERROR');
  });

  it('reports a changed word, a changed exit status and a changed command', () => {
    const before = transcript(step('hello from a container'));
    expect(transcriptDiff(before, transcript(step('hello from a VM')))).toBe(
      '  ## one (host) exit 0\n  $ docker run --rm debian:bookworm-slim true\n- hello from a container\n+ hello from a VM',
    );
    expect(transcriptDiff(before, transcript(step('hello from a container', { exitCode: 1 })))).toContain('+ ## one (host) exit 1');
    expect(transcriptDiff(before, transcript(step('hello from a container', { command: 'docker run --rm busybox true' })))).toContain(
      '+ $ docker run --rm busybox true',
    );
  });

  it('takes the same lines in another order as the same output, and ignores what a hidden step printed', () => {
    const mounts = step('/dev/vda /etc ext4 rw 0 0\n/dev/vda /usr ext4 rw 0 0');
    const reordered = step('/dev/vda /usr ext4 rw 0 0\n/dev/vda /etc ext4 rw 0 0');
    expect(transcriptDiff(transcript(mounts), transcript(reordered))).toBe('');
    expect(transcriptDiff(transcript(step('up', { hidden: true })), transcript(step('still starting', { hidden: true })))).toBe('');
  });

  it('diffs lines with context', () => {
    expect(lineDiff(['a', 'b', 'c', 'd', 'e', 'f'], ['a', 'b', 'c', 'X', 'e', 'f'], 1)).toBe('  …\n  c\n- d\n+ X\n  e\n  …');
  });
});
