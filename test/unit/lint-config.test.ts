// `.hadolint.yaml`: ignored, override, failure-threshold, trustedRegistries, pragmas.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, exceedsThreshold, parseConfig } from '../../src/lint/config.ts';
import { lintCompose, lintDockerfile } from '../../src/lint/index.ts';
import type { Finding } from '../../src/lint/types.ts';

const APT = 'FROM debian:12\nRUN apt-get update && apt-get install curl\nUSER nobody\n';
const codes = (fs: Finding[]) => fs.map((f) => `${f.code}:${f.severity}`);

describe('parseConfig', () => {
  it('reads hadolint keys', () => {
    const { config, problems } = parseConfig(`
ignored:
  - DL3008
  - dl3015
failure-threshold: warning
override:
  error: [DL3014]
  style: [DL3009]
trustedRegistries:
  - ghcr.io
disable-ignore-pragma: true
`);
    expect(problems).toEqual([]);
    expect(config).toEqual({
      ignored: ['DL3008', 'DL3015'],
      failureThreshold: 'warning',
      override: { error: ['DL3014'], style: ['DL3009'] },
      trustedRegistries: ['ghcr.io'],
      disableIgnorePragma: true,
      noFail: false,
    });
  });

  it('treats an empty file as the defaults', () => {
    expect(parseConfig('')).toEqual({ config: DEFAULT_CONFIG, problems: [] });
  });

  it('reports what it does not understand and keeps the rest', () => {
    const { config, problems } = parseConfig('ignored: DL3008\nfailure-threshold: loud\noverride:\n  fatal: [DL3000]\n  info: [DL3002]\n');
    expect(problems).toHaveLength(3);
    expect(config.override).toEqual({ info: ['DL3002'] });
    expect(config.failureThreshold).toBe('info');
    expect(parseConfig('ignored: [').problems[0]).toMatch(/^invalid YAML/);
    expect(parseConfig('- a\n').problems).toEqual(['expected a mapping at the top level']);
  });
});

describe('applying a config', () => {
  it('drops ignored codes and changes severities', () => {
    const { config } = parseConfig('ignored: [DL3008, DL3015]\noverride:\n  error: [DL3014]\n  style: [DL3009]\n');
    expect(codes(lintDockerfile(APT, { config }))).toEqual(['DL3009:style', 'DL3014:error']);
  });

  it('without config reports hadolint severities', () => {
    expect(codes(lintDockerfile(APT))).toEqual(['DL3008:warning', 'DL3009:info', 'DL3014:warning', 'DL3015:info']);
  });

  it('can disable inline pragmas', () => {
    const text = '# hadolint global ignore=DL3006\nFROM ubuntu\n# hadolint ignore=DL3002\nUSER root\n';
    expect(lintDockerfile(text)).toEqual([]);
    const { config } = parseConfig('disable-ignore-pragma: true');
    expect(lintDockerfile(text, { config }).map((f) => f.code)).toEqual(['DL3006', 'DL3002']);
  });

  it('enables DL3026 with trustedRegistries', () => {
    const text = 'FROM debian:12 AS a\nFROM ghcr.io/o/i:1\nFROM quay.io/o/i:1\nFROM a\nFROM scratch\n';
    expect(lintDockerfile(text).filter((f) => f.code === 'DL3026')).toEqual([]);
    const { config } = parseConfig('trustedRegistries: [ghcr.io]');
    expect(
      lintDockerfile(text, { config })
        .filter((f) => f.code === 'DL3026')
        .map((f) => f.line),
    ).toEqual([1, 3]);
    const hub = parseConfig('trustedRegistries: [docker.io, ghcr.io]').config;
    expect(
      lintDockerfile(text, { config: hub })
        .filter((f) => f.code === 'DL3026')
        .map((f) => f.line),
    ).toEqual([3]);
  });

  it('applies ignored and override to compose findings too', () => {
    const { config } = parseConfig('ignored: [DVM101]\noverride:\n  error: [DVM103]\n');
    const fs = lintCompose('version: "3"\nservices:\n  a:\n    image: x:1\n    ports: ["80:80"]\n', { config });
    expect(codes(fs)).toEqual(['DVM103:error']);
  });
});

describe('exceedsThreshold', () => {
  const f = (severity: Finding['severity']): Finding => ({ file: 'D', line: 1, column: 1, code: 'X', severity, message: '' });
  it('fails at or above the threshold; info by default, as hadolint', () => {
    expect(exceedsThreshold([f('style')], DEFAULT_CONFIG)).toBe(false);
    expect(exceedsThreshold([f('info')], DEFAULT_CONFIG)).toBe(true);
    expect(exceedsThreshold([f('warning')], { failureThreshold: 'error', noFail: false })).toBe(false);
    expect(exceedsThreshold([f('error')], { failureThreshold: 'error', noFail: false })).toBe(true);
    expect(exceedsThreshold([f('style')], { failureThreshold: 'ignore', noFail: false })).toBe(true);
    expect(exceedsThreshold([f('error')], { failureThreshold: 'none', noFail: false })).toBe(false);
    expect(exceedsThreshold([f('error')], { failureThreshold: 'style', noFail: true })).toBe(false);
    expect(exceedsThreshold([], { failureThreshold: 'ignore', noFail: false })).toBe(false);
  });
});
