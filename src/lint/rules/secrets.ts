// dockervm's own Dockerfile rules (DVM0xx): mistakes hadolint does not cover but which bite
// people turning a container into a long-lived VM.
import { cleanPath, parseKeyValues, tokenize, unquote } from '../words.ts';
import type { Rule } from './context.ts';

const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'SECRET', 'SECRETS', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS']);
const SECRET_PAIRS = ['API_KEY', 'PRIVATE_KEY', 'ACCESS_KEY', 'SECRET_KEY', 'AUTH_KEY', 'ENCRYPTION_KEY'];
// `DB_PASSWORD_FILE=/run/secrets/db` points at a secret without containing it.
const HARMLESS_LAST = new Set(['FILE', 'PATH', 'DIR', 'URL', 'ID', 'NAME', 'LENGTH']);

export function looksSecret(name: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[_.-]+/)
    .filter(Boolean);
  if (words.length === 0 || HARMLESS_LAST.has(words[words.length - 1]!)) return false;
  const joined = words.join('_');
  return words.some((w) => SECRET_WORDS.has(w)) || SECRET_PAIRS.some((p) => `_${joined}_`.includes(`_${p}_`));
}

/**
 * ENV values live in the image config and ARG values in its history, so anyone who can pull the
 * image can read them. An ARG without a default stores nothing and is fine.
 */
export const DVM001: Rule = {
  code: 'DVM001',
  severity: 'error',
  message: 'Secret-looking variable set with ENV/ARG; it is stored in the image. Use RUN --mount=type=secret instead',
  check: (ctx) =>
    ctx.df.instructions.flatMap((i) => {
      if (i.keyword !== 'ENV' && i.keyword !== 'ARG') return [];
      return parseKeyValues(i.args, i.keyword)
        .filter((kv) => kv.value !== null && kv.value !== '' && looksSecret(kv.key))
        .map((kv) => ({
          line: i.line,
          message: `\`${kv.key}\` looks like a secret and ${i.keyword} stores its value in the image; use RUN --mount=type=secret instead`,
        }));
    }),
};

export const DVM002: Rule = {
  code: 'DVM002',
  severity: 'error',
  message: "`VOLUME /` makes the root filesystem a volume; the engine rejects '/' as a mount destination (\"destination can't be '/'\")",
  check: (ctx) =>
    ctx.df.instructions
      .filter((i) => i.keyword === 'VOLUME' && (i.json ?? tokenize(i.args).map(unquote)).some((p) => cleanPath(p) === '/'))
      .map((i) => ({ line: i.line })),
};
