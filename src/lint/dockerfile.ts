// Dockerfile parser: turns text into instructions with their start lines, flags, exec-form
// arguments, heredoc bodies and hadolint pragmas. Pure; it never rejects a file, because a
// linter should still say something useful about a Dockerfile that BuildKit would refuse.
import { parseImageRef, tokenize, unquote, type ImageRef } from './words.ts';

export interface Flag {
  /** Without the leading dashes, lower-cased: `mount`, `from`, `chown`, `platform`. */
  name: string;
  /** null for a bare flag such as `--link`. */
  value: string | null;
}

export interface Heredoc {
  marker: string;
  body: string;
  /** `<<-` strips leading tabs from the body and the closing marker. */
  stripTabs: boolean;
  /** A quoted marker (`<<"EOF"`) turns off expansion in the body. */
  quoted: boolean;
  /** Line of the first body line. */
  line: number;
}

export interface Instruction {
  /** Upper-cased, e.g. `RUN`. */
  keyword: string;
  /** 1-based line of the keyword; every finding about the instruction points here. */
  line: number;
  /** Last line the instruction occupies, heredoc bodies included. */
  endLine: number;
  /** Everything after the keyword, continuation lines joined (escape and newline removed). */
  text: string;
  flags: Flag[];
  /** `text` without the leading flags. */
  args: string;
  /** Exec (JSON) form when `args` is a JSON array of strings, otherwise null (shell form). */
  json: string[] | null;
  heredocs: Heredoc[];
  /** Codes from a `# hadolint ignore=…` comment placed before this instruction. */
  ignores: string[];
  /** Index into `stages`; -1 for instructions before the first FROM (global ARGs). */
  stage: number;
  /**
   * For `ONBUILD RUN …` (or any ONBUILD): the wrapped instruction, on the same line, so rules can
   * check the trigger as hadolint does. Its findings point at the ONBUILD line.
   */
  onbuild?: Instruction;
}

export interface Stage {
  index: number;
  line: number;
  image: ImageRef;
  /** The `AS name` alias, as written. */
  name?: string;
  platform?: string;
}

export interface Dockerfile {
  /** Parser directives from the top of the file, keys lower-cased (`syntax`, `escape`, `check`). */
  directives: Record<string, string>;
  escape: '\\' | '`';
  instructions: Instruction[];
  stages: Stage[];
  comments: { line: number; text: string }[];
  /** Codes from `# hadolint global ignore=…`, which apply to the whole file. */
  globalIgnores: string[];
}

