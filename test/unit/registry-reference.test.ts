import { describe, expect, it } from 'vitest';
import { InvalidReferenceError, formatReference, parseReference, type ImageReference } from '../../src/registry/reference.ts';

const SHA = `sha256:${'a1'.repeat(32)}`;

const valid: Array<[string, ImageReference]> = [
  ['debian', { domain: 'docker.io', path: 'library/debian', tag: 'latest', familiar: 'debian:latest' }],
  ['ubuntu:24.04', { domain: 'docker.io', path: 'library/ubuntu', tag: '24.04', familiar: 'ubuntu:24.04' }],
  ['debian:bookworm-slim', { domain: 'docker.io', path: 'library/debian', tag: 'bookworm-slim', familiar: 'debian:bookworm-slim' }],
  ['docker.io/debian', { domain: 'docker.io', path: 'library/debian', tag: 'latest', familiar: 'debian:latest' }],
  ['index.docker.io/library/alpine:3', { domain: 'docker.io', path: 'library/alpine', tag: '3', familiar: 'alpine:3' }],
  ['bitnami/redis:7', { domain: 'docker.io', path: 'bitnami/redis', tag: '7', familiar: 'bitnami/redis:7' }],
  ['library/a/b', { domain: 'docker.io', path: 'library/a/b', tag: 'latest', familiar: 'library/a/b:latest' }],
  ['a/b@' + SHA, { domain: 'docker.io', path: 'a/b', digest: SHA, familiar: `a/b@${SHA}` }],
  ['debian:12@' + SHA, { domain: 'docker.io', path: 'library/debian', tag: '12', digest: SHA, familiar: `debian:12@${SHA}` }],
  ['localhost:5000/a/b:tag', { domain: 'localhost:5000', path: 'a/b', tag: 'tag', familiar: 'localhost:5000/a/b:tag' }],
  ['localhost/img', { domain: 'localhost', path: 'img', tag: 'latest', familiar: 'localhost/img:latest' }],
  // Without a '/', "localhost:5000" is the image `localhost` tagged 5000, exactly as Docker reads it.
  ['localhost:5000', { domain: 'docker.io', path: 'library/localhost', tag: '5000', familiar: 'localhost:5000' }],
  [
    '127.0.0.1:5000/library/testimg:multi',
    { domain: '127.0.0.1:5000', path: 'library/testimg', tag: 'multi', familiar: '127.0.0.1:5000/library/testimg:multi' },
  ],
  ['[::1]:5000/x', { domain: '[::1]:5000', path: 'x', tag: 'latest', familiar: '[::1]:5000/x:latest' }],
  ['ghcr.io/owner/img', { domain: 'ghcr.io', path: 'owner/img', tag: 'latest', familiar: 'ghcr.io/owner/img:latest' }],
  ['quay.io/x/y:1', { domain: 'quay.io', path: 'x/y', tag: '1', familiar: 'quay.io/x/y:1' }],
  ['Registry.Example.com/a', { domain: 'Registry.Example.com', path: 'a', tag: 'latest', familiar: 'Registry.Example.com/a:latest' }],
  ['a__b/c-d--e.f_g:V1_x.y-z', { domain: 'docker.io', path: 'a__b/c-d--e.f_g', tag: 'V1_x.y-z', familiar: 'a__b/c-d--e.f_g:V1_x.y-z' }],
  ['img:_tag', { domain: 'docker.io', path: 'library/img', tag: '_tag', familiar: 'img:_tag' }],
  ['img:' + 't'.repeat(128), { domain: 'docker.io', path: 'library/img', tag: 't'.repeat(128), familiar: `img:${'t'.repeat(128)}` }],
];

const invalid: Array<[string, RegExp]> = [
  ['', /is empty/],
  [' debian', /whitespace/],
  ['debian ', /whitespace/],
  ['debian:', /tag is empty/],
  ['Debian:12', /must be lowercase/],
  ['owner/Img', /must be lowercase/],
  ['ghcr.io/Owner/img', /must be lowercase/],
  ['-bad', /path component "-bad"/],
  ['bad-', /path component "bad-"/],
  ['a..b', /path component "a\.\.b"/],
  ['a___b', /path component "a___b"/],
  ['a//b', /empty path component/],
  ['/a', /empty path component/],
  ['a/', /empty path component/],
  ['ghcr.io/', /path after the registry host is empty/],
  ['ex_ample.com/a', /registry host "ex_ample\.com"/],
  ['host.io:port/a', /registry host/],
  ['img:' + 't'.repeat(129), /longer than 128/],
  ['img:.tag', /tag ".tag"/],
  ['img:-tag', /tag "-tag"/],
  ['img:ta+g', /tag "ta\+g"/],
  [':tag', /repository name is empty/],
  ['@' + SHA, /repository name is empty/],
  ['img@', /digest after '@' is empty/],
  ['img@sha256:abc', /64 lowercase hex/],
  [`img@sha256:${'A1'.repeat(32)}`, /64 lowercase hex/],
  [`img@md5:${'a'.repeat(32)}`, /"md5" is not supported/],
  ['img@notadigest', /algorithm:hex/],
  ['a'.repeat(64), /ambiguous/],
  [`a/${'b'.repeat(254)}`, /longer than 255/],
];

describe('parseReference', () => {
  it.each(valid)('parses %j', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each(invalid)('rejects %j', (input, message) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidReferenceError);
    const error = caught as InvalidReferenceError;
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`invalid image reference ${JSON.stringify(input)}: `)).toBe(true);
    expect(error.message).not.toContain('\n');
    expect(error.input).toBe(input);
  });

  it('counts the registry host toward the 255-character name limit', () => {
    const path = 'p'.repeat(240);
    expect(() => parseReference(`registry.example.com/${path}`)).toThrow(/longer than 255/);
    expect(parseReference(`r.io/${path}`).path).toBe(path);
  });

  it('round-trips the familiar form', () => {
    for (const [input] of valid) {
      const ref = parseReference(input);
      expect(parseReference(ref.familiar)).toEqual(ref);
    }
  });
});

describe('formatReference', () => {
  const digest = `sha256:${'0f'.repeat(32)}`;

  it('pins a tag to a digest in familiar form', () => {
    expect(formatReference(parseReference('debian:bookworm-slim'), { digest })).toBe(`debian:bookworm-slim@${digest}`);
    expect(formatReference(parseReference('docker.io/library/debian'), { digest })).toBe(`debian:latest@${digest}`);
    expect(formatReference(parseReference('bitnami/redis:7'), { digest })).toBe(`bitnami/redis:7@${digest}`);
  });

  it('keeps the full domain for other registries', () => {
    expect(formatReference(parseReference('ghcr.io/owner/img:1'), { digest })).toBe(`ghcr.io/owner/img:1@${digest}`);
    expect(formatReference(parseReference('localhost:5000/a/b:tag'))).toBe('localhost:5000/a/b:tag');
  });

  it("prefers the given digest over the reference's own", () => {
    expect(formatReference(parseReference(`a/b@${SHA}`), { digest })).toBe(`a/b@${digest}`);
    expect(formatReference(parseReference(`a/b@${SHA}`))).toBe(`a/b@${SHA}`);
  });
});
