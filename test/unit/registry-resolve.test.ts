import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/registry/reference.ts';
import {
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  RegistryError,
  resolveIndexDigest,
  type ResolveOptions,
} from '../../src/registry/resolve.ts';
import {
  DOCKER_TYPES,
  findRegistryBinary,
  freePort,
  OCI_TYPES,
  pushMultiArch,
  sha256Digest,
  startRegistry,
  type RegistryServer,
} from '../helpers/registry-server.ts';

const isCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const skipReal = !findRegistryBinary() && !isCI;
if (skipReal) {
  console.warn('skipping real-registry tests: docker-registry is not on PATH (apt-get install docker-registry)');
}

async function resolveError(input: string, options: ResolveOptions): Promise<RegistryError> {
  const error = await resolveIndexDigest(parseReference(input), options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as Error).message).not.toContain('\n');
  return error as RegistryError;
}

describe.skipIf(skipReal)('resolveIndexDigest against a real registry', () => {
  let registry: RegistryServer;
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    registry = await startRegistry();
    const oci = await pushMultiArch(registry, 'library/testimg', 'multi', OCI_TYPES);
    Object.assign(digests, { ociIndex: oci.index, amd64: oci.amd64, arm64: oci.arm64 });
    const docker = await pushMultiArch(registry, 'library/dockerimg', 'multi', DOCKER_TYPES);
    digests.dockerList = docker.index;
    const slim = await pushMultiArch(registry, 'library/debian', 'bookworm-slim', OCI_TYPES);
    digests.debian = slim.index;
  }, 30_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it('returns the OCI index digest of a multi-arch tag, not a platform manifest digest', async () => {
    const resolved = await resolveIndexDigest(parseReference(`${registry.host}/library/testimg:multi`));
    expect(resolved.digest).toBe(digests.ociIndex);
    expect(resolved.digest).not.toBe(digests.amd64);
    expect(resolved.digest).not.toBe(digests.arm64);
    expect(resolved).toMatchObject({ mediaType: MEDIA_TYPE_OCI_INDEX, method: 'HEAD' });
    expect(resolved.pinned).toBe(`${registry.host}/library/testimg:multi@${digests.ociIndex}`);
  });

  it('returns the Docker manifest list digest of a multi-arch tag', async () => {
    const resolved = await resolveIndexDigest(parseReference(`${registry.host}/library/dockerimg:multi`));
    expect(resolved.digest).toBe(digests.dockerList);
    expect(resolved.mediaType).toBe(MEDIA_TYPE_DOCKER_MANIFEST_LIST);
  });

  it('returns the manifest digest of a single-platform tag', async () => {
    const resolved = await resolveIndexDigest(parseReference(`${registry.host}/library/testimg:amd64-only`));
    expect(resolved.digest).toBe(digests.amd64);
    expect(resolved.mediaType).toBe(MEDIA_TYPE_OCI_MANIFEST);
  });

  it('checks a digest-pinned reference against the registry', async () => {
    const resolved = await resolveIndexDigest(parseReference(`${registry.host}/library/testimg@${digests.ociIndex}`));
    expect(resolved.digest).toBe(digests.ociIndex);
  });

  it('reports a missing tag or repository as not-found', async () => {
    for (const input of [`${registry.host}/library/testimg:nope`, `${registry.host}/nobody/nothing:1`]) {
      const error = await resolveError(input, {});
      expect(error.kind).toBe('not-found');
      expect(error.message).toContain(input);
    }
  });

  it('asks a mirror given as registryUrl, keeping library/ in the path of Hub images', async () => {
    const resolved = await resolveIndexDigest(parseReference('debian:bookworm-slim'), { registryUrl: `${registry.url}/` });
    expect(resolved.digest).toBe(digests.debian);
    expect(resolved.pinned).toBe(`debian:bookworm-slim@${digests.debian}`);
  });
});

describe('resolveIndexDigest failures and auth', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function listen(server: Server): Promise<number> {
    servers.push(server);
    server.on('connection', (socket: Socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it('reports a closed port as offline, quickly', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await resolveError(`127.0.0.1:${port}/a/b:1`, { timeoutMs: 5000 });
    expect(error.kind).toBe('offline');
    expect(error.message).toMatch(/cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up on a server that accepts but never answers, within the budget', async () => {
    const port = await listen(createTcpServer(() => {}) as unknown as Server);
    const started = Date.now();
    const error = await resolveError(`127.0.0.1:${port}/a/b:1`, { timeoutMs: 500 });
    const elapsed = Date.now() - started;
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('did not answer within 500 ms');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2000);
  });

  it('follows a Docker Hub style Bearer challenge with an anonymous token', async () => {
    const digest = sha256Digest('fake index');
    const seen: string[] = [];
    let accept = '';
    const server = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(`${req.method} ${url.pathname}`);
      if (url.pathname === '/token') {
        const ok = url.searchParams.get('service') === 'fake.registry' && url.searchParams.get('scope') === 'repository:library/debian:pull';
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { token: 'tok-123', expires_in: 300 } : { error: 'bad query' }));
        return;
      }
      if (req.headers.authorization !== 'Bearer tok-123') {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="fake.registry",scope="repository:library/debian:pull"`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      accept = req.headers.accept ?? '';
      res.writeHead(200, { 'docker-content-digest': digest, 'content-type': MEDIA_TYPE_OCI_INDEX });
      res.end();
    });
    const port = await listen(server);
    const resolved = await resolveIndexDigest(parseReference('debian:bookworm-slim'), {
      registryUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 3000,
    });
    expect(resolved.digest).toBe(digest);
    expect(accept.split(',').map((t) => t.trim())).toEqual([
      MEDIA_TYPE_OCI_INDEX,
      MEDIA_TYPE_DOCKER_MANIFEST_LIST,
      MEDIA_TYPE_OCI_MANIFEST,
      MEDIA_TYPE_DOCKER_MANIFEST,
    ]);
    expect(seen).toEqual(['HEAD /v2/library/debian/manifests/bookworm-slim', 'GET /token', 'HEAD /v2/library/debian/manifests/bookworm-slim']);
  });
});
