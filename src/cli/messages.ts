// Everything dockervm prints for humans goes through here: results to stdout, progress and warnings
// to stderr (so `--json` output and pipes stay clean). Tests swap the streams.
import { styleText } from 'node:util';

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

type Style = Parameters<typeof styleText>[0];

export function createMessages(streams: Streams, color: boolean, prefix = 'dockervm') {
  const paint = (style: Style, text: string) => (color ? styleText(style, text, { validateStream: false }) : text);
  const err = (line = '') => streams.stderr.write(`${line}\n`);
  return {
    paint,
    /** A line of the human result (stdout). */
    line: (text = '') => streams.stdout.write(`${text}\n`),
    progress: (text: string) => err(paint('dim', text)),
    info: (text: string) => err(text),
    ok: (text: string) => err(`${paint('green', 'ok')} ${text}`),
    warn: (text: string) => err(`${paint('yellow', 'warning:')} ${text}`),
    error: (text: string) => err(`${prefix}: ${text.split('\n').join(`\n${prefix}: `)}`),
    /** Runs `work`, then logs how long it took: for the slow steps (commits, copies, builds). */
    async timed<T>(label: string, work: () => Promise<T>): Promise<T> {
      const started = performance.now();
      err(paint('dim', `${label} …`));
      const result = await work();
      err(paint('dim', `${label}: done (${((performance.now() - started) / 1000).toFixed(1)} s)`));
      return result;
    },
  };
}

export type Messages = ReturnType<typeof createMessages>;

/**
 * The one size formatter: decimal units (1 MB = 1,000,000 bytes), the ones `docker images` and
 * `docker system df` print, so a size here matches the engine's own for the same thing.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  // 999.6 kB would print as "1000 kB": carry it to the next unit instead.
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 9.95 ? 1 : 0)} ${units[unit]}`;
}

/** "3 min ago", "2 h ago", "5 days ago": ages in snapshot lists. */
export function formatAge(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
