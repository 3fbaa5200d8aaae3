// Rule edge cases, each checked against hadolint's documented behaviour (and noted where we
// deliberately differ).
import { describe, expect, it } from 'vitest';
import { lintDockerfile } from '../../src/lint/index.ts';

/** Lines at which `code` fires. */
function at(code: string, text: string): number[] {
  return lintDockerfile(text)
    .filter((f) => f.code === code)
    .map((f) => f.line);
}

describe('apt rules', () => {
  it('DL3008 accepts =version, /release, .deb, and skips -t/-o values', () => {
    expect(at('DL3008', 'RUN apt-get install -y a=1 b/bookworm-backports ./c.deb -t bookworm -o X=1')).toEqual([]);
    expect(at('DL3008', 'RUN apt-get install -y a=1 b')).toEqual([1]);
    expect(at('DL3008', 'RUN apt-get -y install --target-release bookworm-backports a')).toEqual([1]);
    expect(at('DL3008', 'RUN apt-get update && apt-get -y upgrade')).toEqual([]);
  });

  it('DL3009 is about apt-get update without removing the lists', () => {
    expect(at('DL3009', 'FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*')).toEqual([]);
    expect(at('DL3009', 'FROM a:1\nRUN apt-get install -y x')).toEqual([]);
    expect(at('DL3009', 'RUN apt-get update')).toEqual([1]);
  });

  it('DL3009 accepts cache or tmpfs mounts at the lists, or at both apt directories', () => {
    const run = (mounts: string) => `FROM a:1\nRUN ${mounts} apt-get update && apt-get install -y x=1`;
    expect(at('DL3009', run('--mount=type=cache,target=/var/lib/apt/lists'))).toEqual([]);
    expect(at('DL3009', run('--mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt'))).toEqual([]);
    expect(at('DL3009', run('--mount=type=tmpfs,target=/var/lib/apt/lists'))).toEqual([]);
    expect(at('DL3009', run('--mount=type=cache,target=/var/lib/apt'))).toEqual([2]);
    expect(at('DL3009', run('--mount=type=cache,target=/var/cache/apt'))).toEqual([2]);
    expect(at('DL3009', run('--mount=type=bind,target=/var/lib/apt/lists'))).toEqual([2]);
  });

  it('DL3009 skips stages that no image inherits', () => {
    const build = 'FROM debian:12 AS build\nRUN apt-get update && apt-get install -y x=1\n';
    expect(at('DL3009', `${build}FROM scratch\nCOPY --from=build /x /x\n`)).toEqual([]);
    expect(at('DL3009', `${build}FROM BUILD\n`)).toEqual([2]);
    expect(at('DL3009', `${build}`)).toEqual([2]);
  });

  it('DL3014 accepts -y, --yes, --assume-yes and quiet level 2, not a single -q', () => {
    for (const f of ['-y', '--yes', '--assume-yes', '-qq', '-yq', '-q -q', '-q=2', '--quiet --quiet']) {
      expect(at('DL3014', `RUN apt-get ${f} install x=1`), f).toEqual([]);
    }
    for (const f of ['', '-q', '--quiet', '-q=1']) expect(at('DL3014', `RUN apt-get ${f} install x=1`), f).toEqual([1]);
  });

  it('DL3015 accepts the apt option form', () => {
    expect(at('DL3015', 'RUN apt-get install -y -o APT::Install-Recommends=false x=1')).toEqual([]);
    expect(at('DL3015', 'RUN apt-get install -y x=1')).toEqual([1]);
  });

  it('looks through env prefixes, paths, if/then and wrappers such as sudo, env and time', () => {
    expect(at('DL3014', 'RUN DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get install x=1')).toEqual([1]);
    expect(at('DL3014', 'RUN if true; then apt-get install x=1; fi')).toEqual([1]);
    expect(at('DL3014', 'RUN sudo apt-get install x=1')).toEqual([1]);
    expect(at('DL3014', 'RUN env DEBIAN_FRONTEND=noninteractive apt-get install x=1')).toEqual([1]);
    expect(at('DL3014', 'RUN time -p apt-get install x=1')).toEqual([1]);
    // The wrapper is still reported for itself, and wrapped commands do not make a RUN "chained".
    expect(at('DL3004', 'RUN sudo apt-get install -y x=1')).toEqual([1]);
    expect(at('DL3059', 'FROM a:1\nRUN sudo -E make\nRUN time make test')).toEqual([3]);
  });
});

describe('apk and dnf rules', () => {
  it('DL3018 accepts = and ~ pins and skips --virtual names', () => {
    expect(at('DL3018', 'RUN apk add --no-cache -t .deps a=1 b~2 ./c.apk')).toEqual([]);
    expect(at('DL3018', 'RUN apk add --no-cache --virtual .deps a')).toEqual([1]);
  });

  it('DL3019 is silenced by a cache mount at the apk cache', () => {
    expect(at('DL3019', 'RUN --mount=type=cache,target=/var/cache/apk apk add a=1')).toEqual([]);
    expect(at('DL3019', 'RUN --mount=type=cache,target=/root/.cache apk add a=1')).toEqual([1]);
  });

  it('DL3041 wants name-version for packages and name:stream for modules', () => {
    expect(at('DL3041', 'RUN dnf install -y httpd-2.4.57 python3-devel-3.9.18 x.rpm && dnf clean all')).toEqual([]);
    expect(at('DL3041', 'RUN dnf install -y python3-devel && dnf clean all')).toEqual([1]);
    expect(at('DL3041', 'RUN dnf module install -y nodejs:20 && dnf clean all')).toEqual([]);
    expect(at('DL3041', 'RUN dnf module install -y nodejs && dnf clean all')).toEqual([1]);
    expect(at('DL3041', 'RUN dnf group install -y "Development Tools" && dnf clean all')).toEqual([]);
  });

  it('DL3040 wants the clean after the install', () => {
    expect(at('DL3040', 'RUN dnf clean all && dnf install -y a-1')).toEqual([1]);
    expect(at('DL3040', 'RUN dnf install -y a-1 && rm -rf /var/cache/dnf')).toEqual([]);
    expect(at('DL3040', 'RUN --mount=type=cache,target=/var/cache/dnf dnf install -y a-1')).toEqual([]);
  });
});

