// `dockervm pin` against a real registry (Debian's docker-registry on loopback): a multi-arch index
// and a single manifest, a Docker Hub image through --registry-mirror, stale pins, and an
// unreachable registry. The files change only where a reference is pinned.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockervm, requireBuiltDockervm, scratchDir } from '../helpers/dockervm-engine.ts';
import {
  findRegistryBinary,
  OCI_TYPES,
  DOCKER_TYPES,
  pushMultiArch,
  pushPlatformImage,
  sha256Digest,
  startRegistry,
  type RegistryServer,
} from '../helpers/registry-server.ts';

const haveRegistry = Boolean(findRegistryBinary());
if (!haveRegistry) {
  if (process.env.CI) throw new Error('docker-registry is required in CI (.ci/run installs it)');
  process.stderr.write('skipping dockervm pin tests: docker-registry is not on PATH (apt-get install docker-registry)\n');
}

interface PinJson {
  ok: boolean;
  references: { file: string; line: number; reference: string; status: string; digest: string | null }[];
  written?: string[];
}

describe.skipIf(!haveRegistry)('dockervm pin against a local registry', () => {
  let registry: RegistryServer;
  const scratch = scratchDir();
  const dir = join(scratch.path, 'p');
  let multi: { index: string; amd64: string };
  let hub: { index: string };
  let single: string;
  let dockerfile = '';
  let compose = '';

  beforeAll(async () => {
    requireBuiltDockervm();
    registry = await startRegistry();
    multi = await pushMultiArch(registry, 'library/testimg', 'multi', OCI_TYPES);
    single = multi.amd64;
    hub = await pushMultiArch(registry, 'library/debian', 'bookworm-slim', DOCKER_TYPES);
    mkdirSync(dir, { recursive: true });
    dockerfile = [
      '# a comment that stays',
      'ARG BASE=busybox',
      `FROM --platform=linux/amd64 ${registry.host}/library/testimg:multi AS build`,
      'RUN echo hi > /x',
      '',
      '# NOT PINNED (offline when created): run `npx dockervm pin` once the registry is reachable.',
      'FROM debian:bookworm-slim',
      'COPY --from=build /x /x',
      'FROM build AS again',
      'FROM scratch',
      'FROM $BASE',
      '',
    ].join('\n');
    compose = [
      'name: p',
      'services:',
      '  vm:',
      '    build: .',
      '    image: p:latest # our own image',
      '  single:',
      `    image: "${registry.host}/library/testimg:amd64-only"   # quoted, and a comment`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    writeFileSync(join(dir, 'compose.yaml'), compose);
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
    scratch.cleanup();
  });

  // No engine: its registry mirrors would be asked before --registry-mirror (see dockervm-pin-mirrors.test.ts).
  const pin = (...args: string[]) =>
    dockervm(['pin', '--registry-mirror', registry.url, '--timeout', '5', ...args], { cwd: dir, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
  const json = (...args: string[]) => {
    const result = pin(...args, '--json');
    return { status: result.status, data: JSON.parse(result.stdout) as PinJson, stderr: result.stderr };
  };

  it('--check lists what is unpinned and exits 1, writing nothing', () => {
    const { status, data } = json('--check');
    expect(status).toBe(1);
    const byRef = Object.fromEntries(data.references.map((r) => [r.reference, r.status]));
    expect(byRef).toEqual({
      [`${registry.host}/library/testimg:multi`]: 'unpinned',
      'debian:bookworm-slim': 'unpinned',
      build: 'skipped',
      scratch: 'skipped',
      $BASE: 'skipped',
      'p:latest': 'skipped',
      [`${registry.host}/library/testimg:amd64-only`]: 'unpinned',
    });
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
  });

  it('pins to the index digest (multi-arch) and the manifest digest (single), changing nothing else', () => {
    const { status, data } = json();
    expect(status).toBe(0);
    expect(data.written?.sort()).toEqual(['Dockerfile', 'compose.yaml']);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(
      dockerfile
        .replace(`testimg:multi AS`, `testimg:multi@${multi.index} AS`)
        .replace('# NOT PINNED (offline when created): run `npx dockervm pin` once the registry is reachable.\n', '')
        .replace('FROM debian:bookworm-slim', `FROM debian:bookworm-slim@${hub.index}`),
    );
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toBe(compose.replace('amd64-only"', `amd64-only@${single}"`));
    expect(pin('--check').status).toBe(0);
  });

  it('finds stale pins when a tag moves on, and --update moves them', async () => {
    // The tag now points at an index of amd64 only: a different digest.
    const amd64 = await pushPlatformImage(registry, 'library/testimg', 'amd64', OCI_TYPES);
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_TYPES.index, manifests: [{ mediaType: OCI_TYPES.manifest, ...amd64 }] });
    await registry.pushManifest('library/testimg', 'multi', OCI_TYPES.index, index);
    const check = json('--check');
    expect(check.status).toBe(1);
    expect(check.data.references.find((r) => r.reference.includes('testimg:multi'))).toMatchObject({ status: 'stale', digest: sha256Digest(index) });

    const before = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(pin().status).toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(before);
    expect(pin('--update').status).toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(before.replace(multi.index, sha256Digest(index)));
    expect(pin('--check').status).toBe(0);
  });

  it('an unreachable registry: one line per reference, exit 1, within the timeout', async () => {
    await registry.stop();
    const started = Date.now();
    const result = pin('--check', '--timeout', '2');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/error .*cannot reach/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
