// hadolint's SC checks: which script ShellCheck gets for each RUN (pure), and, when shellcheck is
// installed, what the real program says about hadolint's own example cases.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { shellcheckRuns } from '../../src/cli/commands/lint.ts';
import { main } from '../../src/cli/main.ts';
import { DEFAULT_CONFIG, formatSarif, parseConfig, shellcheckFindings, shellcheckScripts } from '../../src/lint/index.ts';
import { hasTool } from '../helpers/tools.ts';

const scripts = (text: string) => shellcheckScripts(text).map((s) => [s.line, s.shell, s.script]);
const exportsOf = (script: string) => [...script.matchAll(/^export (\w+)=1$/gm)].map((m) => m[1]).filter((v) => !/proxy/i.test(v!));

describe('shellcheckScripts', () => {
  it('writes the RUN behind a shebang of the shell, with the proxy variables Docker predefines', () => {
    const [s] = shellcheckScripts('FROM debian:12\nRUN echo "$HTTP_PROXY" \\\n  && ls');
    expect(s!.line).toBe(2);
    expect(s!.script.split('\n')[0]).toBe('#!/bin/sh');
    expect(s!.script).toContain('export HTTP_PROXY=1\n');
    expect(s!.script).toContain('export no_proxy=1\n');
    expect(s!.script.endsWith('echo "$HTTP_PROXY"   && ls\n')).toBe(true);
  });

  it('follows SHELL, and FROM resets it unless it builds on a named stage', () => {
    const text = [
      'FROM debian:12 AS base',
      'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]',
      'RUN echo $RANDOM',
      'FROM base',
      'RUN echo again',
      'FROM debian:12',
      'RUN echo fresh',
    ].join('\n');
    expect(scripts(text).map(([line, shell]) => [line, shell])).toEqual([
      [3, '/bin/bash'],
      [5, '/bin/bash'],
      [7, '/bin/sh'],
    ]);
  });

  it('knows ARG and ENV names of the stage; a FROM forgets them', () => {
    const text = 'ARG top\nFROM debian:12\nARG foo=bar\nENV bar=10 baz=20\nRUN echo "$foo"\nFROM debian:12\nRUN echo "$foo"';
    const [first, second] = shellcheckScripts(text);
    expect(exportsOf(first!.script)).toEqual(['foo', 'bar', 'baz']);
    expect(exportsOf(second!.script)).toEqual([]);
  });

  it('checks ONBUILD RUN with the default scope, and skips exec form and non-POSIX shells', () => {
    expect(scripts('FROM debian:12\nENV v=1\nONBUILD RUN echo "$v"').map(([line, shell]) => [line, shell])).toEqual([[3, '/bin/sh']]);
    expect(exportsOf(shellcheckScripts('FROM debian:12\nENV v=1\nONBUILD RUN echo "$v"')[0]!.script)).toEqual([]);
    expect(scripts('FROM debian:12\nRUN ["foobar", "$f"]')).toEqual([]);
    expect(scripts('FROM mcr.microsoft.com/windows\nSHELL ["pwsh", "-c"]\nRUN Get-ChildItem $x')).toEqual([]);
    expect(scripts('# hadolint shell=powershell\nFROM mcr.microsoft.com/windows\nRUN Get-ChildItem $x')).toEqual([]);
    expect(scripts('FROM debian:12\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n')).toEqual([]);
  });
});

describe('shellcheckFindings', () => {
  const text = 'FROM debian:12\n# hadolint ignore=SC2086\nRUN echo $a\nRUN echo $b\nRUN echo $c';
  const s = shellcheckScripts(text);
  const quote = { code: 2086, level: 'info', message: 'Double quote to prevent globbing and word splitting.' };

  it('reports each code once per RUN line, honouring inline pragmas', () => {
    const found = shellcheckFindings(text, s, [[quote], [quote, quote], [{ ...quote, code: 2154, level: 'warning' }]]);
    expect(found.map((f) => `${f.line} ${f.code} ${f.severity}`)).toEqual(['4 SC2086 info', '5 SC2154 warning']);
  });

  it('applies .hadolint.yaml ignored and override to SC codes', () => {
    const { config } = parseConfig('ignored: [SC2154]\noverride:\n  error: [SC2086]\n');
    const found = shellcheckFindings(text, s, [[quote], [quote], [{ ...quote, code: 2154 }]], { config, file: 'vm/Dockerfile' });
    expect(found.map((f) => `${f.file}:${f.line} ${f.code} ${f.severity}`)).toEqual(['vm/Dockerfile:4 SC2086 error']);
    expect(shellcheckFindings(text, s, [[], [], [{ ...quote, code: 2187 }]], { config: DEFAULT_CONFIG })).toEqual([]);
  });

  it('describes SC rules in SARIF with their ShellCheck wiki page', () => {
    const sarif = JSON.parse(formatSarif(shellcheckFindings(text, s, [[], [quote], []])));
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'SC2086');
    expect(rule.helpUri).toBe('https://www.shellcheck.net/wiki/SC2086');
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine).toBe(4);
  });
});

