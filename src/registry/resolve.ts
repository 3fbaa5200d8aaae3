// Asks a registry which digest a tag points at, the way `docker pull` would see it. Pinning the
// index digest (not one platform's manifest) keeps a pinned Dockerfile buildable on every arch.

import { createHash } from 'node:crypto';
import { digestProblem, formatReference, type ImageReference } from './reference.ts';
import { parseChallenge } from './challenge.ts';

export const MEDIA_TYPE_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * Most preferred first. All four must be listed: distribution 2.x answers 404 for an OCI index or
 * manifest whose type is not accepted, and swaps a Docker manifest list for its amd64 manifest.
 */
export const MANIFEST_MEDIA_TYPES = [MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST] as const;

export const DOCKER_HUB_API = 'https://registry-1.docker.io';
export const DEFAULT_TIMEOUT_MS = 10_000;

export type RegistryErrorKind = 'offline' | 'timeout' | 'not-found' | 'unauthorized' | 'protocol';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly kind: RegistryErrorKind;

  constructor(kind: RegistryErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export interface ResolveOptions {
  /** Base URL to ask instead of the reference's own registry, e.g. a mirror `http://127.0.0.1:5000`. */
  registryUrl?: string;
  /** Budget for the whole resolution, auth round trips included. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ResolvedDigest {
  digest: string;
  /** What the registry said it served; undefined when it did not say. */
  mediaType: string | undefined;
  /** `GET` when the registry's HEAD answer carried no digest and the body had to be hashed. */
  method: 'HEAD' | 'GET';
  /** The reference pinned to the digest, in familiar form. */
  pinned: string;
}

export async function resolveIndexDigest(ref: ImageReference, options: ResolveOptions = {}): Promise<ResolvedDigest> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const session: Session = {
    doFetch: options.fetch ?? globalThis.fetch,
    signal: AbortSignal.timeout(timeoutMs),
    timeoutMs,
    base: registryBase(ref, options.registryUrl),
    what: ref.familiar,
    token: undefined,
  };
  const target = ref.tag ?? ref.digest;
  if (target === undefined) throw new RegistryError('protocol', `${ref.familiar}: no tag or digest to resolve`);
  const url = `${session.base}/v2/${ref.path}/manifests/${target}`;

  const head = await request(session, url, 'HEAD', ref.path);
  const headerDigest = head.headers.get('docker-content-digest')?.trim();
  if (head.ok && headerDigest) {
    const digest = checkDigest(session, headerDigest, ref.digest);
    return done(ref, digest, head, 'HEAD');
  }
  // Some registries and proxies answer HEAD without the digest, or not at all.
  const get = head.ok || head.status === 405 || head.status === 501 ? await request(session, url, 'GET', ref.path) : head;
  if (!get.ok) throw statusError(session, get);
  let body: Uint8Array;
  try {
    body = new Uint8Array(await get.arrayBuffer());
  } catch (error) {
    throw networkError(session, error);
  }
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const claimed = get.headers.get('docker-content-digest')?.trim();
  if (claimed?.startsWith('sha256:') && claimed !== digest) {
    throw new RegistryError('protocol', `${session.what}: registry sent a manifest whose sha256 does not match its Docker-Content-Digest`);
  }
  return done(ref, checkDigest(session, digest, ref.digest), get, 'GET');
}

/** Where the reference's registry API lives: Hub's API host, plain http for loopback registries. */
export function registryBase(ref: Pick<ImageReference, 'domain'>, registryUrl?: string): string {
  if (registryUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(registryUrl);
    } catch {}
    if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
      throw new RegistryError('protocol', `registry URL ${JSON.stringify(registryUrl)} is not an http(s) URL`);
    }
    return registryUrl.replace(/\/+$/, '');
  }
  if (ref.domain === 'docker.io') return DOCKER_HUB_API;
  const host = ref.domain.replace(/:[0-9]+$/, '');
  const loopback = host === 'localhost' || host === '[::1]' || /^127(?:\.[0-9]{1,3}){3}$/.test(host);
  return `${loopback ? 'http' : 'https'}://${ref.domain}`;
}

interface Session {
  doFetch: typeof fetch;
  signal: AbortSignal;
  timeoutMs: number;
  base: string;
  what: string;
  token: string | undefined;
}

function done(ref: ImageReference, digest: string, res: Response, method: 'HEAD' | 'GET'): ResolvedDigest {
  const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
  return { digest, mediaType, method, pinned: formatReference(ref, { digest }) };
}

