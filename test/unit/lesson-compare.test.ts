// The transcript comparison tells a changed lesson from a machine with another history: a build the
// engine had cached against one it ran afresh (a log so long its middle is cut), a push to a registry
// that held the layers already against one that did not. Cases built from the committed transcripts.
import { describe, expect, it } from 'vitest';
import { readTranscript, type RecordedStep, type Transcript } from '../../examples/lessons/lessons.ts';
import { keepEnds, TRUNCATED, transcriptDiff } from '../../scripts/lessons/compare.ts';

const withStep = (transcript: Transcript, id: string, change: (step: RecordedStep) => RecordedStep): Transcript => ({
  ...transcript,
  steps: transcript.steps.map((step) => (step.id === id ? change(step) : step)),
});

describe('a build log', () => {
  const committed = readTranscript('11-desktop')!;
  const cachedLog = committed.steps.find((step) => step.id === 'build')!.output;

  // The same build run afresh: the apt step prints thousands of lines under its vertex number.
  const aptStep = /^#(\d+) \[\d+\/\d+\] RUN apt-get/m.exec(cachedLog)![1];
  const freshLog = cachedLog.replace(
    new RegExp(`^#${aptStep} CACHED$`, 'm'),
    [...Array.from({ length: 3000 }, (_, i) => `#${aptStep} ${(i * 0.01).toFixed(2)} Unpacking package-${i} (1.${i}-1) ...`), `#${aptStep} DONE 41.2s`].join(
      '\n',
    ),
  );

  it('cut to its ends at line boundaries keeps every step header', () => {
    const kept = keepEnds(freshLog, 40_000);
    expect(kept.length).toBeLessThan(freshLog.length);
    const lines = kept.split('\n');
    expect(lines).toContain(TRUNCATED);
    expect(lines.every((line) => line === TRUNCATED || line === '' || freshLog.split('\n').includes(line))).toBe(true);
    const headers = (log: string) => log.split('\n').filter((line) => /^#\d+ \[/.test(line));
    expect(headers(kept)).toEqual(headers(freshLog));
  });

  it('reads the same cached or run afresh and cut', () => {
    const fresh = withStep(committed, 'build', (step) => ({ ...step, output: keepEnds(freshLog, 40_000) }));
    expect(transcriptDiff(committed, fresh)).toBe('');
  });

  it('still differs when a step of the Dockerfile changed', () => {
    const changed = withStep(committed, 'build', (step) => ({ ...step, output: step.output.replace('COPY start-desktop.sh', 'COPY start.sh') }));
    expect(transcriptDiff(committed, changed)).toMatch(/^\s*\+ build COPY start\.sh/m);
  });
});

describe('a push', () => {
  const committed = readTranscript('15-tags-registries-digests')!;
  const pushed = (status: string) =>
    withStep(committed, 'push-1', (step) => ({ ...step, output: step.output.replace(/: Layer already exists$/gm, `: ${status}`) }));

  it('reads the same whether the registry had the layers or not', () => {
    expect(committed.steps.find((step) => step.id === 'push-1')!.output).toMatch(/: Layer already exists$/m);
    expect(transcriptDiff(committed, pushed('Pushed'))).toBe('');
    expect(transcriptDiff(committed, pushed('Mounted from lessons/other'))).toBe('');
  });

  it('still differs when a layer failed', () => {
    expect(transcriptDiff(committed, pushed('Retrying in 5 seconds'))).not.toBe('');
  });
});

describe('a size', () => {
  const committed = readTranscript('16-win-at-2048')!;
  const step = committed.steps.find((s) => /: changes: \d+ paths, [\d.]+ MB/.test(s.output))!;
  const withSize = (size: string) =>
    withStep(committed, step.id, (s) => ({ ...s, output: s.output.replace(/(: changes: \d+ paths, )[\d.]+ MB/, `$1${size} MB`) }));

  it('reads the same with or without a decimal point (3 MB, 2.5 MB)', () => {
    expect(transcriptDiff(withSize('3'), withSize('2.5'))).toBe('');
  });

  it('still differs in its unit', () => {
    expect(
      transcriptDiff(
        committed,
        withStep(committed, step.id, (s) => ({ ...s, output: s.output.replace(/( [\d.]+) MB/, '$1 GB') })),
      ),
    ).not.toBe('');
  });
});