describe.runIf(hasTool('shellcheck'))('with the real shellcheck (hadolint’s Shellcheck cases)', () => {
  const sc = (text: string) =>
    shellcheckRuns(text, DEFAULT_CONFIG, 'Dockerfile')
      .findings.filter((f) => f.code.startsWith('SC'))
      .map((f) => `${f.line} ${f.code}`);

  it('flags an unquoted variable and passes a clean RUN and exec form', () => {
    expect(sc('RUN echo $MISSING_QUOTES')).toEqual(['1 SC2086']);
    expect(sc('ONBUILD RUN echo $MISSING_QUOTES')).toEqual(['1 SC2086']);
    expect(sc('RUN echo foo')).toEqual([]);
    expect(sc('RUN ["foobar", "$f"]')).toEqual([]);
  });

  it('knows the proxy variables, ARG and ENV, and forgets them after FROM', () => {
    expect(sc(['RUN echo "$HTTP_PROXY"', 'RUN echo "$no_proxy"'].join('\n'))).toEqual([]);
    expect(sc('RUN echo "$rttp_proxy"')).toEqual(['1 SC2154']);
    expect(sc('ARG foo=bar\nENV bar=10\nRUN echo "$foo" "$bar"')).toEqual([]);
    expect(sc('ARG foo=bar\nFROM debian\nRUN echo "$foo"')).toEqual(['3 SC2154']);
  });

  it('checks sh by default and the SHELL given, until the next FROM', () => {
    expect(sc('RUN echo $RANDOM')).toEqual(['1 SC3028']);
    expect(sc('SHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nRUN echo $RANDOM')).toEqual([]);
    expect(sc('SHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nFROM debian\nRUN echo $RANDOM')).toEqual(['3 SC3028']);
    expect(sc('SHELL ["/bin/ash", "-o", "pipefail", "-c"]\nRUN echo hello')).toEqual([]);
  });

  it('dockervm lint reports them with the built-in findings, and --no-external leaves them out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockervm-lint-sc-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM debian:12\nRUN echo $x\nONBUILD RUN sudo ls $y\n');
    const lint = async (...args: string[]) => {
      let out = '';
      const stdout = new Writable({
        write(chunk, _encoding, done) {
          out += chunk.toString();
          done();
        },
      });
      const stderr = new Writable({ write: (_c, _e, done) => done() });
      const env = { NO_COLOR: '1', PATH: process.env.PATH, HOME: '/nonexistent' };
      const code = await main(['lint', '--project-dir', dir, '--format', 'json', ...args], {
        stdout,
        stderr,
        stdinIsTTY: false,
        env,
        cwd: dir,
        confirm: async () => false,
      });
      return { code, codes: (JSON.parse(out) as { line: number; code: string }[]).map((f) => `${f.line} ${f.code}`) };
    };
    const full = await lint();
    expect(full.code).toBe(1);
    expect(full.codes).toEqual(expect.arrayContaining(['2 SC2086', '3 DL3004', '3 SC2086']));
    const builtIn = await lint('--no-external');
    expect(builtIn.codes.filter((c) => c.includes(' SC'))).toEqual([]);
    expect(builtIn.codes).toContain('3 DL3004');
  });

  it('has nothing to check in a Dockerfile without shell-form RUNs', () => {
    expect(shellcheckRuns('FROM scratch\nCOPY a /a\n', DEFAULT_CONFIG, 'Dockerfile').status).toBe('nothing-to-check');
  });
});