describe('image and instruction rules', () => {
  it('DL3006 ignores scratch, digests, variables and earlier stage names (any case)', () => {
    const text = 'FROM debian@sha256:abc AS Base\nFROM base\nFROM ${IMG}\nFROM SCRATCH\nFROM redis\n';
    expect(at('DL3006', text)).toEqual([5]);
  });

  it('DL3002 knows root by name and uid, with or without a group', () => {
    for (const u of ['root', '0', 'root:root', '0:0', '"root"']) expect(at('DL3002', `FROM a:1\nUSER ${u}`), u).toEqual([2]);
    expect(at('DL3002', 'FROM a:1\nUSER rootless\nUSER 1000:0')).toEqual([]);
  });

  it('DL3020 reads JSON form and allows URLs and archives', () => {
    expect(at('DL3020', 'ADD ["https://x/y", "z.tgz", "/dst/"]')).toEqual([]);
    expect(at('DL3020', 'ADD --chown=1:1 ["a b.txt", "/dst/"]')).toEqual([1]);
    expect(at('DL3020', 'ADD app.zip /dst/')).toEqual([1]);
  });

  it('DL3000 accepts absolute, variable and Windows paths', () => {
    expect(at('DL3000', 'WORKDIR /app\nWORKDIR $HOME/x\nWORKDIR "/q"\nWORKDIR D:\\w')).toEqual([]);
    expect(at('DL3000', 'WORKDIR "rel"')).toEqual([1]);
  });

  it('DL4003/DL4004 count per stage', () => {
    const text = 'FROM a:1\nCMD ["a"]\nENTRYPOINT ["a"]\nFROM b:1\nCMD ["b"]\nENTRYPOINT ["b"]\nCMD ["c"]\n';
    expect(at('DL4003', text)).toEqual([7]);
    expect(at('DL4004', text)).toEqual([]);
  });
});

describe('RUN style rules', () => {
  it('DL4006 resets per stage, honours non-POSIX shells and looks into exec form', () => {
    expect(at('DL4006', 'FROM a:1\nSHELL ["bash","-eo","pipefail","-c"]\nRUN a | b\nFROM b:1\nRUN a | b')).toEqual([5]);
    expect(at('DL4006', 'FROM w:1\nSHELL ["pwsh", "-c"]\nRUN Get-Item x | Select-Object y')).toEqual([]);
    expect(at('DL4006', 'FROM a:1\nRUN ["sh", "-c", "a | b"]')).toEqual([2]);
    expect(at('DL4006', 'FROM a:1\nRUN a | b; set -o pipefail')).toEqual([2]);
    expect(at('DL4006', 'FROM a:1\nRUN a || b')).toEqual([]);
  });

  it('DL3059 needs equal flags and single commands', () => {
    expect(at('DL3059', 'RUN a\nRUN b\nRUN c')).toEqual([2, 3]);
    expect(at('DL3059', 'RUN a\nENV X=1\nRUN b')).toEqual([]);
    expect(at('DL3059', 'RUN --mount=type=secret,id=x a\nRUN --mount=type=secret,id=x b')).toEqual([2]);
  });

  it('analyses heredoc scripts only when a shell runs them', () => {
    expect(at('DL3004', 'RUN <<EOF\nsudo true\nEOF')).toEqual([1]);
    expect(at('DL3004', 'RUN bash -e <<EOF\nsudo true\nEOF')).toEqual([1]);
    expect(at('DL3004', 'RUN <<EOF\n#!/usr/bin/env python3\nimport os; os.system("sudo true")\nEOF')).toEqual([]);
    expect(at('DL3004', 'RUN cat <<EOF > /x\nsudo true\nEOF')).toEqual([]);
  });
});

describe('dockervm rules', () => {
  it('DVM001 names the variable and skips empty, valueless and *_FILE ones', () => {
    const fs = lintDockerfile('ARG NPM_TOKEN\nENV A_SECRET=""\nENV AWS_SECRET_ACCESS_KEY=x PASSWORD_FILE=/run/s\nARG my-api-key=1\n');
    expect(fs.filter((f) => f.code === 'DVM001').map((f) => [f.line, f.message.split(' ')[0]])).toEqual([
      [3, '`AWS_SECRET_ACCESS_KEY`'],
      [4, '`my-api-key`'],
    ]);
  });

  it('DVM002 catches / however it is spelled', () => {
    expect(at('DVM002', 'VOLUME //\nVOLUME /data/..\nVOLUME /data /srv\nVOLUME ["/."]')).toEqual([1, 2, 4]);
  });
});

it('sorts findings by line, then code', () => {
  const fs = lintDockerfile('FROM ubuntu\nMAINTAINER x\nRUN sudo true && cd /');
  expect(fs.map((f) => `${f.line}:${f.code}`)).toEqual(['1:DL3006', '2:DL4000', '3:DL3003', '3:DL3004']);
});
