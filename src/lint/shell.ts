// A small POSIX-shell splitter for RUN text: enough structure to find which programs run with
// which arguments, and whether a pipe is involved. It is not a shell parser: no expansion, no
// `case` patterns. Command substitutions are split recursively because hadolint (through
// ShellCheck) also sees the commands and pipes inside `$(…)`.

export type Operator = '' | '&&' | '||' | ';' | '|' | '&' | '\n';

export interface Command {
  /** Program as written (`apt-get`, `/usr/bin/pip3`), after `VAR=x` prefixes and keywords like `then`. */
  name: string;
  /** Remaining words, unquoted; redirections and their targets are left out. */
  args: string[];
  /** The operator that joined this command to the one before it ('' for the first). */
  op: Operator;
  /** True for commands found inside `$(…)`, backticks or `<(…)`. */
  nested: boolean;
}

export interface ShellScript {
  commands: Command[];
  /** A `|` or `|&` pipe anywhere, including inside command substitutions (`||` is not a pipe). */
  hasPipe: boolean;
}

// Words that open or close compound commands: the command proper follows them.
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'time']);
// Headers whose words are not a command at all (`for x in a b`).
const HEADERS = new Set(['for', 'select', 'case', 'function']);

interface Word {
  raw: string;
  value: string;
}

export function splitShell(text: string): ShellScript {
  const commands: Command[] = [];
  let hasPipe = false;
  let words: Word[] = [];
  let raw = '';
  let value = '';
  let inWord = false;
  let op: Operator = '';
  let redirect: 'file' | 'heredoc' | 'heredoc-tabs' | null = null;
  const heredocs: { delim: string; tabs: boolean }[] = [];

  const nested = (inner: string): void => {
    const sub = splitShell(inner);
    hasPipe ||= sub.hasPipe;
    for (const c of sub.commands) commands.push({ ...c, nested: true });
  };
  const endWord = (): void => {
    if (!inWord) return;
    if (redirect === 'file') redirect = null;
    else if (redirect) {
      heredocs.push({ delim: value, tabs: redirect === 'heredoc-tabs' });
      redirect = null;
    } else words.push({ raw, value });
    raw = value = '';
    inWord = false;
  };
  const endCommand = (next: Operator): void => {
    endWord();
    const cmd = toCommand(words, op);
    if (cmd) {
      commands.push(cmd);
      op = next;
    } else if (next !== '\n' || op === '') {
      // An empty segment (`then` alone, a trailing `;`) passes its operator on, except that a
      // line break after `&&` keeps the `&&`.
      op = commands.length ? next : '';
    }
    words = [];
  };
  const add = (r: string, v: string = r): void => {
    raw += r;
    value += v;
    inWord = true;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const rest = text.slice(i);
    if (c === '\\') {
      if (text[i + 1] === '\n') i++;
      else if (i + 1 < text.length) add(c + text[i + 1]!, text[++i]!);
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      add(text.slice(i, stop + 1), text.slice(i + 1, stop));
      i = stop;
      continue;
    }
    if (c === '"') {
      const stop = closingDoubleQuote(text, i);
      const inner = text.slice(i + 1, stop);
      add(text.slice(i, stop + 1), inner.replace(/\\(["\\$`])/g, '$1'));
      for (const sub of substitutions(inner)) nested(sub);
      i = stop;
      continue;
    }
    if (rest.startsWith('$((')) {
      const stop = matchingParen(text, i + 1);
      add(text.slice(i, stop + 1));
      i = stop;
      continue;
    }
    if (rest.startsWith('$(') || ((c === '<' || c === '>') && text[i + 1] === '(')) {
      const stop = matchingParen(text, i + 1);
      nested(text.slice(i + 2, stop));
      add(text.slice(i, stop + 1));
      i = stop;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      const stop = end < 0 ? text.length : end;
      nested(text.slice(i + 1, stop));
      add(text.slice(i, stop + 1));
      i = stop;
      continue;
    }
    if (rest.startsWith('${')) {
      const end = text.indexOf('}', i);
      const stop = end < 0 ? text.length : end;
      add(text.slice(i, stop + 1));
      i = stop;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      continue;
    }
    if (c === '\n') {
      endCommand('\n');
      i = skipHeredocBodies(text, i, heredocs);
      continue;
    }
    const redir = /^(?:&>>?|<<<|<<-|<<|<>|<&|>>|>&|>\||<|>)/.exec(rest)?.[0];
    if (redir) {
      if (/^\d+$/.test(raw)) {
        // `2>&1`: the 2 is a file descriptor, not an argument.
        raw = value = '';
        inWord = false;
      }
      endWord();
      redirect = redir === '<<' ? 'heredoc' : redir === '<<-' ? 'heredoc-tabs' : 'file';
      i += redir.length - 1;
      continue;
    }
    const sep = /^(?:&&|\|\||;;|\|&|[|;&()])/.exec(rest)?.[0];
    if (sep) {
      if (sep === '|' || sep === '|&') hasPipe = true;
      endCommand(sep === '|&' ? '|' : sep === ';;' || sep === '(' || sep === ')' ? ';' : (sep as Operator));
      i += sep.length - 1;
      continue;
    }
    add(c);
  }
  endCommand('');
  return { commands, hasPipe };
}

function toCommand(words: Word[], op: Operator): Command | null {
  let k = 0;
  while (k < words.length) {
    const w = words[k]!;
    if (RESERVED.has(w.raw) || /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(w.raw)) k++;
    else break;
  }
  const first = words[k];
  if (!first || HEADERS.has(first.raw)) return null;
  return { name: first.value, args: words.slice(k + 1).map((w) => w.value), op, nested: false };
}

function closingDoubleQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** Index of the `)` closing the `(` at `open`, skipping quoted text. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      i = end < 0 ? text.length : end;
    } else if (c === '"') i = closingDoubleQuote(text, i);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return text.length;
}

/** `$(…)` and backtick bodies inside a double-quoted string. */
function substitutions(inner: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '\\') i++;
    else if (inner.startsWith('$((', i)) i = matchingParen(inner, i + 1);
    else if (inner.startsWith('$(', i)) {
      const stop = matchingParen(inner, i + 1);
      out.push(inner.slice(i + 2, stop));
      i = stop;
    } else if (inner[i] === '`') {
      const end = inner.indexOf('`', i + 1);
      const stop = end < 0 ? inner.length : end;
      out.push(inner.slice(i + 1, stop));
      i = stop;
    }
  }
  return out;
}

/** After a newline, skips the bodies of `<<DELIM` here-documents opened on the line just ended. */
function skipHeredocBodies(text: string, newline: number, pending: { delim: string; tabs: boolean }[]): number {
  let i = newline;
  while (pending.length) {
    const { delim, tabs } = pending.shift()!;
    for (;;) {
      const end = text.indexOf('\n', i + 1);
      const line = text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
      if ((tabs ? line.replace(/^\t+/, '') : line) === delim || end < 0) break;
    }
  }
  return i;
}