function checkDigest(session: Session, digest: string, expected: string | undefined): string {
  const problem = digestProblem(digest);
  if (problem) throw new RegistryError('protocol', `${session.what}: registry sent an unusable digest (${problem})`);
  if (expected !== undefined && digest !== expected) {
    throw new RegistryError('protocol', `${session.what}: registry served ${digest} for a reference pinned to ${expected}`);
  }
  return digest;
}

/** One manifest request; on a Bearer challenge, fetches an anonymous token and tries once more. */
async function request(session: Session, url: string, method: 'HEAD' | 'GET', path: string): Promise<Response> {
  const res = await send(session, url, method);
  if (res.status !== 401 || session.token !== undefined) return res;
  const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
  if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
    throw new RegistryError('unauthorized', `${session.what}: registry requires credentials (anonymous pull refused)`);
  }
  session.token = await fetchToken(session, challenge.params, path);
  return send(session, url, method);
}

async function send(session: Session, url: string, method: 'HEAD' | 'GET'): Promise<Response> {
  const headers: Record<string, string> = { accept: MANIFEST_MEDIA_TYPES.join(', ') };
  if (session.token !== undefined) headers.authorization = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await session.doFetch(url, { method, headers, signal: session.signal, redirect: 'follow' });
  } catch (error) {
    throw networkError(session, error);
  }
  // Unread error bodies would pin the connection until garbage collection.
  if (!res.ok || method === 'HEAD') await res.body?.cancel().catch(() => {});
  return res;
}

async function fetchToken(session: Session, params: Record<string, string>, path: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(params.realm ?? '');
  } catch {
    throw new RegistryError('protocol', `${session.what}: registry sent an auth challenge with an invalid realm`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RegistryError('protocol', `${session.what}: registry's auth realm is not an http(s) URL`);
  }
  if (params.service) url.searchParams.set('service', params.service);
  url.searchParams.set('scope', params.scope || `repository:${path}:pull`);
  let res: Response;
  try {
    res = await session.doFetch(url, { signal: session.signal, headers: { accept: 'application/json' } });
  } catch (error) {
    throw networkError(session, error, url.host);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError('unauthorized', `${session.what}: token service refused an anonymous token (HTTP ${res.status})`);
    }
    throw new RegistryError('protocol', `${session.what}: token service answered HTTP ${res.status}`);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (error) {
    if (session.signal.aborted) throw networkError(session, error, url.host);
    throw new RegistryError('protocol', `${session.what}: token service sent something that is not JSON`);
  }
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const token = record.token ?? record.access_token;
  if (typeof token !== 'string' || token.length === 0) {
    throw new RegistryError('protocol', `${session.what}: token service answered without a token`);
  }
  return token;
}

function statusError(session: Session, res: Response): RegistryError {
  const { what } = session;
  switch (res.status) {
    case 401:
    case 403:
      // Docker Hub answers 401 for repositories that do not exist, too.
      return new RegistryError('unauthorized', `${what}: access denied (repository is private or does not exist)`);
    case 404:
      return new RegistryError('not-found', `${what}: no such image or tag on the registry`);
    case 429:
      return new RegistryError('protocol', `${what}: registry rate limit reached (HTTP 429); try again later`);
    default:
      return new RegistryError('protocol', `${what}: registry answered HTTP ${res.status} ${res.statusText}`.trimEnd());
  }
}

function networkError(session: Session, error: unknown, host = new URL(session.base).host): RegistryError {
  if (error instanceof RegistryError) return error;
  const name = error instanceof Error ? error.name : '';
  if (session.signal.aborted || name === 'TimeoutError') {
    return new RegistryError('timeout', `${session.what}: ${host} did not answer within ${session.timeoutMs} ms`, { cause: error });
  }
  const code = errorCode(error) ?? '';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new RegistryError('timeout', `${session.what}: connecting to ${host} timed out`, { cause: error });
  }
  // Reached something, but not a registry speaking the expected protocol.
  if (/^(?:ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HPE_)/.test(code)) {
    return new RegistryError('protocol', `${session.what}: TLS or HTTP failure talking to ${host} (${code})`, { cause: error });
  }
  const detail = code ? ` (${code})` : '';
  return new RegistryError('offline', `${session.what}: cannot reach ${host}${detail}`, { cause: error });
}

/** fetch reports every failure as `TypeError: fetch failed`; the useful code sits in a cause. */
function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    // undici's generic socket code wraps the system one; prefer the more specific cause.
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (e instanceof AggregateError) {
      const inner = e.errors.map(errorCode).find(Boolean);
      if (inner) return inner;
    }
  }
  return undefined;
}
