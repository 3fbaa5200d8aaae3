// The lesson format: examples/lessons/<NN-slug>/lesson.yaml (the steps, written by hand), the example's
// files beside it, and transcript.json (what really happened, written only by scripts/run-examples.ts).
// Shared by the runner, the site and the tests, so all three read steps and check outputs one way.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const LESSONS_DIR = new URL('.', import.meta.url).pathname;
export const LABEL = 'dev.dockervm.lesson';

/** Where a step runs: on the host (a shell in a temporary copy of the lesson's files) or in a container. */
export type Where = { host: true; dir?: string } | { container: string; user?: string };

export interface Step {
  id: string;
  run: string;
  /** Run inside this (running) container with `docker exec`, instead of on the host. */
  in?: string;
  /** Host steps: a subdirectory of the lesson's files to run in (shown as the terminal's place). */
  dir?: string;
  user?: string;
  /** Substrings the output must contain (@{name} is replaced by a value saved by an earlier step). */
  expect?: string[];
  /** Regular expressions the output must match. */
  match?: string[];
  /** Substrings the output must not contain. */
  absent?: string[];
  /** Expected exit code: a number, or "nonzero". Default 0. */
  exit?: number | 'nonzero';
  /** Save the trimmed output (or the first group of `saveMatch`) under this name. */
  save?: string;
  saveMatch?: string;
  /** Repeat until the expectations hold (a server starting): bounded tries, delay in seconds. */
  retry?: { tries: number; delay: number };
  /** Seconds before the step is killed. Default 120. */
  timeout?: number;
  /** Show only the last N output lines on the page (the transcript keeps them all). */
  tail?: number;
  /** Show the output from the first line matching this regular expression on (e.g. a build's first step). */
  from?: string;
  /** Verification or waiting steps that the page need not show. */
  hidden?: boolean;
}

export interface Lesson {
  slug: string;
  number: number;
  title: string;
  steps: Step[];
  /**
   * Images the lesson's steps assume a reader has already pulled (busybox:latest): the runner pulls
   * them before the first step, so no transcript depends on what the engine ran earlier.
   */
  images: string[];
  /** Commands run after the steps, pass or fail, before the sweep by label. */
  cleanup: string[];
}

export interface RecordedStep {
  id: string;
  where: Where;
  command: string;
  output: string;
  exitCode: number;
  durationMs: number;
  tail?: number;
  from?: string;
  hidden?: boolean;
}

export interface Transcript {
  lesson: string;
  title: string;
  engine: { server: string; compose: string };
  recorded: string;
  steps: RecordedStep[];
}

const STEP_KEYS = new Set(['id', 'run', 'in', 'dir', 'user', 'expect', 'match', 'absent', 'exit', 'save', 'saveMatch', 'retry', 'timeout', 'tail', 'from', 'hidden']);

export function lessonSlugs(dir = LESSONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d\d-[a-z0-9-]+$/.test(d.name) && existsSync(join(dir, d.name, 'lesson.yaml')))
    .map((d) => d.name)
    .sort();
}

export function loadLesson(slug: string, dir = LESSONS_DIR): Lesson {
  const raw = parse(readFileSync(join(dir, slug, 'lesson.yaml'), 'utf8')) as Record<string, unknown>;
  const where = `${slug}/lesson.yaml`;
  if (typeof raw.title !== 'string') throw new Error(`${where}: title missing`);
  if (!Array.isArray(raw.steps) || raw.steps.length === 0) throw new Error(`${where}: steps missing`);
  const ids = new Set<string>();
  const steps = raw.steps.map((s: Record<string, unknown>, i: number) => {
    const unknown = Object.keys(s).filter((k) => !STEP_KEYS.has(k));
    if (unknown.length) throw new Error(`${where}: step ${i + 1}: unknown key(s) ${unknown.join(', ')}`);
    if (typeof s.id !== 'string' || !/^[a-z0-9-]+$/.test(s.id)) throw new Error(`${where}: step ${i + 1}: id must be kebab-case`);
    if (ids.has(s.id)) throw new Error(`${where}: duplicate step id ${s.id}`);
    ids.add(s.id);
    if (typeof s.run !== 'string' || !s.run.trim()) throw new Error(`${where}: step ${s.id}: run missing`);
    for (const key of ['expect', 'match', 'absent']) {
      const list = s[key];
      if (list !== undefined && !(Array.isArray(list) && list.every((x) => typeof x === 'string'))) {
        throw new Error(`${where}: step ${s.id}: ${key} must be a list of strings (quote entries that contain ": ")`);
      }
    }
    return { ...s, run: s.run.trim() } as unknown as Step;
  });
  const images = raw.images ?? [];
  if (!(Array.isArray(images) && images.every((i) => typeof i === 'string' && /^[a-z0-9][a-z0-9._/:@-]*$/.test(i)))) {
    throw new Error(`${where}: images must be a list of image references`);
  }
  return {
    slug,
    number: Number(slug.slice(0, 2)),
    title: raw.title,
    steps,
    images,
    cleanup: Array.isArray(raw.cleanup) ? (raw.cleanup as string[]) : [],
  };
}

export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/@\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in vars)) throw new Error(`no saved value named ${name} (for ${whole})`);
    return vars[name]!;
  });
}

/** Every way the recorded output or exit code differs from what the step expects (empty: it passed). */
export function problemsOf(step: Step, result: { output: string; exitCode: number }, vars: Record<string, string>): string[] {
  const problems: string[] = [];
  const exit = step.exit ?? 0;
  if (exit === 'nonzero' ? result.exitCode === 0 : result.exitCode !== exit) {
    problems.push(`exit code ${result.exitCode}, expected ${exit}`);
  }
  for (const text of step.expect ?? []) {
    const wanted = substitute(text, vars);
    if (!result.output.includes(wanted)) problems.push(`output lacks ${JSON.stringify(wanted)}`);
  }
  for (const pattern of step.match ?? []) {
    if (!new RegExp(substitute(pattern, vars), 'm').test(result.output)) problems.push(`output does not match /${pattern}/`);
  }
  for (const text of step.absent ?? []) {
    const unwanted = substitute(text, vars);
    if (result.output.includes(unwanted)) problems.push(`output contains ${JSON.stringify(unwanted)}`);
  }
  return problems;
}

/** The value a step saves for later steps. */
export function savedValue(step: Step, output: string): string | undefined {
  if (!step.save) return undefined;
  if (!step.saveMatch) return output.trim();
  return new RegExp(step.saveMatch, 'm').exec(output)?.[1];
}

export function transcriptPath(slug: string, dir = LESSONS_DIR): string {
  return join(dir, slug, 'transcript.json');
}

export function readTranscript(slug: string, dir = LESSONS_DIR): Transcript | undefined {
  const path = transcriptPath(slug, dir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Transcript) : undefined;
}

/** The example's own files (what a reader would type or download), without the lesson machinery. */
export function exampleFiles(slug: string, dir = LESSONS_DIR): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, slug, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (path !== 'lesson.yaml' && path !== 'transcript.json') files.push(path);
    }
  };
  walk('');
  return files.sort();
}
