// `.hadolint.yaml` support: the same keys hadolint reads, so an existing config keeps working.
// Pure: it takes the YAML text; finding and reading the file is the caller's business.
import { parse } from 'yaml';
import { isSeverity, severityRank, type Finding, type Severity } from './types.ts';

/** `ignore` fails on anything, style included; `none` never fails (hadolint's two extra levels). */
export type Threshold = Severity | 'ignore' | 'none';

export interface LintConfig {
  ignored: string[];
  /** hadolint's default is `info`: style findings alone do not fail a run. */
  failureThreshold: Threshold;
  /** Severity changes per code, e.g. `{ error: ['DL3008'] }`. */
  override: Partial<Record<Severity, string[]>>;
  /** Enables DL3026 when non-empty. */
  trustedRegistries: string[];
  /** Ignore `# hadolint ignore=` comments (hadolint's `disable-ignore-pragma`). */
  disableIgnorePragma: boolean;
  noFail: boolean;
}

export const DEFAULT_CONFIG: LintConfig = Object.freeze({
  ignored: [],
  failureThreshold: 'info',
  override: {},
  trustedRegistries: [],
  disableIgnorePragma: false,
  noFail: false,
});

export interface ConfigResult {
  config: LintConfig;
  /** Keys or values that were not understood; the rest of the file still applies. */
  problems: string[];
}

function codeList(value: unknown, key: string, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    problems.push(`${key}: expected a list of strings`);
    return [];
  }
  return value.map((v) => v.trim());
}

export function parseConfig(text: string): ConfigResult {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (e) {
    return { config: { ...DEFAULT_CONFIG }, problems: [`invalid YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    return { config: { ...DEFAULT_CONFIG }, problems: ['expected a mapping at the top level'] };
  }
  const raw = doc as Record<string, unknown>;
  const config: LintConfig = { ...DEFAULT_CONFIG, override: {} };
  config.ignored = codeList(raw.ignored, 'ignored', problems).map((c) => c.toUpperCase());
  config.trustedRegistries = codeList(raw.trustedRegistries, 'trustedRegistries', problems);

  const threshold = raw['failure-threshold'];
  if (threshold !== undefined) {
    if (isSeverity(threshold) || threshold === 'ignore' || threshold === 'none') config.failureThreshold = threshold;
    else problems.push(`failure-threshold: unknown level ${JSON.stringify(threshold)}`);
  }
  const override = raw.override;
  if (override !== undefined && override !== null) {
    if (typeof override !== 'object' || Array.isArray(override)) problems.push('override: expected a mapping');
    else {
      for (const [level, codes] of Object.entries(override)) {
        if (!isSeverity(level)) problems.push(`override: unknown level ${JSON.stringify(level)}`);
        else config.override[level] = codeList(codes, `override.${level}`, problems).map((c) => c.toUpperCase());
      }
    }
  }
  for (const [key, field] of [
    ['disable-ignore-pragma', 'disableIgnorePragma'],
    ['no-fail', 'noFail'],
  ] as const) {
    const v = raw[key];
    if (typeof v === 'boolean') config[field] = v;
    else if (v !== undefined) problems.push(`${key}: expected true or false`);
  }
  return { config, problems };
}

/** The severity a code ends up with after `override`. */
export function effectiveSeverity(code: string, base: Severity, config: LintConfig): Severity {
  for (const [level, codes] of Object.entries(config.override)) {
    if (codes?.includes(code) && isSeverity(level)) return level;
  }
  return base;
}

/** Whether these findings should make the run fail, as hadolint's exit status does. */
export function exceedsThreshold(findings: readonly Finding[], config: Pick<LintConfig, 'failureThreshold' | 'noFail'>): boolean {
  const t = config.failureThreshold;
  if (config.noFail || t === 'none') return false;
  if (t === 'ignore') return findings.length > 0;
  return findings.some((f) => severityRank(f.severity) <= severityRank(t));
}
