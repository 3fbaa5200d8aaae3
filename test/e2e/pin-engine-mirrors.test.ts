// Pinning follows the engine: with registry mirrors in its daemon.json (scripts/engine/up.sh sets the
// local registry on 127.0.0.1:5000), create-dockervm and `dockervm pin` resolve Docker Hub images
// through that mirror first, even when the configured mirror does not answer.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CREATE_BIN, dockervm, engineAvailable, MIRROR, mustSh, scratchDir } from '../helpers/dockervm-engine.ts';
import { spawnSync } from 'node:child_process';

const haveEngine = engineAvailable();
const engineMirrors = haveEngine
  ? ((JSON.parse(mustSh('docker', ['info', '--format', '{{json .RegistryConfig.Mirrors}}']).trim() || 'null') as string[] | null) ?? [])
  : [];
const mirrored = engineMirrors.map((m) => m.replace(/\/+$/, '')).includes(MIRROR);
if (haveEngine && !mirrored) {
  if (process.env.CI) throw new Error(`the engine must use ${MIRROR} as its registry mirror (scripts/engine/up.sh)`);
  process.stderr.write(`skipping engine-mirror pin tests: the engine's mirrors are ${JSON.stringify(engineMirrors)}\n`);
}
const DEAD = 'http://127.0.0.1:9';

/** The index digest the mirror serves for debian:bookworm-slim, straight from its API. */
async function mirrorDigest(): Promise<string> {
  const accept = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ];
  const response = await fetch(`${MIRROR}/v2/library/debian/manifests/bookworm-slim`, {
    method: 'HEAD',
    headers: { accept: accept.join(', ') },
    signal: AbortSignal.timeout(10_000),
  });
  const digest = response.headers.get('docker-content-digest');
  if (!response.ok || !digest) throw new Error(`the mirror has no debian:bookworm-slim (${response.status})`);
  return digest;
}

describe.runIf(haveEngine && mirrored)("pinning through the engine's registry mirrors", () => {
  const scratch = scratchDir();
  afterAll(() => scratch.cleanup());

  it("create-dockervm pins the base from the engine's mirror when the configured one is down", async () => {
    const digest = await mirrorDigest();
    const made = spawnSync(process.execPath, [CREATE_BIN, join(scratch.path, 'vm'), '--yes', '--no-install', '--desktop', 'shell'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: scratch.path, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: DEAD, DOCKERVM_PIN_TIMEOUT_MS: '3000' },
    });
    expect(made.status, made.stderr).toBe(0);
    expect(made.stderr).toContain(`resolving debian:bookworm-slim via ${MIRROR}, then ${DEAD}`);
    expect(made.stderr).toContain(`pinned debian:bookworm-slim → ${digest}`);
    expect(readFileSync(join(scratch.path, 'vm/Dockerfile'), 'utf8')).toContain(`FROM debian:bookworm-slim@${digest}\n`);
  });

  it('dockervm pin does the same', async () => {
    const digest = await mirrorDigest();
    const dir = join(scratch.path, 'pin');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM debian:bookworm-slim\nRUN true\n');
    const result = dockervm(['pin', '--timeout', '3'], { cwd: dir, env: { DOCKERVM_REGISTRY_MIRROR: DEAD } });
    expect(result.status, result.stderr + result.stdout).toBe(0);
    expect(result.stderr).toContain(`via ${MIRROR}, then ${DEAD}`);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(`FROM debian:bookworm-slim@${digest}\nRUN true\n`);
  });
});
