// What becomes of a lesson's fresh transcript once it passed (scripts/run-examples.ts): compared with
// the committed one, or recorded in its place on purpose.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscript, transcriptPath, type Transcript } from '../../examples/lessons/lessons.ts';
import { transcriptDiff } from './compare.ts';

const json = (transcript: Transcript) => `${JSON.stringify(transcript, null, 2)}\n`;

/**
 * What becomes of a passing lesson's fresh transcript: written to the committed place only when
 * recording and it really changed; otherwise to `out`, and a difference is reported as a failure.
 */
export function settle(fresh: Transcript, options: { record: boolean; out: string }): { ok: boolean; report: string[] } {
  const committed = readTranscript(fresh.lesson);
  const diff = committed ? transcriptDiff(committed, fresh) : 'no committed transcript';
  if (options.record) {
    if (diff) writeFileSync(transcriptPath(fresh.lesson), json(fresh));
    return { ok: true, report: [diff ? 'recorded: the transcript changed' : 'unchanged (ids and times aside): the committed transcript stays'] };
  }
  mkdirSync(join(options.out, fresh.lesson), { recursive: true });
  writeFileSync(join(options.out, fresh.lesson, 'transcript.json'), json(fresh));
  if (!diff) return { ok: true, report: [] };
  return {
    ok: false,
    report: [
      `the output differs from examples/lessons/${fresh.lesson}/transcript.json (- committed, + this run; ids and times masked):`,
      ...diff
        .split('\n')
        .slice(0, 80)
        .map((line) => `  ${line}`),
      `if the change is intended, re-record it: npm run examples -- --record ${fresh.lesson.slice(0, 2)} (fresh transcript: ${join(options.out, fresh.lesson, 'transcript.json')})`,
    ],
  };
}
