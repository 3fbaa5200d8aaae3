// Public face of the linter: lint Dockerfile or compose text and format the findings. Everything
// here is pure (no file system, no process), so the CLI, the generators and tests share it.
import { checkCompose, COMPOSE_RULES } from './compose.ts';
import { DEFAULT_CONFIG, effectiveSeverity, type LintConfig } from './config.ts';
import { parseDockerfile } from './dockerfile.ts';
import { buildContext } from './rules/context.ts';
import { DOCKERFILE_RULES } from './rules/index.ts';
import { toSarif } from './sarif.ts';
import type { Finding, RuleMeta } from './types.ts';

export type { Finding, RuleMeta, Severity } from './types.ts';
export { SEVERITIES } from './types.ts';
export { parseDockerfile, type Dockerfile, type Instruction, type Stage, type Flag, type Heredoc } from './dockerfile.ts';
export { splitShell, type Command, type ShellScript } from './shell.ts';
export { parseConfig, exceedsThreshold, DEFAULT_CONFIG, type LintConfig, type ConfigResult, type Threshold } from './config.ts';
export { formatJson, formatTty, toJson, type JsonFinding } from './format.ts';
export { toSarif, type SarifLog } from './sarif.ts';
export { shellcheckScripts, shellcheckFindings, SHELLCHECK_EXCLUDED, type ShellcheckScript, type ShellcheckComment } from './shellcheck.ts';

export interface LintOptions {
  config?: LintConfig;
  /** Name used in findings; defaults to `Dockerfile` / `compose.yaml`. */
  file?: string;
}

/** Every rule we know, Dockerfile and compose, by code. */
export const RULES: ReadonlyMap<string, RuleMeta> = new Map(
  [...DOCKERFILE_RULES, ...COMPOSE_RULES].map((r) => [r.code, { code: r.code, severity: r.severity, message: r.message }]),
);

function byPosition(a: Finding, b: Finding): number {
  return a.line - b.line || a.code.localeCompare(b.code);
}

export function lintDockerfile(text: string, opts: LintOptions = {}): Finding[] {
  const config = opts.config ?? DEFAULT_CONFIG;
  const file = opts.file ?? 'Dockerfile';
  const df = parseDockerfile(text);
  const ctx = buildContext(df, { trustedRegistries: config.trustedRegistries });
  const pragmas = config.disableIgnorePragma ? [] : df.globalIgnores;
  const off = new Set([...config.ignored, ...pragmas]);
  const ignoredAt = new Map(df.instructions.map((i) => [i.line, config.disableIgnorePragma ? [] : i.ignores]));
  const findings: Finding[] = [];
  for (const rule of DOCKERFILE_RULES) {
    if (off.has(rule.code)) continue;
    for (const hit of rule.check(ctx)) {
      if (ignoredAt.get(hit.line)?.includes(rule.code)) continue;
      findings.push({
        file,
        line: hit.line,
        column: 1,
        code: rule.code,
        severity: effectiveSeverity(rule.code, rule.severity, config),
        message: hit.message ?? rule.message,
      });
    }
  }
  return findings.sort(byPosition);
}

export function lintCompose(text: string, opts: LintOptions = {}): Finding[] {
  const config = opts.config ?? DEFAULT_CONFIG;
  const file = opts.file ?? 'compose.yaml';
  return checkCompose(text)
    .filter((h) => !config.ignored.includes(h.code))
    .map((h) => ({
      file,
      line: h.line,
      column: 1,
      code: h.code,
      severity: effectiveSeverity(h.code, RULES.get(h.code)!.severity, config),
      message: h.message,
    }))
    .sort(byPosition);
}

/** SARIF 2.1.0 as JSON text, rules described from the built-in table. */
export function formatSarif(findings: readonly Finding[]): string {
  return JSON.stringify(toSarif(findings, RULES), null, 2);
}
