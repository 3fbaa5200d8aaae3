// Word-level helpers shared by the Dockerfile parser and the rules: quote-aware splitting,
// key=value lists (ENV, ARG, LABEL), image references and RUN --mount specs.

/**
 * Splits on blanks outside quotes; quotes stay in the words so callers can tell `"a=b"` from `a=b`.
 * `limit` stops after that many words, so reading a flag off a long RUN does not scan all of it.
 */
export function tokenize(text: string, limit = Number.POSITIVE_INFINITY): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      cur += c;
      if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i]!;
      else if (c === quote) quote = null;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      if (words.length >= limit) return words;
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '"' || c === "'") quote = c;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[++i]!;
      continue;
    }
    cur += c;
  }
  if (inWord) words.push(cur);
  return words;
}

/** Removes shell-style quoting: `'…'` is literal, `"…"` honours backslash escapes, pieces concatenate. */
export function unquote(word: string): string {
  let out = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else out += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < word.length && '"\\$`'.includes(word[i + 1]!)) out += word[++i]!;
      else out += c;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '\\' && i + 1 < word.length) {
      out += word[++i]!;
    } else {
      out += c;
    }
  }
  return out;
}

export interface KeyValue {
  key: string;
  /** null for `ARG NAME` without a default: nothing is stored, which rules must not confuse with `""`. */
  value: string | null;
}

/**
 * ENV, LABEL and ARG bodies. ENV and LABEL also accept the legacy `KEY value with spaces` form
 * (first word without `=`), which Docker still parses; ARG never has it.
 */
export function parseKeyValues(text: string, keyword: 'ENV' | 'LABEL' | 'ARG'): KeyValue[] {
  const words = tokenize(text);
  if (words.length === 0) return [];
  if (keyword !== 'ARG' && !words[0]!.includes('=')) {
    const rest = text.trim().slice(words[0]!.length).trim();
    return [{ key: unquote(words[0]!), value: unquote(rest) }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return { key: unquote(w), value: null };
    return { key: unquote(w.slice(0, eq)), value: unquote(w.slice(eq + 1)) };
  });
}

export interface ImageRef {
  raw: string;
  /** Only when the first path component looks like a host (has `.` or `:`, or is `localhost`). */
  registry?: string;
  /** Repository path without registry, tag or digest, e.g. `library/debian` or `debian`. */
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(raw: string): ImageRef {
  const ref: ImageRef = { raw, name: raw };
  let rest = raw;
  const at = rest.indexOf('@');
  if (at >= 0) {
    ref.digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  // A colon after the last slash is a tag; one before it belongs to a registry port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    ref.tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      ref.registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  ref.name = rest;
  return ref;
}

export interface Mount {
  /** Docker defaults an omitted type to `bind`. */
  type: string;
  target?: string;
  options: Record<string, string>;
}

/** One `--mount=` value: comma-separated `key=value` pairs (bare keys such as `readonly` map to "true"). */
export function parseMount(spec: string): Mount {
  const options: Record<string, string> = {};
  for (const part of splitOutsideQuotes(spec, ',')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    options[key] = eq < 0 ? 'true' : unquote(part.slice(eq + 1).trim());
  }
  const target = options.target ?? options.dst ?? options.destination;
  return { type: options.type ?? 'bind', ...(target !== undefined ? { target } : {}), options };
}

function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Lexical path cleaning as Go's path.Clean does, so `//` and `/data/..` are recognised as `/`. */
export function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(seg);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined || '.';
}
