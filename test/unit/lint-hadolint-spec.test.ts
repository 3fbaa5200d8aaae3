// The rules we share with hadolint, as a table: Dockerfile snippet → lines the rule reports.
// The cases follow hadolint's rule specifications (its test suite); where we differ on purpose the
// row says so. Every single-RUN row of a rule hadolint also applies inside ONBUILD is checked a
// second time as `ONBUILD RUN …`, which must give the same lines.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LintConfig, lintDockerfile } from '../../src/lint/index.ts';

type Row = [snippet: string, lines: number[]];

function at(code: string, text: string, config: LintConfig = DEFAULT_CONFIG): number[] {
  return lintDockerfile(text, { config })
    .filter((f) => f.code === code)
    .map((f) => f.line);
}

const TABLE: Record<string, Row[]> = {
  DL3004: [
    ['RUN sudo apt-get update', [1]],
    ['RUN apt-get update && sudo apt-get install -y x', [1]],
    ['RUN gosu nobody make', []],
  ],
  DL3007: [
    ['FROM debian:latest', [1]],
    ['FROM debian:latest AS build', [1]],
    ['FROM debian:latest@sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb', []],
    ['FROM debian:bookworm', []],
  ],
  DL3008: [
    ['RUN apt-get update && apt-get install -y curl', [1]],
    ['RUN apt-get install -y curl=8.5.0-2 ./local.deb', []],
  ],
  DL3009: [
    ['FROM debian:12\nRUN apt-get update && apt-get install -y x=1', [2]],
    ['FROM debian:12\nRUN apt update && apt install -y x=1', [2]],
    ['FROM debian:12\nRUN aptitude update && aptitude install -y x=1', [2]],
    ['FROM debian:12\nRUN apt-get update && apt-get install -y x=1 && rm -rf /var/lib/apt/lists/*', []],
    ['FROM debian:12 AS build\nRUN apt-get update\nFROM scratch', []],
    ['FROM debian:12 AS build\nRUN apt-get update\nFROM build', [2]],
  ],
  DL3013: [
    ['RUN pip install requests', [1]],
    ['RUN pip3 install requests==2.32.3 flask', [1]],
    ['RUN python3 -m pip install requests', [1]],
    ['RUN pip install requests==2.32.3', []],
    ['RUN pip install "requests>=2.30" \'idna<4\' six!=1.0 attrs~=23.1 x===1', []],
    ['RUN pip install -r requirements.txt', []],
    ['RUN pip install --requirement requirements.txt', []],
    ['RUN pip install -c constraints.txt requests', []],
    ['RUN pip install .', []],
    ['RUN pip install ./dist/app.whl /src/pkg.tar.gz ./vendored/lib', []],
    ['RUN pip install git+https://example.com/repo.git', [1]],
    ['RUN pip install git+https://example.com/repo.git@v1.2', []],
    ['RUN pip install --index-url https://mirror/simple --target /opt/x tool==1', []],
    ['RUN pipenv install requests', []],
  ],
  DL3014: [
    ['RUN apt-get install curl=1', [1]],
    ['RUN apt-get install -q curl=1', [1]],
    ['RUN apt-get install --quiet curl=1', [1]],
    ['RUN apt-get install -yq curl=1', []],
    ['RUN apt-get --assume-yes install curl=1', []],
    ['RUN apt-get install -qq curl=1', []],
    ['RUN apt-get install -q -q curl=1', []],
    ['RUN apt-get install -q=2 curl=1', []],
    ['RUN apt-get install --quiet --quiet curl=1', []],
  ],
  DL3015: [
    ['RUN apt-get install -y curl=1', [1]],
    ['RUN apt-get install -y --no-install-recommends curl=1', []],
  ],
  DL3016: [
    ['RUN npm install express', [1]],
    ['RUN npm install express@4.19.2 @types/node', [1]],
    ['RUN npm install express@4.19.2 @types/node@20.1.0', []],
    ['RUN npm install', []],
    ['RUN npm install --loglevel verbose --registry https://r.example express@4', []],
    ['RUN npm install git+https://example.com/x.git', [1]],
    ['RUN npm install git+https://example.com/x.git#v1.0.0 ./local ../up ~/home /abs pkg.tgz', []],
    ['RUN npm ci', []],
  ],
  DL3018: [
    ['RUN apk add --no-cache flex', [1]],
    ['RUN apk add --no-cache flex=2.6.4-r1 libffi', [1]],
    ['RUN apk add --no-cache "flex>=2.6.1-r1" "libffi~3.2.1" "bash<6" ./local.apk', []],
    ['RUN apk add --no-cache --virtual .build-deps gcc=13.2.1-r0', []],
  ],
  DL3019: [
    ['RUN apk add flex=2.6.4-r1', [1]],
    ['RUN apk add --no-cache flex=2.6.4-r1', []],
    ['RUN --mount=type=cache,target=/var/cache/apk apk add -U curl=8', []],
  ],
  DL3022: [
    ['COPY --from=foo bar .', [1]],
    ['FROM scratch AS foo\nFROM scratch\nCOPY --from=foo bar .', []],
    ['FROM scratch AS Foo\nCOPY --from=foo bar .', []],
    ['COPY --from=0 bar .', [1]],
    ['FROM scratch\nCOPY --from=0 bar .', []],
    ['FROM scratch\nCOPY --from=1 bar .', [2]],
    ['COPY --from=haskell:latest bar .', []],
    ['COPY --from=registry.example.com/tools bar .', []],
  ],
  DL3024: [
    ['FROM debian:12 AS a\nFROM debian:12 AS b\nFROM debian:12 AS a', [3]],
    ['FROM debian:12 AS a\nFROM debian:12 AS b', []],
    ['FROM debian:12 AS build\nFROM debian:12 AS BUILD', [2]],
  ],
  DL3025: [
    ['CMD echo hi', [1]],
    ['ENTRYPOINT /bin/app', [1]],
    ['HEALTHCHECK CMD curl -f http://localhost/', [1]],
    ['HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]', []],
    ['HEALTHCHECK NONE', []],
    ['CMD ["app"]', []],
  ],
  DL3027: [['FROM debian:12\nRUN apt install -y curl=1', [2]]],
  DL3032: [
    ['RUN yum install -y mariadb-10.4', [1]],
    ['RUN yum install -y mariadb-10.4 && yum clean all', []],
    ['RUN yum install -y mariadb-10.4 && rm -rf /var/cache/yum/*', []],
    ['RUN yum clean all && yum install -y mariadb-10.4', [1]],
    ['RUN dnf install -y x-1 && dnf clean all', []],
  ],
  DL3033: [
    ['RUN yum install -y tomcat && yum clean all', [1]],
    ['RUN yum install -y tomcat-9.2 openssl-1:1.1.1k gcc-c++-1.1.1 && yum clean all', []],
    ['RUN yum module install -y tomcat && yum clean all', [1]],
    ['RUN yum module install -y tomcat:9 && yum clean all', []],
    ['FROM centos:7\nARG v=1.2\nRUN yum install -y git-${v} && yum clean all', []],
  ],
  DL3040: [
    ['RUN dnf install -y mariadb-10.4', [1]],
    ['RUN dnf in -y mariadb-10.4', [1]],
    ['RUN microdnf install -y mariadb-10.4', [1]],
    ['RUN dnf -y upgrade', [1]],
    ['RUN dnf -y up', [1]],
    ['RUN dnf -y upgrade-minimal', [1]],
    ['RUN dnf -y up-min', [1]],
    ['RUN dnf -y reinstall x-1', [1]],
    ['RUN dnf -y rei x-1', [1]],
    ['RUN dnf install -y mariadb-10.4 && dnf clean all', []],
    ['RUN dnf in -y mariadb-10.4 && dnf clean all', []],
    // Another tool's clean leaves dnf's cache behind.
    ['RUN dnf install -y mariadb-10.4 && microdnf clean all', [1]],
    ['RUN dnf clean all && dnf install -y mariadb-10.4', [1]],
    ['RUN dnf install -y mariadb-10.4 && rm -rf /var/cache/libdnf5*', []],
    ['RUN dnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*', []],
    ['RUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y mariadb-10.4', []],
    ['RUN --mount=type=tmpfs,target=/var/cache/libdnf5 microdnf install -y mariadb-10.4', []],
    ['RUN --mount=type=cache,target=/root/.cache/libdnf5 dnf install -y mariadb-10.4', []],
    ['RUN --mount=type=bind,target=/var/cache/libdnf5 dnf install -y mariadb-10.4', [1]],
    ['RUN notdnf install mariadb', []],
  ],
  DL3041: [
    ['RUN dnf install -y tomcat && dnf clean all', [1]],
    ['RUN dnf in -y tomcat && dnf clean all', [1]],
    ['RUN microdnf install -y rpm-sign && microdnf clean all', [1]],
    ['RUN dnf install -y tomcat-9.0.1 rpm-sign-4.16.1.3 gcc-c++-1.1.1 openssl-1:1.1.1k && dnf clean all', []],
    ['RUN dnf module install -y tomcat && dnf clean all', [1]],
    ['RUN dnf module install -y tomcat:9 && dnf clean all', []],
    ['RUN dnf -y group install "Development Tools" && dnf clean all', []],
    ['FROM fedora:42\nENV version=2.51.0-2.fc42\nRUN dnf -y install git-core-${version}', []],
    ['FROM fedora:42\nARG version=2.51.0-2.fc42\nRUN dnf -y install git-core-$version', []],
    ['FROM fedora:42 AS a\nARG version=2.51.0\nFROM fedora:42\nRUN dnf -y install git-core-${version}', []],
    ['FROM fedora:42 AS a\nENV version=2.51.0\nFROM a\nRUN dnf -y install git-core-${version}', []],
    ['FROM fedora:42 AS a\nENV version=2.51.0\nFROM fedora:42\nRUN dnf -y install git-core-${version}', [4]],
    ['FROM fedora:42\nRUN dnf -y install git-core-${undefined}', [2]],
  ],
  DL3042: [
    ['RUN pip install requests==2', [1]],
    ['RUN python -m pip install requests==2', [1]],
    ['RUN pip install --no-cache-dir requests==2', []],
    ['RUN pipx install black', []],
    ['RUN python -m pipenv install', []],
    ['RUN PIP_NO_CACHE_DIR=1 pip install requests==2', []],
    ['RUN export PIP_NO_CACHE_DIR=yes && pip install requests==2', []],
    ['RUN PIP_NO_CACHE_DIR=off pip install requests==2', [1]],
    ['RUN --mount=type=cache,target=/root/.cache/pip pip install requests==2', []],
    ['FROM python:3.12\nENV PIP_NO_CACHE_DIR=on\nRUN pip install requests==2', []],
    ['FROM python:3.12\nENV PIP_NO_CACHE_DIR=false\nRUN pip install requests==2', [3]],
    ['FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install requests==2', []],
    ['FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM python:3.12\nRUN pip install requests==2', [4]],
  ],
  DL3047: [
    ['RUN wget https://example.com/x', [1]],
    ['RUN wget --progress=dot:giga https://example.com/x', []],
    ['RUN wget -q https://example.com/x', []],
    ['RUN wget -qO- https://example.com/x', []],
    ['RUN wget --quiet https://example.com/x', []],
    ['RUN wget -nv https://example.com/x', []],
    ['RUN wget --no-verbose https://example.com/x', []],
    ['RUN wget -o log https://example.com/x', []],
    ['RUN wget -a log https://example.com/x', []],
    ['RUN wget -O out https://example.com/x', [1]],
  ],
  DL4001: [
    ['FROM debian:12\nRUN wget -q x\nRUN curl -f y', [3]],
    ['FROM debian:12\nRUN wget -q x && curl -f y', [2]],
    ['FROM debian:12\nRUN curl -f x\nFROM debian:12\nRUN wget -q y', []],
    ['FROM debian:12\nRUN curl -f x\nRUN wget -q y\nRUN curl -f z', [3, 4]],
    ['FROM debian:12\nRUN curl -f x\nRUN echo done', []],
  ],
};

