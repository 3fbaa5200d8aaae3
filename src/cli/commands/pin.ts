import { basename, relative } from 'node:path';
import { InvalidReferenceError, parseReference } from '../../registry/reference.ts';
import { Engine } from '../../docker/engine.ts';
import { engineRegistryMirrors } from '../../docker/registry-mirrors.ts';
import { registriesFor, resolveThroughMirrors } from '../../registry/mirrors.ts';
import { RegistryError } from '../../registry/resolve.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { projectFiles, readText, writeAtomically, type ProjectFiles } from '../files.ts';
import { table } from '../messages.ts';
import { applyEdits, composeSites, dockerfileSites, pinnedReference, type Edit, type ImageSite } from '../pin/refs.ts';

interface Site {
  site: ImageSite;
  path: string;
}

/** A site and what its registry says; every status but skipped and error comes with the tag's digest now. */
type Checked = Site & { detail?: string } & ({ status: 'pinned' | 'stale' | 'unpinned'; digest: string } | { status: 'skipped' | 'error'; digest?: undefined });
type Resolved = Extract<Checked, { digest: string }>;

export const command: Command = {
  name: 'pin',
  summary: 'pin FROM and compose image: references to their registry digest (tag@sha256:…)',
  usage: 'pin [--check] [--update]',
  description: [
    "Asks each image's registry for the digest its tag points at (the multi-arch index digest, so the",
    'pin holds on every platform) and rewrites `FROM name:tag` to `FROM name:tag@sha256:…`, in place:',
    "nothing else in the files changes. The project's own image (a service with build:) is left alone.",
    '--check changes nothing and exits 1 when a reference is unpinned or its pin is stale (the tag',
    'has moved on): for CI.',
  ],
  options: {
    check: { type: 'boolean', description: 'report unpinned and stale references, exit 1 if there are any; write nothing' },
    update: { type: 'boolean', description: 'also move stale pins to the digest the tag points at now' },
    'registry-mirror': { type: 'string', value: 'URL', description: 'ask this registry for Docker Hub images (env DOCKERVM_REGISTRY_MIRROR)' },
    timeout: { type: 'string', value: 'SECONDS', description: 'give up on a registry after this long (default: 10)' },
  },
  examples: ['npx dockervm pin', 'npx dockervm pin --check', 'DOCKERVM_REGISTRY_MIRROR=http://127.0.0.1:5000 npx dockervm pin --update'],
  async run(ctx) {
    const files = projectFiles(ctx);
    const timeout = Number(ctx.string('timeout') ?? '10');
    if (!Number.isFinite(timeout) || timeout <= 0) throw new CLIError(`--timeout must be a number of seconds (got "${ctx.string('timeout')}")`);
    const mirror = ctx.string('registry-mirror') ?? (ctx.env.DOCKERVM_REGISTRY_MIRROR || undefined);
    const { texts, sites } = findSites(files);
    const resolveTag = tagResolver(ctx, mirror, timeout);
    const checked = await Promise.all(sites.map((s) => checkSite(s, resolveTag)));

    const row = (c: Checked, now = false) => [
      `${basename(c.path)}:${c.site.line}`,
      c.site.reference,
      ...(now ? ['pinned now', c.digest ?? ''] : [c.status, c.detail ?? c.digest ?? '']),
    ];
    const data = {
      references: checked.map((c) => ({
        file: relative(files.dir, c.path),
        line: c.site.line,
        reference: c.site.reference,
        status: c.status,
        digest: c.digest ?? null,
        detail: c.detail ?? null,
      })),
    };
    if (ctx.flag('check')) {
      const bad = checked.filter((c) => c.status === 'unpinned' || c.status === 'stale' || c.status === 'error');
      return {
        data: { ...data, problems: bad.length },
        text: [
          ...table(checked.map((c) => row(c))),
          bad.length
            ? `${bad.length} reference${bad.length === 1 ? '' : 's'} not pinned to the current digest: run \`npx dockervm pin${bad.some((b) => b.status === 'stale') ? ' --update' : ''}\``
            : 'every reference is pinned to its current digest',
        ],
        exitCode: bad.length ? 1 : 0,
      };
    }

    const update = Boolean(ctx.flag('update'));
    const toPin = checked.filter((c): c is Resolved => c.status === 'unpinned' || (c.status === 'stale' && update));
    const pinnedNow = new Set<Checked>(toPin);
    const written = writePins(texts, toPin).map((path) => relative(files.dir, path) || basename(path));
    const stale = checked.filter((c) => c.status === 'stale' && !update);
    return {
      data: { ...data, pinned: toPin.length, written },
      text: [
        ...table(checked.map((c) => row(c, pinnedNow.has(c)))),
        toPin.length ? `pinned ${toPin.length} reference${toPin.length === 1 ? '' : 's'} in ${written.join(', ')}` : 'nothing to pin',
        ...(stale.length ? [`${stale.length} stale pin${stale.length === 1 ? '' : 's'} left as they are: \`npx dockervm pin --update\` moves them`] : []),
      ],
      exitCode: checked.some((c) => c.status === 'error') ? 1 : 0,
    };
  },
};

