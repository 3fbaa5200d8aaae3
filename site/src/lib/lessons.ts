// The lessons' example files and recorded transcripts, read at build time from examples/lessons/ (the
// single source: the runner executes those same files and writes the transcripts).
import type { RecordedStep, Transcript } from '../../../examples/lessons/lessons.ts';

const transcripts = import.meta.glob<Transcript>('../../../examples/lessons/*/transcript.json', { eager: true, import: 'default' });
const files = import.meta.glob<string>(
  ['../../../examples/lessons/*/**/*', '!../../../examples/lessons/*/transcript.json', '!../../../examples/lessons/*/lesson.yaml'],
  { eager: true, query: '?raw', import: 'default', exhaustive: true },
);

const PREFIX = '../../../examples/lessons/';

export function transcriptOf(lesson: string): Transcript {
  const transcript = transcripts[`${PREFIX}${lesson}/transcript.json`];
  if (!transcript) throw new Error(`no transcript for lesson ${lesson}: run node scripts/run-examples.ts ${lesson.slice(0, 2)}`);
  return transcript;
}

export function stepsOf(lesson: string, ids: string[]): RecordedStep[] {
  const transcript = transcriptOf(lesson);
  return ids.map((id) => {
    const step = transcript.steps.find((s) => s.id === id);
    if (!step) throw new Error(`lesson ${lesson} has no recorded step ${id}`);
    return step;
  });
}

export function exampleFile(lesson: string, path: string): string {
  const text = files[`${PREFIX}${lesson}/${path}`];
  if (text === undefined) throw new Error(`examples/lessons/${lesson}/${path} does not exist`);
  return text;
}

export function exampleFileNames(lesson: string): string[] {
  const prefix = `${PREFIX}${lesson}/`;
  return Object.keys(files)
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .sort();
}

/** A language name for the code block, from the file name. */
export function languageOf(path: string): string {
  const name = path.split('/').pop()!;
  if (name === 'Dockerfile' || name.startsWith('Dockerfile.')) return 'dockerfile';
  if (/\.ya?ml$/.test(name)) return 'yaml';
  if (/\.(sh|cgi)$/.test(name) || /(^|\/)cgi-bin\//.test(path)) return 'sh';
  if (/\.html?$/.test(name)) return 'html';
  if (/\.conf$/.test(name)) return 'ini';
  if (/\.json$/.test(name)) return 'json';
  return 'text';
}
