// The image references `dockervm pin` looks at, with their exact place in the file so that a pin is
// a splice: every other byte of the Dockerfile and compose.yaml stays as it was (comments included).
import { isMap, isScalar, parseDocument } from 'yaml';
import { parseDockerfile } from '../../lint/dockerfile.ts';

export interface ImageSite {
  file: 'Dockerfile' | 'compose.yaml';
  line: number;
  /** The reference as written (quotes removed). */
  reference: string;
  /** Offsets of the reference text in the file (inside quotes, if any). */
  start: number;
  end: number;
  /** Why it is left alone (scratch, a build stage, a build argument, the project's own image …). */
  skip?: string;
  /** compose: the service. */
  service?: string;
  /** Dockerfile: offsets of a create-dockervm "# NOT PINNED" marker line right above, to drop once pinned. */
  marker?: { start: number; end: number };
}

const NOT_PINNED = /^# NOT PINNED \(.*\): run `npx dockervm pin`/;

function lineOffsets(text: string): number[] {
  const offsets = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') offsets.push(i + 1);
  return offsets;
}

export function dockerfileSites(text: string): ImageSite[] {
  const df = parseDockerfile(text);
  const offsets = lineOffsets(text);
  const stageNames = new Set<string>();
  const sites: ImageSite[] = [];
  for (const instruction of df.instructions) {
    if (instruction.keyword !== 'FROM') continue;
    const lineStart = offsets[instruction.line - 1] ?? 0;
    const lineText = text.slice(lineStart, offsets[instruction.line] ?? text.length).replace(/\r?\n$/, '');
    const match = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)/i.exec(lineText);
    const stage = df.stages.find((s) => s.line === instruction.line);
    const written = stage?.image.raw ?? '';
    const site: ImageSite = { file: 'Dockerfile', line: instruction.line, reference: written, start: -1, end: -1 };
    if (match?.[1] !== undefined && match[2] !== undefined && match[2] === written) {
      site.start = lineStart + match[1].length;
      site.end = site.start + match[2].length;
    } else {
      site.skip = 'the reference is not on the FROM line itself: pin it by hand';
    }
    if (written.toLowerCase() === 'scratch') site.skip = 'scratch is not an image';
    else if (stageNames.has(written.toLowerCase())) site.skip = 'an earlier build stage';
    else if (written.includes('$')) site.skip = 'set by a build argument: pin the ARG default by hand';
    const previous = offsets[instruction.line - 2];
    if (previous !== undefined && NOT_PINNED.test(text.slice(previous, lineStart))) site.marker = { start: previous, end: lineStart };
    if (stage?.name) stageNames.add(stage.name.toLowerCase());
    sites.push(site);
  }
  return sites;
}

/** `image:` of services that compose pulls; the project's own images (built by a service with `build:`) are not. */
export function composeSites(text: string): ImageSite[] {
  const doc = parseDocument(text);
  const offsets = lineOffsets(text);
  const lineOf = (offset: number) => {
    let line = 0;
    while (line + 1 < offsets.length && (offsets[line + 1] ?? Infinity) <= offset) line++;
    return line + 1;
  };
  const services = doc.get('services');
  if (!isMap(services)) return [];
  // The project's own images: what services with build: are tagged as (other services may reuse them).
  const built = new Set<string>();
  for (const pair of services.items) {
    if (isMap(pair.value) && pair.value.has('build')) {
      const image = pair.value.get('image');
      if (typeof image === 'string') built.add(image);
    }
  }
  const sites: ImageSite[] = [];
  for (const pair of services.items) {
    const service = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (!isMap(pair.value)) continue;
    const image = pair.value.get('image', true);
    if (!isScalar(image) || typeof image.value !== 'string' || !image.range) continue;
    let [start, end] = image.range;
    const raw = text.slice(start, end);
    if ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'"))) {
      start++;
      end--;
    }
    const site: ImageSite = { file: 'compose.yaml', service, line: lineOf(start), reference: image.value, start, end };
    if (pair.value.has('build') || built.has(image.value)) site.skip = 'built by this project';
    else if (image.value.includes('$')) site.skip = 'set by a variable: pin it where the variable is set';
    else if (text.slice(start, end) !== image.value) site.skip = 'written with escapes or folding: pin it by hand';
    sites.push(site);
  }
  return sites;
}

export interface Edit {
  start: number;
  end: number;
  replacement: string;
}

/** Applies non-overlapping edits, last first, so earlier offsets stay valid. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.replacement + result.slice(edit.end);
  return result;
}

/** `name[:tag]` → `name:tag@digest` (the tag stays for people; the digest is what gets pulled). */
export function pinnedReference(reference: string, digest: string): string {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const slash = withoutDigest.lastIndexOf('/');
  const hasTag = withoutDigest.lastIndexOf(':') > slash;
  return `${withoutDigest}${hasTag ? '' : ':latest'}@${digest}`;
}
