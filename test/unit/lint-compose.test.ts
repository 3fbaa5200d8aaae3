// Compose linting: lines from YAML node ranges and the engine's own wording.
import { describe, expect, it } from 'vitest';
import { lintCompose } from '../../src/lint/index.ts';

describe('lintCompose', () => {
  it('reports invalid YAML instead of throwing', () => {
    const fs = lintCompose('services:\n  a:\n    image: [x\n');
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ code: 'DVM100', severity: 'error', file: 'compose.yaml' });
  });

  it('ignores documents that are not a mapping', () => {
    expect(lintCompose('')).toEqual([]);
    expect(lintCompose('- a\n- b\n')).toEqual([]);
    expect(lintCompose('services: []\n')).toEqual([]);
  });

  it("quotes the engine's refusal for a mount at /", () => {
    const [f] = lintCompose('services:\n  a:\n    volumes:\n      - //\n');
    expect(f).toMatchObject({ code: 'DVM102', line: 4, severity: 'error' });
    expect(f!.message).toContain(`invalid mount config for type "volume": invalid specification: destination can't be '/'`);
  });

  it('accepts a tmpfs given as a single string', () => {
    expect(lintCompose('services:\n  a:\n    tmpfs: /\n').map((f) => [f.line, f.code])).toEqual([[3, 'DVM102']]);
    expect(lintCompose('services:\n  a:\n    tmpfs: /run\n')).toEqual([]);
  });

  it('treats :: as all interfaces and a named host IP as bound', () => {
    const text = 'services:\n  a:\n    ports:\n      - "[::]:80:80"\n      - "10.0.0.5:81:81"\n      - target: 82\n        host_ip: "::"\n';
    expect(lintCompose(text).map((f) => f.line)).toEqual([4, 6]);
  });

  it('names the service in messages', () => {
    const [f] = lintCompose('services:\n  db:\n    privileged: true\n');
    expect(f!.message).toMatch(/^service "db": privileged: true/);
    expect(f!.severity).toBe('warning');
  });
});
