// Pinning asks where the engine pulls from: its registry mirrors first, then the configured mirror
// or the image's own registry.
import { describe, expect, it } from 'vitest';
import { parseMirrors, registriesFor, resolveThroughMirrors } from '../../src/registry/mirrors.ts';
import { parseReference } from '../../src/registry/reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('registry mirrors', () => {
  it("orders the engine's mirrors before the configured one; other registries are asked directly", () => {
    const hub = parseReference('debian:bookworm-slim');
    expect(registriesFor(hub, { engineMirrors: ['http://m1', 'http://m2'], configured: undefined })).toEqual(['http://m1', 'http://m2', undefined]);
    expect(registriesFor(hub, { engineMirrors: ['http://m1'], configured: 'http://m1/' })).toEqual(['http://m1']);
    expect(registriesFor(parseReference('ghcr.io/acme/os:1'), { engineMirrors: ['http://m1'], configured: 'http://c' })).toEqual([undefined]);
    expect(parseMirrors('["http://127.0.0.1:5000/"]\n')).toEqual(['http://127.0.0.1:5000']);
    expect(parseMirrors('null')).toEqual([]);
    expect(parseMirrors('not json')).toEqual([]);
  });

  it('falls through to the next registry when one fails, and says what each said when all do', async () => {
    const asked: string[] = [];
    const fetch = (async (url: string) => {
      asked.push(new URL(url).host);
      if (url.startsWith('http://down')) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      if (url.startsWith('http://empty')) return new Response(null, { status: 404 });
      return new Response(null, { status: 200, headers: { 'docker-content-digest': DIGEST, 'content-type': 'application/vnd.oci.image.index.v1+json' } });
    }) as typeof globalThis.fetch;
    const ref = parseReference('debian:bookworm-slim');
    const resolved = await resolveThroughMirrors(
      ref,
      { engineMirrors: ['http://down', 'http://empty'], configured: 'http://good' },
      { fetch, timeoutMs: 2000 },
    );
    expect(resolved).toMatchObject({ digest: DIGEST, via: 'http://good' });
    expect(asked).toEqual(['down', 'empty', 'good']);
    await expect(resolveThroughMirrors(ref, { engineMirrors: ['http://down'], configured: 'http://empty' }, { fetch, timeoutMs: 2000 })).rejects.toThrow(
      /also tried http:\/\/down: offline/,
    );
  });
});
