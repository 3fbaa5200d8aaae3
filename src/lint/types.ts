// Shared vocabulary of the linter: the four hadolint severities and the finding every rule,
// formatter and test speaks. Kept free of logic so every other module can import it.

export type Severity = 'error' | 'warning' | 'info' | 'style';

/** Most severe first; the index is the rank used by thresholds and overrides. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'style'];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

export interface Finding {
  /** Path as the caller named it (`Dockerfile` when none was given), never resolved on disk. */
  file: string;
  /** 1-based line where the offending instruction or YAML node starts. */
  line: number;
  /** 1-based; Dockerfile findings always use 1, as hadolint does. */
  column: number;
  code: string;
  severity: Severity;
  message: string;
}

/** What a rule knows about itself: used to emit findings and to describe rules in SARIF. */
export interface RuleMeta {
  code: string;
  severity: Severity;
  message: string;
}

/** hadolint's wiki documents each DL rule, ShellCheck's wiki each SC check; our own codes have none. */
export function ruleHelpUri(code: string): string | undefined {
  if (/^DL\d{4}$/.test(code)) return `https://github.com/hadolint/hadolint/wiki/${code}`;
  if (/^SC\d{4}$/.test(code)) return `https://www.shellcheck.net/wiki/${code}`;
  return undefined;
}
