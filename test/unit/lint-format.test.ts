// Output formats: hadolint-like tty and json, and structurally valid SARIF 2.1.0.
import { describe, expect, it } from 'vitest';
import { formatJson, formatSarif, formatTty, lintCompose, lintDockerfile, RULES } from '../../src/lint/index.ts';
import type { SarifLog } from '../../src/lint/sarif.ts';

const findings = lintDockerfile('FROM ubuntu\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nUSER root\n', {
  file: 'docker/Dockerfile',
});

describe('formatTty', () => {
  it('prints hadolint-style lines', () => {
    expect(formatTty(findings, { color: false })).toBe(
      [
        'docker/Dockerfile:1 DL3006 warning: Always tag the version of an image explicitly',
        'docker/Dockerfile:2 DL3008 warning: Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`',
        'docker/Dockerfile:2 DL3009 info: Delete the apt lists (/var/lib/apt/lists) after installing something',
        'docker/Dockerfile:3 DL3002 warning: Last USER should not be root',
        '',
      ].join('\n'),
    );
    expect(formatTty([], { color: true })).toBe('');
  });

  it('colours the code and severity only when asked', () => {
    const colored = formatTty(findings.slice(0, 1), { color: true });
    expect(colored).toBe('docker/Dockerfile:1 \u001b[33mDL3006 warning\u001b[0m: Always tag the version of an image explicitly\n');
    expect(formatTty(findings, { color: false })).not.toContain('\u001b');
  });
});

describe('formatJson', () => {
  it("matches hadolint's -f json fields", () => {
    const parsed = JSON.parse(formatJson(findings)) as Record<string, unknown>[];
    expect(parsed[0]).toEqual({
      code: 'DL3006',
      column: 1,
      file: 'docker/Dockerfile',
      level: 'warning',
      line: 1,
      message: 'Always tag the version of an image explicitly',
    });
    expect(Object.keys(parsed[0]!).sort()).toEqual(['code', 'column', 'file', 'level', 'line', 'message']);
    expect(formatJson([])).toBe('[]');
  });
});

describe('formatSarif', () => {
  const all = [...findings, ...lintCompose('services:\n  a:\n    image: x:1\n    privileged: true\n', { file: 'my compose.yaml' })];
  const log = JSON.parse(formatSarif(all)) as SarifLog;

  it('is SARIF 2.1.0 with our driver', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.tool.driver.name).toBe('dockervm lint');
  });

  it('describes exactly the rules its results use, each once, with matching indexes', () => {
    const { rules } = log.runs[0]!.tool.driver;
    const results = log.runs[0]!.results;
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...new Set(results.map((r) => r.ruleId))].sort()).toEqual([...ids].sort());
    for (const r of results) expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);
    for (const rule of rules) expect(rule.shortDescription.text).toBe(RULES.get(rule.id)!.message);
    expect(rules.find((r) => r.id === 'DL3008')!.helpUri).toBe('https://github.com/hadolint/hadolint/wiki/DL3008');
    expect(rules.find((r) => r.id === 'DVM104')!.helpUri).toBeUndefined();
  });

  it('maps levels and locations', () => {
    const results = log.runs[0]!.results;
    expect(results.map((r) => r.level)).toEqual(['warning', 'warning', 'note', 'warning', 'warning']);
    expect(results[1]!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'docker/Dockerfile' },
      region: { startLine: 2, startColumn: 1 },
    });
    expect(results[4]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('my%20compose.yaml');
    expect(results[4]!.message.text).toContain('privileged');
  });

  it('is valid with no findings', () => {
    const empty = JSON.parse(formatSarif([])) as SarifLog;
    expect(empty.runs[0]!.results).toEqual([]);
    expect(empty.runs[0]!.tool.driver.rules).toEqual([]);
  });
});
