import { describe, expect, it } from 'vitest';
import { applyEdits, composeSites, dockerfileSites, pinnedReference } from '../../src/cli/pin/refs.ts';

describe('dockerfileSites', () => {
  const text = [
    '# syntax-less, a comment',
    'ARG BASE=alpine',
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
    'RUN go version',
    '# NOT PINNED (offline): run `npx dockervm pin` once the registry is reachable.',
    'from debian:bookworm-slim',
    'FROM build AS again',
    'FROM scratch',
    'FROM $BASE',
    'FROM ghcr.io/owner/img:1@sha256:' + 'a'.repeat(64),
    'FROM \\',
    '  ubuntu:24.04',
    '',
  ].join('\n');

  it('finds each FROM image with its exact offsets, and says why some are left alone', () => {
    const sites = dockerfileSites(text);
    expect(sites.map((s) => [s.line, s.reference, s.skip ?? null])).toEqual([
      [3, 'golang:1.22', null],
      [6, 'debian:bookworm-slim', null],
      [7, 'build', 'an earlier build stage'],
      [8, 'scratch', 'scratch is not an image'],
      [9, '$BASE', 'set by a build argument: pin the ARG default by hand'],
      [10, `ghcr.io/owner/img:1@sha256:${'a'.repeat(64)}`, null],
      [11, 'ubuntu:24.04', 'the reference is not on the FROM line itself: pin it by hand'],
    ]);
    for (const site of sites.filter((s) => !s.skip)) expect(text.slice(site.start, site.end)).toBe(site.reference);
    expect(sites[1]?.marker).toBeDefined();
    expect(text.slice(sites[1]!.marker!.start, sites[1]!.marker!.end)).toMatch(/^# NOT PINNED .*\n$/);
    expect(sites[0]?.marker).toBeUndefined();
  });

  it('pins by splicing: every other byte stays', () => {
    const sites = dockerfileSites(text);
    const edits = sites
      .filter((s) => !s.skip && !s.reference.includes('@'))
      .map((s) => ({ start: s.start, end: s.end, replacement: pinnedReference(s.reference, 'sha256:' + 'b'.repeat(64)) }));
    const out = applyEdits(text, edits);
    expect(out).toBe(
      text
        .replace('golang:1.22 AS', `golang:1.22@sha256:${'b'.repeat(64)} AS`)
        .replace('from debian:bookworm-slim', `from debian:bookworm-slim@sha256:${'b'.repeat(64)}`),
    );
  });
});

describe('composeSites', () => {
  const text = [
    'name: p # the project',
    'services:',
    '  vm:',
    '    build: .',
    '    image: p:latest',
    '  init:',
    '    image: p:latest   # the built image, reused',
    '  db:',
    "    image: 'postgres:16'  # quoted",
    '  cache:',
    '    image: redis',
    '  env:',
    '    image: ${IMAGE:-busybox}',
    '',
  ].join('\n');

  it("finds images compose pulls, not the project's own", () => {
    const sites = composeSites(text);
    expect(sites.map((s) => [s.service, s.line, s.reference, s.skip ?? null])).toEqual([
      ['vm', 5, 'p:latest', 'built by this project'],
      ['init', 7, 'p:latest', 'built by this project'],
      ['db', 9, 'postgres:16', null],
      ['cache', 11, 'redis', null],
      ['env', 13, '${IMAGE:-busybox}', 'set by a variable: pin it where the variable is set'],
    ]);
    const edits = sites.filter((s) => !s.skip).map((s) => ({ start: s.start, end: s.end, replacement: pinnedReference(s.reference, 'sha256:c') }));
    expect(applyEdits(text, edits)).toBe(text.replace("'postgres:16'", "'postgres:16@sha256:c'").replace('image: redis', 'image: redis:latest@sha256:c'));
  });
});

describe('pinnedReference', () => {
  it('keeps the tag for people and adds the digest (latest when there was no tag)', () => {
    expect(pinnedReference('debian:bookworm-slim', 'sha256:1')).toBe('debian:bookworm-slim@sha256:1');
    expect(pinnedReference('localhost:5000/img', 'sha256:1')).toBe('localhost:5000/img:latest@sha256:1');
    expect(pinnedReference('img:1@sha256:old', 'sha256:new')).toBe('img:1@sha256:new');
  });
});
