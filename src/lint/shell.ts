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
  /**
   * Set when this command is the one a wrapper runs (`sudo apt-get …` yields `sudo` and then
   * `apt-get` with `wrappedBy: 'sudo'`), so rules see the real program behind `env`, `sudo`, `time`.
   */
  wrappedBy?: string;
}

export interface ShellScript {
  commands: Command[];
  /** A `|` or `|&` pipe anywhere, including inside command substitutions (`||` is not a pipe). */
  hasPipe: boolean;
}

// Words that open or close compound commands: the command proper follows them.
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}']);
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
    const found = toCommands(words, op);
    if (found.length) {
      commands.push(...found);
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

  // Every test below looks at the text in place (`startsWith(…, i)`, sticky regexes) instead of
  // slicing off the rest of the text at each character, so the work per character stays constant
  // whatever the engine does with slices.
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
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
    if (text.startsWith('$((', i)) {
      const stop = matchingParen(text, i + 1);
      add(text.slice(i, stop + 1));
      i = stop;
      continue;
    }
    if (text.startsWith('$(', i) || ((c === '<' || c === '>') && text[i + 1] === '(')) {
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
    if (text.startsWith('${', i)) {
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
    const redir = c === '<' || c === '>' || c === '&' ? matchAt(REDIRECT, text, i) : undefined;
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
    const sep = matchAt(SEPARATOR, text, i);
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

const REDIRECT = /&>>?|<<<|<<-|<<|<>|<&|>>|>&|>\||<|>/y;
const SEPARATOR = /&&|\|\||;;|\|&|[|;&()]/y;

/** The match of a sticky regex starting exactly at `at`, without copying the text. */
function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;

function toCommands(words: Word[], op: Operator): Command[] {
  let k = 0;
  while (k < words.length) {
    const w = words[k]!;
    if (RESERVED.has(w.raw) || ASSIGNMENT.test(w.raw)) k++;
    else break;
  }
  const first = words[k];
  if (!first || HEADERS.has(first.raw)) return [];
  const values = words.slice(k).map((w) => w.value);
  const out: Command[] = [{ name: first.value, args: values.slice(1), op, nested: false }];
  // `sudo env X=1 time apt-get …`: each wrapper also yields the command it runs.
  for (let depth = 0; depth < 8; depth++) {
    const outer = out[out.length - 1]!;
    const inner = wrappedCommand(outer);
    if (!inner) break;
    out.push({ ...inner, op, nested: false, wrappedBy: outer.name.slice(outer.name.lastIndexOf('/') + 1) });
  }
  return out;
}

interface WrapperSpec {
  /** Options that take the next word as their value (short letters without `-`, long names with `--`). */
  values: string[];
  /** `env` also takes `NAME=value` words before the command. */
  assignments?: boolean;
  /** Positional words before the command (`timeout 10 cmd`). */
  positional?: number;
  /** Options after which nothing runs (`command -v x` only looks x up). */
  notRunning?: string[];
}

// Programs whose operands are another command line; hadolint (through ShellCheck) names the
// wrapper only, so without this `sudo apt-get install x` escapes every apt rule.
const WRAPPERS: Record<string, WrapperSpec> = {
  env: { values: ['u', '--unset', 'C', '--chdir', 'S', '--split-string'], assignments: true },
  sudo: {
    values: [
      'u',
      '--user',
      'g',
      '--group',
      'C',
      '--close-from',
      'D',
      '--chdir',
      'p',
      '--prompt',
      'r',
      '--role',
      't',
      '--type',
      'U',
      '--other-user',
      'T',
      '--command-timeout',
      'h',
      '--host',
    ],
  },
  doas: { values: ['u', 'C'] },
  time: { values: ['f', '--format', 'o', '--output'] },
  nice: { values: ['n', '--adjustment'] },
  nohup: { values: [] },
  command: { values: [], notRunning: ['-v', '-V'] },
  exec: { values: ['a'] },
  builtin: { values: [] },
  busybox: { values: [] },
  stdbuf: { values: ['i', '--input', 'o', '--output', 'e', '--error'] },
  timeout: { values: ['s', '--signal', 'k', '--kill-after'], positional: 1 },
};

function wrappedCommand(cmd: Command): Pick<Command, 'name' | 'args'> | null {
  const spec = WRAPPERS[cmd.name.slice(cmd.name.lastIndexOf('/') + 1)];
  if (!spec) return null;
  const args = cmd.args;
  let positional = spec.positional ?? 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (spec.notRunning?.includes(a)) return null;
    if (a === '--') {
      i++;
      if (i >= args.length) return null;
    } else if (a.startsWith('--') && a.length > 2) {
      if (!a.includes('=') && spec.values.includes(a)) i++;
      continue;
    } else if (a.startsWith('-') && a.length > 1) {
      // `-u bob`, or `-ubob`; only a value letter written last in its group takes the next word.
      if (spec.values.includes(a[a.length - 1]!)) i++;
      continue;
    } else if (spec.assignments && ASSIGNMENT.test(a)) continue;
    else if (positional > 0) {
      positional--;
      continue;
    }
    return i < args.length ? { name: args[i]!, args: args.slice(i + 1) } : null;
  }
  return null;
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
