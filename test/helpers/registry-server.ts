// A throwaway Docker registry (Debian's `docker-registry`, i.e. distribution 2.x) on loopback,
// so resolver tests exercise a real registry's headers and validation instead of a mock's.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';

const BINARY = 'docker-registry';
const READY_TIMEOUT_MS = 10_000;

export interface PushedContent {
  digest: string;
  size: number;
}

export interface RegistryServer {
  /** `127.0.0.1:<port>`, the domain part of references into this registry. */
  host: string;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  pushBlob(repo: string, bytes: Uint8Array | string): Promise<PushedContent>;
  /** Pushes `body` byte for byte, so callers can hash exactly what the registry stores. */
  pushManifest(repo: string, reference: string, mediaType: string, body: Uint8Array | string): Promise<PushedContent>;
  stop(): Promise<void>;
}

/** Absolute path of the registry binary on PATH, or undefined. */
export function findRegistryBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, BINARY);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

export { freePort };

export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

// A copy, so the body is backed by a plain ArrayBuffer as fetch's BodyInit type wants.
function toBuffer(bytes: Uint8Array | string): Buffer<ArrayBuffer> {
  return typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
}

export interface RegistryOptions {
  /** An htpasswd file's content (bcrypt, `htpasswd -B`): the registry then wants basic auth. */
  htpasswd?: string;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  const binary = findRegistryBinary();
  if (!binary) throw new Error(`${BINARY} is not on PATH (apt-get install docker-registry)`);
  const dir = await mkdtemp(join(tmpdir(), 'dockervm-registry-'));
  if (options.htpasswd !== undefined) await writeFile(join(dir, 'htpasswd'), options.htpasswd);
  let lastError: unknown;
  // Another process can take the probed port before the registry binds it; try a few ports.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      const child = await launch(binary, dir, port, options.htpasswd !== undefined);
      return makeServer(child, dir, port);
    } catch (error) {
      lastError = error;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function launch(binary: string, dir: string, port: number, auth: boolean): Promise<ChildProcess> {
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...(auth ? ['auth:', '  htpasswd:', '    realm: dockervm-test', `    path: ${join(dir, 'htpasswd')}`] : []),
      '',
    ].join('\n'),
  );
  const child = spawn(binary, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      // With auth, an anonymous /v2/ is refused: that refusal is the registry answering.
      if (res.status === 200 || (auth && res.status === 401)) return child;
    } catch {}
    await sleep(100);
  }
  await terminate(child);
  const why = exited ? 'exited early' : `not ready after ${READY_TIMEOUT_MS} ms`;
  throw new Error(`${BINARY} on port ${port} ${why}: ${output.trim() || '(no output)'}`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function makeServer(child: ChildProcess, dir: string, port: number): RegistryServer {
  const url = `http://127.0.0.1:${port}`;

  async function expectStatus(res: Response, expected: number, what: string): Promise<void> {
    if (res.status === expected) return;
    const text = await res.text().catch(() => '');
    throw new Error(`${what}: HTTP ${res.status} ${text.trim()}`);
  }

  return {
    host: `127.0.0.1:${port}`,
    port,
    url,

    async pushBlob(repo, bytes) {
      const digest = sha256Digest(bytes);
      const body = toBuffer(bytes);
      const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, {
        method: 'POST',
        signal: AbortSignal.timeout(5000),
      });
      await expectStatus(start, 202, `start upload to ${repo}`);
      await start.body?.cancel();
      const location = start.headers.get('location');
      if (!location) throw new Error(`start upload to ${repo}: no Location header`);
      const upload = new URL(location, url);
      upload.searchParams.set('digest', digest);
      const put = await fetch(upload, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body,
        signal: AbortSignal.timeout(5000),
      });
      await expectStatus(put, 201, `finish upload of ${digest} to ${repo}`);
      await put.body?.cancel();
      return { digest, size: body.byteLength };
    },

    async pushManifest(repo, reference, mediaType, bytes) {
      const digest = sha256Digest(bytes);
      const body = toBuffer(bytes);
      const res = await fetch(`${url}/v2/${repo}/manifests/${reference}`, {
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body,
        signal: AbortSignal.timeout(5000),
      });
      await expectStatus(res, 201, `push manifest ${repo}:${reference}`);
      await res.body?.cancel();
      const stored = res.headers.get('docker-content-digest');
      if (stored !== digest) throw new Error(`registry stored ${stored} for a manifest whose sha256 is ${digest}`);
      return { digest, size: body.byteLength };
    },

    async stop() {
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The four media types of one image format. */
export interface ImageMediaTypes {
  index: string;
  manifest: string;
  config: string;
  layer: string;
}

export const OCI_TYPES: ImageMediaTypes = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
};

export const DOCKER_TYPES: ImageMediaTypes = {
  index: 'application/vnd.docker.distribution.manifest.list.v2+json',
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

/** Pushes a one-layer image for `arch`, tagged `<arch>-only`; the manifest uses unusual whitespace on purpose. */
export async function pushPlatformImage(registry: RegistryServer, repo: string, arch: string, types: ImageMediaTypes) {
  const config = await registry.pushBlob(repo, JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = await registry.pushBlob(repo, new Uint8Array([1, 2, 3, arch.length]));
  const manifest = JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, digest: config.digest, size: config.size },
      layers: [{ mediaType: types.layer, digest: layer.digest, size: layer.size }],
    },
    null,
    3, // The digest must be of these exact bytes, not of re-serialized JSON.
  );
  await registry.pushManifest(repo, `${arch}-only`, types.manifest, manifest);
  return { digest: sha256Digest(manifest), size: Buffer.byteLength(manifest), platform: { architecture: arch, os: 'linux' } };
}

/** Pushes an amd64 + arm64 image and an index over both as `repo:tag`; returns the three digests. */
export async function pushMultiArch(registry: RegistryServer, repo: string, tag: string, types: ImageMediaTypes) {
  const amd64 = await pushPlatformImage(registry, repo, 'amd64', types);
  const arm64 = await pushPlatformImage(registry, repo, 'arm64', types);
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: types.index,
    manifests: [amd64, arm64].map((m) => ({ mediaType: types.manifest, ...m })),
  });
  await registry.pushManifest(repo, tag, types.index, index);
  return { index: sha256Digest(index), amd64: amd64.digest, arm64: arm64.digest };
}
