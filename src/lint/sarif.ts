// SARIF 2.1.0 output for code-scanning uploads. Each code that occurs gets one rule entry, and
// every result points at its rule by id and index, as consumers such as GitHub expect.
import type { Finding, RuleMeta, Severity } from './types.ts';
import { ruleHelpUri } from './types.ts';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

// SARIF has no "info" or "style"; "note" is its level for advice.
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', style: 'note' };

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; informationUri?: string; rules: SarifRule[] } };
    results: SarifResult[];
  }[];
}

export interface SarifRule {
  id: string;
  shortDescription: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string };
      region: { startLine: number; startColumn: number };
    };
  }[];
}

/** `known` describes rules by code; a code missing from it is described by its first finding. */
export function toSarif(findings: readonly Finding[], known: ReadonlyMap<string, RuleMeta> = new Map()): SarifLog {
  const rules: SarifRule[] = [];
  const index = new Map<string, number>();
  for (const f of findings) {
    if (index.has(f.code)) continue;
    const meta = known.get(f.code) ?? { code: f.code, severity: f.severity, message: f.message };
    const help = ruleHelpUri(f.code);
    index.set(f.code, rules.length);
    rules.push({
      id: f.code,
      shortDescription: { text: meta.message },
      ...(help ? { helpUri: help } : {}),
      defaultConfiguration: { level: LEVEL[meta.severity] },
    });
  }
  const results: SarifResult[] = findings.map((f) => ({
    ruleId: f.code,
    ruleIndex: index.get(f.code)!,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file.replace(/\\/g, '/')) },
          region: { startLine: f.line, startColumn: f.column },
        },
      },
    ],
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'dockervm lint', rules } }, results }],
  };
}
