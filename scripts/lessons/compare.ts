// Compares a fresh lesson transcript with the committed one, as a reader of the page would: the same
// steps, commands and exit codes, and the same output once what differs from run to run is masked
// (ids, digests, times, addresses, table padding, the build cache's state). What is left differing
// means the lesson's page no longer tells the truth: re-record it on purpose.
import type { RecordedStep, Transcript } from '../../examples/lessons/lessons.ts';

/**
 * Output masks, applied in order; each names what it hides so a diff stays readable. Numbers go last
 * and all of them: pids, sizes, CPU columns, counters and kernel builds are the machine's, not the
 * lesson's (the steps' own expectations check the numbers that matter, such as exit codes).
 */
const MASKS: [RegExp, string][] = [
  // A layer the registry holds already (from an earlier run's push) is not sent again: the push's
  // words depend on the registry's history, the digest it reports does not.
  [/^(\S+): (?:Pushed|Layer already exists|Mounted from \S+)$/g, '$1: <pushed or already there>'],
  [/\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z| ?[+-]\d\d:?\d\d)?)?(?: UTC)?/g, '<date>'],
  [/\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d+ +(?:\d+:\d\d|\d{4})\b/g, '<date>'], // ls -l
  [/\b\d+:\d\d(?::\d\d(?:\.\d+)?)?\b/g, '<time>'],
  [/\b[0-9a-f]{64}\b/g, '<hash>'],
  [/\b[0-9a-f]{12}\b/g, '<id>'],
  // Container addresses come from the engine's pool; loopback ones are the lesson's own choice.
  [/\b(?!127\.)(?:\d{1,3}\.){3}\d{1,3}(?:\/\d+)?\b/g, '<ip>'],
  [/\b(?:About an? \w+|Less than a second|\d+ (?:second|minute|hour|day|week|month|year)s?)(?: ago)?/g, '<age>'],
  [/\b\d+m\d+\.\d+s\b/g, '<duration>'],
  [/\b\d+(?:\.\d+)?(?:ms|s)\b/g, '<duration>'],
  // The kernel release in `uname -a` ("6.1.0-13-amd64 #1 SMP …"): the host's.
  [/\b\d+\.\d+\.\d+[\w.+-]*(?= #\d)/g, '<kernel>'],
  // A size printed as "3 MB" one run and "2.5 MB" the next is the same kind of figure.
  [/\d+(?:\.\d+)?/g, 'N'],
];

/** BuildKit's plain progress: vertex lines "#<n> …", in an order that depends on timing. */
const VERTEX = /^#(\d+) (.*)$/s; // apt's progress leaves carriage returns inside a line
/** The line that stands for the middle of an output too long to keep (written by the runner). */
export const TRUNCATED = '[…]';
const STATUS = /^(?:DONE [\d.]+s|CACHED|ERROR\b.*)$/;

/**
 * The head and tail of an output too long to keep, cut at line ends: a half line left by the cut
 * ("3 Unpacking …" of "#13 Unpacking …") would read as output of its own. The middle's BuildKit step
 * headers ("#14 [6/7] COPY …") stay, so a build log still names every step it ran.
 */
export function keepEnds(output: string, max: number): string {
  const headEnd = output.lastIndexOf('\n', max / 2) + 1 || max / 2;
  const tailStart = output.indexOf('\n', output.length - max / 2) + 1 || output.length - max / 2;
  const steps = output
    .slice(headEnd, tailStart)
    .split('\n')
    .filter((line) => /^#\d+ \[/.test(line));
  return [output.slice(0, headEnd) + TRUNCATED, ...steps, output.slice(tailStart)].join('\n');
}

/**
 * A build log as what it built: each instruction once, sorted (BuildKit interleaves vertices as they
 * finish), with a cached and a fresh step alike ("done": whether the engine built it before is the
 * machine's history, not the lesson's), plus the image names it wrote. Lines of other commands stay.
 * A step is keyed by its instruction alone, FROM steps left out: BuildKit also reports a step that a
 * concurrent build on the engine shares ("[stage-0 1/8] FROM debian@sha256:…" of someone else's
 * Dockerfile), under that build's numbering.
 */
function buildSummary(lines: string[]): string[] {
  const others: string[] = [];
  const steps = new Map<string, string>();
  const names: string[] = [];
  const headers = new Map<string, string>();
  for (const line of lines) {
    const vertex = VERTEX.exec(line);
    if (!vertex) {
      // A log too long to keep whole lost its middle (keepEnds): which lines went is chance.
      if (line.trim() && line !== TRUNCATED) others.push(line);
      continue;
    }
    const [, id, text] = vertex as unknown as [string, string, string];
    if (!headers.has(id)) {
      headers.set(id, text);
      const instruction = /^\[(?![^\]]*internal\])[^\]]*\] (.*)$/s.exec(text)?.[1];
      if (instruction && !instruction.startsWith('FROM ')) {
        steps.set(instruction, steps.get(instruction) ?? 'done');
        headers.set(id, instruction);
      }
      continue;
    }
    const header = headers.get(id)!;
    if (STATUS.test(text) && steps.has(header)) steps.set(header, text.startsWith('ERROR') ? 'ERROR' : 'done');
    const naming = /^naming to (\S+)/.exec(text);
    if (naming) names.push(`naming to ${naming[1]}`);
  }
  return [...others, ...[...steps].map(([step, status]) => `build ${step}: ${status}`).sort(), ...new Set(names)];
}