/** The image references of the Dockerfile and compose.yaml, with the texts they were found in. */
function findSites(files: ProjectFiles): { texts: Map<string, string>; sites: Site[] } {
  const texts = new Map<string, string>();
  const sites: Site[] = [];
  for (const [path, find] of [
    [files.dockerfile, dockerfileSites],
    [files.compose, composeSites],
  ] as const) {
    if (!path) continue;
    const text = readText(path);
    texts.set(path, text);
    for (const site of find(text)) sites.push({ site, path });
  }
  return { texts, sites };
}

/** The digest a tag points at now, asked once per reference, through the mirrors the way the engine pulls. */
function tagResolver(ctx: Pick<Context, 'env' | 'out'>, mirror: string | undefined, timeout: number): (reference: string) => Promise<string> {
  // As the engine pulls: its registry mirrors first (a bounded engine call; none without an engine).
  let chain: Promise<{ engineMirrors: string[]; configured: string | undefined }> | undefined;
  const mirrors = () => (chain ??= engineRegistryMirrors(new Engine(ctx.env)).then((engineMirrors) => ({ engineMirrors, configured: mirror })));
  const digests = new Map<string, Promise<string>>();
  return (reference) => {
    let pending = digests.get(reference);
    if (!pending) {
      const { digest: _pinned, ...ref } = parseReference(reference);
      pending = mirrors()
        .then((c) => {
          const via = registriesFor(ref, c).filter((r): r is string => r !== undefined);
          ctx.out.progress(`resolving ${ref.familiar}${via.length ? ` via ${via.join(', then ')}` : ''} …`);
          return resolveThroughMirrors(ref, c, { timeoutMs: timeout * 1000 });
        })
        .then((r) => r.digest);
      digests.set(reference, pending);
    }
    return pending;
  };
}

async function checkSite({ site, path }: Site, resolveTag: (reference: string) => Promise<string>): Promise<Checked> {
  if (site.skip) return { site, path, status: 'skipped', detail: site.skip };
  try {
    const ref = parseReference(site.reference);
    if (ref.digest && !ref.tag) return { site, path, status: 'pinned', digest: ref.digest, detail: 'a digest without a tag: nothing to compare with' };
    const digest = await resolveTag(site.reference.split('@')[0] ?? site.reference);
    if (!ref.digest) return { site, path, status: 'unpinned', digest };
    return ref.digest === digest ? { site, path, status: 'pinned', digest } : { site, path, status: 'stale', digest, detail: `pinned ${ref.digest}` };
  } catch (error) {
    if (error instanceof RegistryError || error instanceof InvalidReferenceError) return { site, path, status: 'error', detail: error.message };
    throw error;
  }
}

/** Rewrites each file that has references to pin (and drops their "not pinned" markers); returns the files written. */
function writePins(texts: ReadonlyMap<string, string>, toPin: readonly Resolved[]): string[] {
  const written: string[] = [];
  for (const [path, text] of texts) {
    const edits: Edit[] = [];
    for (const c of toPin.filter((p) => p.path === path)) {
      edits.push({ start: c.site.start, end: c.site.end, replacement: pinnedReference(c.site.reference, c.digest) });
      if (c.site.marker) edits.push({ start: c.site.marker.start, end: c.site.marker.end, replacement: '' });
    }
    if (edits.length === 0) continue;
    writeAtomically(path, applyEdits(text, edits));
    written.push(path);
  }
  return written;
}