// Only these instructions take `--flag` options; elsewhere a leading `--x` is an argument.
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
// BuildKit expands heredocs only for these.
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const df: Dockerfile = { directives: {}, escape: '\\', instructions: [], stages: [], comments: [], globalIgnores: [] };
  let i = readDirectives(lines, df);
  const continues = df.escape === '`' ? /`[ \t]*$/ : /\\[ \t]*$/;
  let pending: string[] = [];

  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    if (/^\s*#/.test(line)) {
      const comment = line.trim();
      df.comments.push({ line: i + 1, text: comment });
      const pragma = parsePragma(comment);
      if (pragma?.global) df.globalIgnores.push(...pragma.codes);
      else if (pragma) pending.push(...pragma.codes);
      i++;
      continue;
    }
    const start = i;
    let joined = '';
    let cur = line;
    // Docker drops the escape character and the newline; comment and blank lines inside a
    // continued instruction are skipped entirely. Only the physical line is tested, so long
    // instructions stay linear.
    while (continues.test(cur) && i + 1 < lines.length) {
      joined += cur.replace(continues, '');
      i++;
      while (i < lines.length && (lines[i]!.trim() === '' || /^\s*#/.test(lines[i]!))) i++;
      if (i >= lines.length) {
        cur = '';
        break;
      }
      cur = lines[i]!;
    }
    joined += cur.replace(continues, '');
    i++;
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(joined);
    // A lone escape character leaves nothing behind: no instruction, and pragmas stay pending.
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const body = m[2]!.trim();
    const { flags, rest } = FLAGGED.has(keyword) ? splitFlags(body) : { flags: [], rest: body };
    const trigger = keyword === 'ONBUILD' ? onbuildTrigger(body, start + 1, df.stages.length - 1) : undefined;
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword)) {
      for (const h of findHeredocMarkers(rest)) {
        const bodyLines: string[] = [];
        const first = i + 1;
        while (i < lines.length) {
          const l = h.stripTabs ? lines[i]!.replace(/^\t+/, '') : lines[i]!;
          i++;
          if (l === h.marker) break;
          bodyLines.push(l);
        }
        heredocs.push({ ...h, body: bodyLines.length ? bodyLines.join('\n') + '\n' : '', line: first });
      }
    }
    if (keyword === 'FROM') df.stages.push(parseStage(rest, flags, df.stages.length, start + 1));
    df.instructions.push({
      keyword,
      line: start + 1,
      endLine: Math.min(i, lines.length),
      text: body,
      flags,
      args: rest,
      json: parseJsonForm(rest),
      heredocs,
      ignores: pending,
      stage: df.stages.length - 1,
      ...(trigger ? { onbuild: { ...trigger, ignores: pending } } : {}),
    });
    pending = [];
  }
  return df;
}

/** The instruction inside `ONBUILD …`; heredocs are not expanded there, so it has none. */
function onbuildTrigger(body: string, line: number, stage: number): Instruction | undefined {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(body);
  if (!m) return undefined;
  const keyword = m[1]!.toUpperCase();
  const text = m[2]!.trim();
  const { flags, rest } = FLAGGED.has(keyword) ? splitFlags(text) : { flags: [], rest: text };
  return { keyword, line, endLine: line, text, flags, args: rest, json: parseJsonForm(rest), heredocs: [], ignores: [], stage };
}

/**
 * For each stage, the index of the earlier stage its FROM names (`FROM build`), or undefined when
 * it starts from an image. BuildKit compares stage names case-insensitively; one pass, so files
 * with hundreds of stages stay linear.
 */
export function baseStages(stages: readonly Stage[]): (number | undefined)[] {
  const byName = new Map<string, number>();
  return stages.map((s) => {
    const base = byName.get(s.image.raw.toLowerCase());
    if (s.name && !byName.has(s.name.toLowerCase())) byName.set(s.name.toLowerCase(), s.index);
    return base;
  });
}

/** Directives only count at the very top: the first line that is not one ends the search. */
function readDirectives(lines: string[], df: Dockerfile): number {
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$/.exec(lines[i]!);
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !KNOWN_DIRECTIVES.has(key) || key in df.directives) break;
    df.directives[key] = m[2]!;
    if (key === 'escape' && (m[2] === '`' || m[2] === '\\')) df.escape = m[2];
  }
  return i;
}

export function parsePragma(comment: string): { global: boolean; codes: string[] } | null {
  const m = /^#\s*hadolint\s+(global\s+)?ignore\s*=\s*([A-Za-z]+\d+(?:\s*,\s*[A-Za-z]+\d+)*)/i.exec(comment);
  if (!m) return null;
  return { global: Boolean(m[1]), codes: m[2]!.split(',').map((c) => c.trim().toUpperCase()) };
}

function splitFlags(body: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  let rest = body;
  for (;;) {
    const word = tokenize(rest, 1)[0];
    if (!word || !word.startsWith('--') || word === '--') break;
    const eq = word.indexOf('=');
    const name = (eq < 0 ? word.slice(2) : word.slice(2, eq)).toLowerCase();
    flags.push({ name, value: eq < 0 ? null : unquote(word.slice(eq + 1)) });
    rest = rest.trimStart().slice(word.length).trimStart();
  }
  return { flags, rest };
}

type Marker = Omit<Heredoc, 'body' | 'line'>;

/** `<<EOF`, `<<-EOF`, `<<"EOF"` and `<<'EOF'` outside quotes, in order of appearance. */
export function findHeredocMarkers(args: string): Marker[] {
  const out: Marker[] = [];
  let quote: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\') i++;
    else if (c === '<' && args[i + 1] === '<' && args[i + 2] !== '<' && args[i - 1] !== '<') {
      const m = /^<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(args.slice(i));
      if (m) {
        out.push({ marker: m[3]!, stripTabs: m[1] === '-', quoted: m[2] !== '' });
        i += m[0].length - 1;
      }
    }
  }
  return out;
}

function parseJsonForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
  } catch {
    return null;
  }
}

function parseStage(args: string, flags: Flag[], index: number, line: number): Stage {
  const words = tokenize(args).map(unquote);
  const stage: Stage = { index, line, image: parseImageRef(words[0] ?? '') };
  if (words[1]?.toLowerCase() === 'as' && words[2]) stage.name = words[2];
  const platform = flags.find((f) => f.name === 'platform')?.value;
  if (platform) stage.platform = platform;
  return stage;
}
