// The Dockerfile parser: continuations, escape directive, heredocs, exec form, flags, stages,
// key=value forms and hadolint pragmas.
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/lint/dockerfile.ts';
import { parseImageRef, parseKeyValues, parseMount, cleanPath } from '../../src/lint/words.ts';

describe('parseDockerfile', () => {
  it('joins continuation lines, skipping comments and blank lines inside them, and keeps the start line', () => {
    const df = parseDockerfile('FROM debian:12\n\nRUN apt-get update \\\n    # why\n\n    && apt-get install -y jq\nUSER nobody\n');
    const run = df.instructions[1]!;
    expect(run).toMatchObject({ keyword: 'RUN', line: 3, endLine: 6 });
    expect(run.args).toBe('apt-get update     && apt-get install -y jq');
    expect(df.instructions[2]).toMatchObject({ keyword: 'USER', line: 7 });
  });

  it('accepts whitespace after the escape character and CRLF line ends', () => {
    const df = parseDockerfile('FROM a:1\r\nRUN echo a \\  \r\n  b\r\n');
    expect(df.instructions[1]!.args).toBe('echo a   b');
  });

  it('honours the escape directive: backtick continues, backslash is literal', () => {
    const df = parseDockerfile('# escape=`\nFROM w:1\nRUN dir C:\\ `\n  /s\nWORKDIR C:\\app\n');
    expect(df.escape).toBe('`');
    expect(df.directives).toEqual({ escape: '`' });
    expect(df.instructions.map((i) => [i.line, i.keyword, i.args])).toEqual([
      [2, 'FROM', 'w:1'],
      [3, 'RUN', 'dir C:\\   /s'],
      [5, 'WORKDIR', 'C:\\app'],
    ]);
  });

  it('reads directives only at the top of the file', () => {
    const df = parseDockerfile('# syntax=docker/dockerfile:1\n# note\n# escape=`\nFROM a:1\n');
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(df.escape).toBe('\\');
    expect(df.comments.map((c) => c.line)).toEqual([2, 3]);
  });

  it('collects heredoc bodies for RUN and COPY, with <<- stripping tabs', () => {
    const df = parseDockerfile('FROM a:1\nRUN <<EOF\napt-get update\nEOF\nCOPY <<-"CONF" /etc/x\n\tkey=1\n\tCONF\nCMD ["x"]\n');
    const [, run, copy, cmd] = df.instructions;
    expect(run!.heredocs).toEqual([{ marker: 'EOF', body: 'apt-get update\n', stripTabs: false, quoted: false, line: 3 }]);
    expect(run!.endLine).toBe(4);
    expect(copy!.heredocs[0]).toMatchObject({ marker: 'CONF', body: 'key=1\n', stripTabs: true, quoted: true });
    expect(cmd).toMatchObject({ keyword: 'CMD', line: 8 });
  });

  it('reads several heredocs of one instruction in order', () => {
    const df = parseDockerfile('RUN cat <<A <<B\none\nA\ntwo\nB\nUSER x\n');
    expect(df.instructions[0]!.heredocs.map((h) => h.body)).toEqual(['one\n', 'two\n']);
    expect(df.instructions[1]!.line).toBe(6);
  });

  it('does not mistake a quoted << or a shift for a heredoc', () => {
    const df = parseDockerfile('RUN echo "<<EOF" && echo $((1<<2))\nUSER x\n');
    expect(df.instructions[0]!.heredocs).toEqual([]);
    expect(df.instructions).toHaveLength(2);
  });

  it('tells exec (JSON) form from shell form', () => {
    const df = parseDockerfile('CMD ["node", "a.js"]\nCMD node a.js\nENTRYPOINT [not json]\nSHELL ["/bin/bash","-c"]\n');
    expect(df.instructions.map((i) => i.json)).toEqual([['node', 'a.js'], null, null, ['/bin/bash', '-c']]);
  });

  it('splits leading flags from arguments only for instructions that take flags', () => {
    const df = parseDockerfile(
      'FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n' +
        'COPY --from=build --chown=1000:1000 --link /out /app\n' +
        'RUN --mount=type=cache,target=/root/.cache --network=none go build\n' +
        'CMD --help\n',
    );
    const [from, copy, run, cmd] = df.instructions;
    expect(from!.flags).toEqual([{ name: 'platform', value: '$BUILDPLATFORM' }]);
    expect(copy!.flags).toEqual([
      { name: 'from', value: 'build' },
      { name: 'chown', value: '1000:1000' },
      { name: 'link', value: null },
    ]);
    expect(copy!.args).toBe('/out /app');
    expect(run!.flags.map((f) => f.name)).toEqual(['mount', 'network']);
    expect(run!.args).toBe('go build');
    expect(cmd!.flags).toEqual([]);
    expect(cmd!.args).toBe('--help');
  });

  it('records stages with names, platforms and the stage of each instruction', () => {
    const df = parseDockerfile('ARG V=1\nFROM --platform=linux/amd64 debian:12 AS Base\nRUN x\nFROM base\n');
    expect(df.stages).toEqual([
      { index: 0, line: 2, image: { raw: 'debian:12', name: 'debian', tag: '12' }, name: 'Base', platform: 'linux/amd64' },
      { index: 1, line: 4, image: { raw: 'base', name: 'base' } },
    ]);
    expect(df.instructions.map((i) => i.stage)).toEqual([-1, 0, 0, 1]);
  });

  it('attaches `# hadolint ignore=` to the next instruction only, and collects global ignores', () => {
    const df = parseDockerfile('# hadolint global ignore=DL3059\nFROM a:1\n# hadolint ignore=DL3008, dl3015\n# unrelated\nRUN x\nRUN y\n');
    expect(df.globalIgnores).toEqual(['DL3059']);
    expect(df.instructions.map((i) => i.ignores)).toEqual([[], ['DL3008', 'DL3015'], []]);
  });

  it('parses lower-case keywords and never throws on junk', () => {
    expect(parseDockerfile('from a:1\nrun x').instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN']);
    expect(() => parseDockerfile('RUN \\\n')).not.toThrow();
    expect(() => parseDockerfile('RUN <<EOF\nno end')).not.toThrow();
    expect(parseDockerfile('').instructions).toEqual([]);
    // A line holding only the escape character once crashed the parser (found by fuzzing).
    expect(parseDockerfile('FROM a:1\n\\\nRUN x\n').instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN']);
    expect(parseDockerfile('\\').instructions).toEqual([]);
  });
});

describe('words', () => {
  it('parses ENV, LABEL and ARG forms', () => {
    expect(parseKeyValues('A=1 B="two words" C=\'x y\'', 'ENV')).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'two words' },
      { key: 'C', value: 'x y' },
    ]);
    expect(parseKeyValues('PATH /usr/bin:/bin  with spaces', 'ENV')).toEqual([{ key: 'PATH', value: '/usr/bin:/bin  with spaces' }]);
    expect(parseKeyValues('TOKEN VERSION=2', 'ARG')).toEqual([
      { key: 'TOKEN', value: null },
      { key: 'VERSION', value: '2' },
    ]);
    expect(parseKeyValues('"org.opencontainers.image.title"="My app"', 'LABEL')).toEqual([{ key: 'org.opencontainers.image.title', value: 'My app' }]);
  });

  it('parses image references', () => {
    expect(parseImageRef('localhost:5000/team/app:1.2@sha256:abc')).toEqual({
      raw: 'localhost:5000/team/app:1.2@sha256:abc',
      registry: 'localhost:5000',
      name: 'team/app',
      tag: '1.2',
      digest: 'sha256:abc',
    });
    expect(parseImageRef('library/debian')).toEqual({ raw: 'library/debian', name: 'library/debian' });
    expect(parseImageRef('ghcr.io/o/i')).toMatchObject({ registry: 'ghcr.io', name: 'o/i' });
  });

  it('parses mounts and cleans paths', () => {
    expect(parseMount('type=cache,target=/var/lib/apt,sharing=locked')).toMatchObject({ type: 'cache', target: '/var/lib/apt' });
    expect(parseMount('dst=/x,readonly')).toMatchObject({ type: 'bind', target: '/x', options: { readonly: 'true' } });
    expect(['/', '//', '/data/..', '/.'].map(cleanPath)).toEqual(['/', '/', '/', '/']);
    expect(cleanPath('/var//lib/apt/')).toBe('/var/lib/apt');
  });
});
