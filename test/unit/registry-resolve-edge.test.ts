// Registry behaviours the real docker-registry never shows: odd HEAD answers, broken auth,
// garbage digests, stalled bodies. A scripted loopback server plays the registry.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChallenge } from '../../src/registry/challenge.ts';
import { parseReference } from '../../src/registry/reference.ts';
import { RegistryError, registryBase, resolveIndexDigest } from '../../src/registry/resolve.ts';
import { sha256Digest } from '../helpers/registry-server.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

let server: Server;
let base = '';
let handler: Handler = (_req, res) => res.writeHead(500).end();
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res, new URL(req.url ?? '/', base)));
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const ref = parseReference('debian:12');
const BODY = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}\n';

async function failure(timeoutMs = 3000): Promise<RegistryError> {
  const error = await resolveIndexDigest(ref, { registryUrl: base, timeoutMs }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('resolveIndexDigest fallbacks', () => {
  it('hashes the GET body when HEAD carries no digest', async () => {
    const methods: string[] = [];
    handler = (req, res) => {
      methods.push(req.method ?? '');
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
      res.end(req.method === 'GET' ? BODY : undefined);
    };
    const resolved = await resolveIndexDigest(ref, { registryUrl: base });
    expect(resolved).toMatchObject({ digest: sha256Digest(BODY), method: 'GET' });
    expect(methods).toEqual(['HEAD', 'GET']);
  });

  it('falls back to GET when HEAD is not allowed', async () => {
    handler = (req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(405).end();
      res.writeHead(200, { 'docker-content-digest': sha256Digest(BODY) }).end(BODY);
    };
    expect((await resolveIndexDigest(ref, { registryUrl: base })).digest).toBe(sha256Digest(BODY));
  });

  it('reads access_token when the token service uses the OAuth field name', async () => {
    handler = (req, res, url) => {
      if (url.pathname === '/auth') return void res.end(JSON.stringify({ access_token: 'oauth-tok' }));
      if (req.headers.authorization !== 'Bearer oauth-tok') {
        return void res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/auth",service="s"` }).end();
      }
      res.writeHead(200, { 'docker-content-digest': sha256Digest('x') }).end();
    };
    expect((await resolveIndexDigest(ref, { registryUrl: base })).digest).toBe(sha256Digest('x'));
  });
});

describe('resolveIndexDigest errors', () => {
  it('is unauthorized when the token does not help', async () => {
    handler = (_req, res, url) => {
      if (url.pathname === '/auth') return void res.end('{"token":"useless"}');
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/auth"` }).end();
    };
    expect((await failure()).kind).toBe('unauthorized');
  });

  it('is unauthorized when the registry wants Basic credentials', async () => {
    handler = (_req, res) => void res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end();
    const error = await failure();
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain('requires credentials');
  });

  it('is unauthorized when the token service refuses', async () => {
    handler = (_req, res, url) => {
      if (url.pathname === '/auth') return void res.writeHead(403).end();
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/auth"` }).end();
    };
    expect((await failure()).kind).toBe('unauthorized');
  });

  it('is a protocol error for a garbage digest header', async () => {
    handler = (_req, res) => void res.writeHead(200, { 'docker-content-digest': 'sha256:nothex' }).end();
    const error = await failure();
    expect(error.kind).toBe('protocol');
    expect(error.message).toContain('unusable digest');
  });

  it('is a protocol error when the body does not match the digest the registry claims', async () => {
    handler = (req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(200).end();
      res.writeHead(200, { 'docker-content-digest': sha256Digest('other') }).end(BODY);
    };
    expect((await failure()).kind).toBe('protocol');
  });

  it('is a protocol error for a server error, naming the status', async () => {
    handler = (_req, res) => void res.writeHead(503).end();
    const error = await failure();
    expect(error.kind).toBe('protocol');
    expect(error.message).toContain('HTTP 503');
  });

  it('times out when the manifest body stalls after the headers', async () => {
    handler = (req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(200).end();
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{');
    };
    const started = Date.now();
    expect((await failure(400)).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out when the token service never answers', async () => {
    handler = (_req, res, url) => {
      if (url.pathname === '/auth') return;
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/auth"` }).end();
    };
    expect((await failure(400)).kind).toBe('timeout');
  });
});

describe('registryBase', () => {
  it('maps domains to API base URLs', () => {
    expect(registryBase(parseReference('debian'))).toBe('https://registry-1.docker.io');
    expect(registryBase(parseReference('ghcr.io/a/b'))).toBe('https://ghcr.io');
    expect(registryBase(parseReference('localhost:5000/a'))).toBe('http://localhost:5000');
    expect(registryBase(parseReference('127.0.0.1:5000/a'))).toBe('http://127.0.0.1:5000');
    expect(registryBase(parseReference('[::1]:5000/a'))).toBe('http://[::1]:5000');
    expect(registryBase(parseReference('debian'), 'http://mirror:5000//')).toBe('http://mirror:5000');
  });

  it('rejects a registry URL that is not http(s)', () => {
    expect(() => registryBase(ref, 'mirror:5000')).toThrow(RegistryError);
    expect(() => registryBase(ref, 'not a url')).toThrow(/not an http\(s\) URL/);
  });
});

describe('parseChallenge', () => {
  it('keeps commas inside quoted values', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:a/b:pull,push' },
    });
  });

  it('accepts unquoted values, odd spacing and escapes, and stops at a second challenge', () => {
    expect(parseChallenge('  bearer Realm=http://x/t ,  error="a\\"b", Basic realm="r"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'http://x/t', error: 'a"b' },
    });
  });

  it('returns undefined for an empty header', () => {
    expect(parseChallenge('')).toBeUndefined();
  });
});
