// Reading `astro build`'s output: the site must build without a single warning (Astro's logger prints
// "[WARN]", for Vite and Rolldown too; Node prints "(node:PID) …Warning:"). Warnings that are known
// and harmless are silenced at their source (src/lib/build-warnings.mjs), never here.
const WARNING = /\[WARN\]|^\(node:\d+\) \w*Warning\b/;
// Astro colours its output unless NO_COLOR is set; a coloured "[WARN]" must still count.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every ANSI sequence
const ANSI = /\x1b\[[0-9;]*m/g;

/** The warning lines of a build's output, with the line after each (usually where it comes from). */
export function buildWarnings(output: string): string[] {
  const lines = output.replace(ANSI, '').split('\n');
  return lines.flatMap((line, i) => (WARNING.test(line) ? [[line, lines[i + 1] ?? ''].join('\n').trim()] : []));
}