// hadolint checks these inside ONBUILD too (its `onbuild` combinator); DL3003, DL3059 and DL4006 it does not.
const ONBUILD_RULES = [
  'DL3004',
  'DL3008',
  'DL3009',
  'DL3013',
  'DL3014',
  'DL3015',
  'DL3016',
  'DL3018',
  'DL3019',
  'DL3027',
  'DL3040',
  'DL3041',
  'DL3042',
  'DL3047',
  'DL4001',
];

describe.each(Object.entries(TABLE))('%s', (code, rows) => {
  it.each(rows)('%s → %j', (snippet, lines) => {
    expect(at(code, snippet)).toEqual(lines);
  });

  const single = rows.filter(([s]) => /^RUN /.test(s) && !s.includes('\n'));
  it.runIf(ONBUILD_RULES.includes(code) && single.length > 0)('the same inside ONBUILD', () => {
    for (const [snippet, lines] of single) expect(at(code, `ONBUILD ${snippet}`), snippet).toEqual(lines);
  });
});

describe('ONBUILD', () => {
  it('reports the ONBUILD line, behind other instructions', () => {
    const text = 'FROM debian:12\nWORKDIR /app\nONBUILD RUN apt-get update && apt-get install python\n';
    expect(lintDockerfile(text).map((f) => `${f.line} ${f.code}`)).toEqual(['3 DL3008', '3 DL3009', '3 DL3014', '3 DL3015']);
  });

  it('is not exempt from DL3009 in a stage no image inherits: the trigger runs in the child', () => {
    expect(at('DL3009', 'FROM debian:12 AS build\nONBUILD RUN apt-get update\nFROM scratch\n')).toEqual([2]);
  });

  it('sees no ENV of the stage (the child image decides)', () => {
    expect(at('DL3041', 'FROM fedora:42\nENV v=1\nONBUILD RUN dnf -y install git-${v} && dnf clean all')).toEqual([3]);
    expect(at('DL3042', 'FROM python:3\nENV PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install x==1')).toEqual([3]);
  });

  it('honours the trigger’s own mounts', () => {
    expect(at('DL3040', 'ONBUILD RUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y x-1')).toEqual([]);
  });

  it('leaves out the rules hadolint does not apply there', () => {
    const text = 'FROM debian:12\nONBUILD RUN cd /x && make\nONBUILD RUN echo a | wc -c\nONBUILD RUN a\nONBUILD RUN b\n';
    for (const code of ['DL3003', 'DL4006', 'DL3059']) expect(at(code, text), code).toEqual([]);
  });

  it('a pragma before the ONBUILD silences its findings', () => {
    expect(at('DL3014', '# hadolint ignore=DL3014\nONBUILD RUN apt-get install x=1')).toEqual([]);
  });
});

