// What compose substitutes into compose.yaml: a project's .env file, overridden by the environment
// (compose's own order). dockervm reads published ports through this, so `status`, `open` and `up`
// name the ports compose will really use. Only the forms compose documents: $VAR, ${VAR},
// ${VAR:-default}, ${VAR-default}, and $$ for a literal dollar.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Pure: KEY=VALUE lines; `#` comments, blank lines, `export ` prefixes and quotes handled. */
export function parseDotEnv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    vars.set(key, value);
  }
  return vars;
}

export function readDotEnv(dir: string): Map<string, string> {
  const file = join(dir, '.env');
  return existsSync(file) ? parseDotEnv(readFileSync(file, 'utf8')) : new Map();
}

export type Lookup = (name: string) => string | undefined;

/** The variables compose would use for the project in `dir`. */
export function composeVariables(dir: string, env: NodeJS.ProcessEnv): Lookup {
  const file = readDotEnv(dir);
  return (name) => env[name] ?? file.get(name);
}

/** Pure: substitutes variables the way compose does (unset and no default: empty). */
export function interpolate(text: string, lookup: Lookup): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, op?: string, fallback?: string, bare?: string) => {
      const name = braced ?? bare;
      if (name === undefined) return '$'; // `$$`: the only match without a name
      const value = lookup(name);
      if (op === ':-') return value === undefined || value === '' ? (fallback ?? '') : value;
      if (op === '-') return value === undefined ? (fallback ?? '') : value;
      return value ?? '';
    },
  );
}

/** The variable a `${NAME:-…}` host port comes from, if it is one. */
export function variableOf(text: string): string | undefined {
  return /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}$/.exec(text)?.[1];
}
