// Text and JSON output shaped like hadolint's `tty` and `json` formats, so scripts and editors
// built for hadolint read ours unchanged.
import type { Finding, Severity } from './types.ts';

const COLORS: Record<Severity, string> = { error: '31', warning: '33', info: '36', style: '2' };

/** `Dockerfile:12 DL3008 warning: message`, one finding a line, a trailing newline when any. */
export function formatTty(findings: readonly Finding[], opts: { color: boolean }): string {
  const lines = findings.map((f) => {
    const tag = `${f.code} ${f.severity}`;
    const shown = opts.color ? `\u001b[${COLORS[f.severity]}m${tag}\u001b[0m` : tag;
    return `${f.file}:${f.line} ${shown}: ${f.message}`;
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export interface JsonFinding {
  code: string;
  column: number;
  file: string;
  level: Severity;
  line: number;
  message: string;
}

/** hadolint's `-f json`: an array of {code, column, file, level, line, message}. */
export function toJson(findings: readonly Finding[]): JsonFinding[] {
  return findings.map((f) => ({
    code: f.code,
    column: f.column,
    file: f.file,
    level: f.severity,
    line: f.line,
    message: f.message,
  }));
}

export function formatJson(findings: readonly Finding[]): string {
  return JSON.stringify(toJson(findings));
}