describe('DL3026 trusted registries', () => {
  const trusted = (...trustedRegistries: string[]): LintConfig => ({ ...DEFAULT_CONFIG, trustedRegistries });

  it('is off without a list', () => {
    expect(at('DL3026', 'FROM random.com/debian')).toEqual([]);
  });

  it('checks FROM against exact and wildcard entries', () => {
    expect(at('DL3026', 'FROM random.com/debian', trusted('x.com', 'random.com'))).toEqual([]);
    expect(at('DL3026', 'FROM x.com/debian', trusted('*.random.com'))).toEqual([1]);
    expect(at('DL3026', 'FROM foo.random.com/debian', trusted('x.com', '*.random.com'))).toEqual([]);
    expect(at('DL3026', 'FROM registry.corp/x:1', trusted('registry.*'))).toEqual([]);
    expect(at('DL3026', 'FROM ubuntu:18.04\nFROM zemanlx/ubuntu:18.04\nFROM docker.io/zemanlx/ubuntu:18.04', trusted('*'))).toEqual([]);
  });

  it('treats images without a registry as Docker Hub', () => {
    const hub = 'FROM ubuntu:18.04 AS a\nFROM zemanlx/ubuntu:18.04 AS b\nFROM docker.io/zemanlx/ubuntu:18.04 AS c';
    expect(at('DL3026', hub, trusted('docker.io'))).toEqual([]);
    expect(at('DL3026', hub, trusted('trusted.com'))).toEqual([1, 2, 3]);
  });

  it('skips scratch and earlier stages', () => {
    expect(at('DL3026', 'FROM scratch', trusted('x.com'))).toEqual([]);
    expect(at('DL3026', 'FROM random.com/foo AS b1\nFROM b1 AS b2', trusted('random.com'))).toEqual([]);
  });

  it('checks COPY --from and RUN --mount from= images, not stage names or numbers', () => {
    const cfg = trusted('trusted.com');
    expect(at('DL3026', 'COPY --from=untrusted.com/repo/image:tag /foo /bar', cfg)).toEqual([1]);
    expect(at('DL3026', 'COPY --from=trusted.com/repo/image:tag /foo /bar', cfg)).toEqual([]);
    expect(at('DL3026', 'RUN --mount=type=bind,from=untrusted.com/repo/image:tag,target=/foo foobar', cfg)).toEqual([1]);
    expect(at('DL3026', 'RUN --mount=type=cache,from=untrusted.com/repo/image:tag,target=/foo foobar', cfg)).toEqual([1]);
    expect(at('DL3026', 'RUN --mount=type=cache,from=trusted.com/repo/image:tag,target=/foo foobar', cfg)).toEqual([]);
    expect(at('DL3026', 'RUN --mount=type=cache,target=/foo foobar', cfg)).toEqual([]);
    expect(at('DL3026', 'FROM trusted.com/a AS build\nCOPY --from=build /x /x\nCOPY --from=0 /y /y', cfg)).toEqual([]);
  });
});
