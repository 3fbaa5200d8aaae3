// Image references as Docker reads them (the distribution reference grammar), parsed piece by
// piece rather than with one big regex so that a rejection can say which piece is wrong.

export interface ImageReference {
  /** Registry host, with port when given; `docker.io` when the input named none. */
  domain: string;
  /** Repository path below the domain, e.g. `library/debian` or `owner/img`. */
  path: string;
  /** Absent only when the input pinned a digest without a tag. */
  tag?: string;
  /** `algorithm:hex`, when the input pinned one. */
  digest?: string;
  /** The short form Docker prints, e.g. `debian:bookworm-slim` or `ghcr.io/owner/img:1`. */
  familiar: string;
}

export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
  readonly input: string;
  readonly reason: string;

  constructor(input: string, reason: string) {
    super(`invalid image reference ${JSON.stringify(input)}: ${reason}`);
    this.input = input;
    this.reason = reason;
  }
}

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
/** Docker Hub's official images live under this namespace. */
export const OFFICIAL_NAMESPACE = 'library';
// Older tooling wrote Docker Hub's name this way; Docker treats it as the same registry.
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';

const NAME_MAX = 255;
const TAG_MAX = 128;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:.]+\\])(?::[0-9]+)?$`);
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
// go-digest only accepts algorithms it can verify, each with a fixed lowercase-hex length.
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
// A bare 64-hex name reads as an image ID to Docker, so it refuses it as a repository name.
const IMAGE_ID = /^[a-f0-9]{64}$/;

export function parseReference(input: string): ImageReference {
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (input.length === 0) fail('reference is empty');
  if (/\s/.test(input)) fail('reference must not contain whitespace');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem) fail(problem);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  // A colon before the last '/' belongs to a registry port, not a tag.
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag.length === 0) fail('tag is empty (remove the trailing ":" or name a tag)');
    if (tag.length > TAG_MAX) fail(`tag is longer than ${TAG_MAX} characters`);
    if (!TAG.test(tag)) {
      fail(`tag ${JSON.stringify(tag)} may only contain letters, digits, '_', '.' and '-', and must not start with '.' or '-'`);
    }
  }

  const name = rest;
  if (name.length === 0) fail('repository name is empty');
  if (name.length > NAME_MAX) fail(`repository name is longer than ${NAME_MAX} characters`);

  let domain: string | undefined;
  let remainder = name;
  const slash = name.indexOf('/');
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      domain = first;
      remainder = name.slice(slash + 1);
      if (!HOST.test(domain)) fail(`registry host ${JSON.stringify(domain)} is not a valid host[:port]`);
      if (remainder.length === 0) fail('repository path after the registry host is empty');
    }
  }

  const components = remainder.split('/');
  for (const component of components) {
    if (component.length === 0) {
      fail("repository name has an empty path component (leading, trailing or doubled '/')");
    }
    if (PATH_COMPONENT.test(component)) continue;
    if (component !== component.toLowerCase()) fail('repository name must be lowercase');
    fail(`path component ${JSON.stringify(component)} must start and end with a lowercase letter or digit, ` + `with only '.', '_', '__' or '-' between them`);
  }
  if (domain === undefined && IMAGE_ID.test(remainder)) {
    fail('a 64-character hex name is ambiguous with an image ID; add a namespace or a registry');
  }

  if (domain === undefined || domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  let path = remainder;
  if (domain === DEFAULT_DOMAIN && components.length === 1) path = `${OFFICIAL_NAMESPACE}/${path}`;
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;

  const ref: ImageReference = { domain, path, familiar: '' };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  ref.familiar = formatReference(ref);
  return ref;
}

export interface FormatOptions {
  /** Pin this digest instead of (or in addition to) the reference's own. */
  digest?: string;
}

/** Docker's short spelling: Hub's domain and `library/` dropped, everything else kept in full. */
export function formatReference(ref: Pick<ImageReference, 'domain' | 'path' | 'tag' | 'digest'>, options: FormatOptions = {}): string {
  let name = `${ref.domain}/${ref.path}`;
  if (ref.domain === DEFAULT_DOMAIN) {
    const official = `${OFFICIAL_NAMESPACE}/`;
    const short = ref.path.startsWith(official) ? ref.path.slice(official.length) : ref.path;
    // `library/a/b` must stay spelled out, or it would re-parse as the `a/b` repository.
    name = short.includes('/') && short !== ref.path ? ref.path : short;
  }
  const digest = options.digest ?? ref.digest;
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
}

/** Why `digest` is not a usable `algorithm:hex` digest, or undefined when it is. */
export function digestProblem(digest: string): string | undefined {
  if (digest.length === 0) return "digest after '@' is empty";
  if (!DIGEST.test(digest)) return `digest ${JSON.stringify(digest)} is not of the form algorithm:hex`;
  const [algorithm = '', hex = ''] = digest.split(':');
  const expected = DIGEST_HEX_LENGTH[algorithm];
  if (expected === undefined) return `digest algorithm ${JSON.stringify(algorithm)} is not supported (use sha256)`;
  if (hex.length !== expected || !/^[a-f0-9]+$/.test(hex)) {
    return `${algorithm} digest must be ${expected} lowercase hex characters`;
  }
  return undefined;
}