function mask(text: string): string {
  return MASKS.reduce((out, [pattern, name]) => out.replace(pattern, name), text);
}

/**
 * The output a page shows for a step (its `from` and `tail`), as comparable lines. A build log is
 * read whole: where `from` cuts it depends on the order BuildKit happened to print its steps in.
 */
export function comparableOutput(step: RecordedStep): string[] {
  let lines = step.output ? step.output.split('\n') : [];
  if (lines.some((line) => VERTEX.test(line))) return buildSummary(lines).map(comparableLine);
  if (step.from) {
    const start = lines.findIndex((line) => new RegExp(step.from!).test(line));
    if (start > 0) lines = lines.slice(start);
  }
  if (step.tail && lines.length > step.tail) lines = lines.slice(-step.tail);
  return lines.map(comparableLine);
}

// Column padding follows the widest cell (right-aligned numbers too), and masked cells had other widths.
const comparableLine = (line: string) =>
  mask(line)
    .replace(/[ \t]{2,}/g, '  ')
    .trim();

/** A transcript as blocks of lines to diff, one per step: its place, command, exit status, and output. */
export function comparable(transcript: Transcript): { id: string; head: string[]; output: string[] }[] {
  return transcript.steps.map((step) => {
    const where =
      'container' in step.where
        ? `in ${step.where.container}${step.where.user ? ` as ${step.where.user}` : ''}`
        : `host${step.where.dir ? ` ${step.where.dir}/` : ''}`;
    // Commands carry values saved from earlier output (a pid, a digest): masked the same way.
    const head = [`## ${step.id} (${where}) exit ${step.exitCode}`, ...step.command.split('\n').map((l) => `$ ${mask(l)}`)];
    // A hidden step only waits or checks: its output is on no page.
    return { id: step.id, head, output: step.hidden ? [] : comparableOutput(step) };
  });
}

const sameLines = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((line, i) => line === [...b].sort()[i]);

/** A line diff of two transcripts after masking ("" when they agree): - committed, + fresh. */
export function transcriptDiff(committed: Transcript, fresh: Transcript, context = 2): string {
  const before = comparable(committed);
  const after = comparable(fresh).map((step) => {
    // The same lines in another order (mounts, processes listed as the kernel found them) tell the
    // same story: take the committed order.
    const old = before.find((s) => s.id === step.id);
    return old && sameLines(old.output, step.output) ? { ...step, output: old.output } : step;
  });
  const lines = (steps: typeof before) => steps.flatMap((step) => [...step.head, ...step.output]);
  return lineDiff(lines(before), lines(after), context);
}

/** A unified-style line diff (longest common subsequence; transcripts are a few hundred lines). */
export function lineDiff(a: string[], b: string[], context = 2): string {
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: { kind: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++]! }), j++;
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', line: a[i++]! });
    else ops.push({ kind: '+', line: b[j++]! });
  }
  if (ops.every((op) => op.kind === ' ')) return '';
  const keep = ops.map((op, k) => op.kind !== ' ' || ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.kind !== ' '));
  const out: string[] = [];
  ops.forEach((op, k) => {
    if (keep[k]) out.push(`${op.kind} ${op.line}`);
    else if (k === 0 || keep[k - 1]) out.push('  …');
  });
  return out.join('\n');
}
