// WWW-Authenticate parsing for registry token auth. Values are often quoted and may hold commas
// (`scope="repository:a/b:pull,push"`), so a split on ',' would cut scopes apart.

export interface AuthChallenge {
  /** Lowercased, e.g. `bearer` or `basic`. */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
// Looser than RFC 9110's token: some servers send realm URLs unquoted.
const BARE_VALUE = /[^\s,"]+/y;
const SPACE = /[ \t]*/y;

/** The first challenge in the header, or undefined when there is none. */
export function parseChallenge(header: string): AuthChallenge | undefined {
  let pos = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(header);
    if (!m) return undefined;
    pos = re.lastIndex;
    return m[0];
  };

  match(SPACE);
  const scheme = match(TOKEN);
  if (scheme === undefined) return undefined;
  const params: Record<string, string> = {};

  for (;;) {
    match(SPACE);
    const save = pos;
    const name = match(TOKEN);
    match(SPACE);
    if (name === undefined || header[pos] !== '=') {
      // A bare token after a comma starts the next challenge, which is not ours to read.
      pos = save;
      break;
    }
    pos++;
    match(SPACE);
    const value = header[pos] === '"' ? readQuoted() : (match(BARE_VALUE) ?? '');
    params[name.toLowerCase()] = value;
    match(SPACE);
    if (header[pos] !== ',') break;
    pos++;
  }
  return { scheme: scheme.toLowerCase(), params };

  function readQuoted(): string {
    let out = '';
    pos++;
    while (pos < header.length && header[pos] !== '"') {
      if (header[pos] === '\\' && pos + 1 < header.length) pos++;
      out += header[pos];
      pos++;
    }
    pos++;
    return out;
  }
}
