// Digest pinning through the real CLI against a real local registry (Debian's docker-registry):
// the pinned digest must be the multi-arch index digest, never a platform manifest's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuilt, runCreateBin, tempDir } from '../helpers/cli.ts';
import { findRegistryBinary, OCI_TYPES, DOCKER_TYPES, pushMultiArch, startRegistry, type RegistryServer } from '../helpers/registry-server.ts';

const available = Boolean(findRegistryBinary());
if (!available && process.env.CI) throw new Error('docker-registry is required in CI (.ci/run installs it)');
if (!available) console.warn('skipping pin tests: docker-registry is not installed');

describe.runIf(available)('create-dockervm pins the base image', () => {
  let registry: RegistryServer;
  let scratch: ReturnType<typeof tempDir>;
  const pushed: Record<string, { index: string; amd64: string; arm64: string }> = {};

  beforeAll(async () => {
    requireBuilt();
    scratch = tempDir();
    registry = await startRegistry();
    pushed.debian = await pushMultiArch(registry, 'library/debian', 'bookworm-slim', OCI_TYPES);
    pushed.custom = await pushMultiArch(registry, 'acme/os', '1', DOCKER_TYPES);
  }, 30_000);
  afterAll(async () => {
    await registry?.stop();
    scratch?.cleanup();
  });

  it('resolves a Docker Hub reference through the mirror to the OCI index digest', () => {
    const result = runCreateBin(['hub', '--yes', '--desktop', 'shell'], { cwd: scratch.path, env: { DOCKERVM_REGISTRY_MIRROR: registry.url } });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`pinned debian:bookworm-slim → ${pushed.debian!.index}`);
    const dockerfile = readFileSync(join(scratch.path, 'hub/Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`FROM debian:bookworm-slim@${pushed.debian!.index}\n`);
    expect(dockerfile).not.toContain(pushed.debian!.amd64);
    expect(dockerfile).not.toContain('NOT PINNED');
    expect(dockerfile).toContain(`org.opencontainers.image.base.digest="${pushed.debian!.index}"`);
  });

  it('--registry-mirror does the same as the environment variable', () => {
    const result = runCreateBin(['flag', '--yes', '--desktop', 'shell', '--registry-mirror', registry.url], { cwd: scratch.path });
    expect(result.status).toBe(0);
    expect(readFileSync(join(scratch.path, 'flag/Dockerfile'), 'utf8')).toContain(`@${pushed.debian!.index}\n`);
  });

  it('resolves a reference on another registry directly (Docker manifest list)', () => {
    const reference = `${registry.host}/acme/os:1`;
    const result = runCreateBin(['custom', '--yes', '--desktop', 'shell', '--base', reference, '--family', 'debian'], { cwd: scratch.path });
    expect(result.status).toBe(0);
    expect(readFileSync(join(scratch.path, 'custom/Dockerfile'), 'utf8')).toContain(`FROM ${reference}@${pushed.custom!.index}\n`);
  });

  it('a tag the registry does not have: warned, unpinned, still created', () => {
    const result = runCreateBin(['missing', '--yes', '--desktop', 'shell', '--base', 'debian:trixie-slim'], {
      cwd: scratch.path,
      env: { DOCKERVM_REGISTRY_MIRROR: registry.url },
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/warning: not pinned: debian:trixie-slim: no such image or tag/);
    expect(readFileSync(join(scratch.path, 'missing/Dockerfile'), 'utf8')).toContain('FROM debian:trixie-slim\n');
  });
});
