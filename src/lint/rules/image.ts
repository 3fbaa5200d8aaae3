// Rules about FROM, USER, WORKDIR, ADD, CMD/ENTRYPOINT and MAINTAINER, with hadolint's codes,
// severities and messages.
import type { Instruction } from '../dockerfile.ts';
import { parseImageRef, tokenize, unquote } from '../words.ts';
import { instructionRule, type LintContext, type Rule } from './context.ts';

export const DL3000 = instructionRule({ code: 'DL3000', severity: 'error', message: 'Use absolute WORKDIR' }, (i) => {
  if (i.keyword !== 'WORKDIR') return false;
  const dir = unquote(i.args.trim());
  // A variable may well expand to an absolute path; Windows paths start with a drive letter.
  return dir !== '' && !dir.startsWith('/') && !dir.startsWith('$') && !/^[A-Za-z]:/.test(dir);
});

function isRoot(user: string): boolean {
  const name = unquote(user.trim()).split(':')[0];
  return name === 'root' || name === '0';
}

/** Every stage whose last USER is root is reported, as hadolint does: a base stage's user is inherited. */
export const DL3002: Rule = {
  code: 'DL3002',
  severity: 'warning',
  message: 'Last USER should not be root',
  check: (ctx) => {
    const lastRoot = new Map<number, number>();
    for (const i of ctx.df.instructions) {
      if (i.keyword !== 'USER' || i.stage < 0) continue;
      if (isRoot(i.args)) lastRoot.set(i.stage, i.line);
      else lastRoot.delete(i.stage);
    }
    return [...lastRoot.values()].map((line) => ({ line }));
  },
};

export const DL3006: Rule = {
  code: 'DL3006',
  severity: 'warning',
  message: 'Always tag the version of an image explicitly',
  check: (ctx) =>
    ctx.df.stages
      .filter(({ image, index }) => {
        if (image.tag || image.digest || image.raw === '' || image.raw.startsWith('$')) return false;
        if (image.raw.toLowerCase() === 'scratch') return false;
        return ctx.baseStage[index] === undefined;
      })
      .map((s) => ({ line: s.line })),
};

export const DL3007: Rule = {
  code: 'DL3007',
  severity: 'warning',
  message: 'Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag',
  // `name:latest@sha256:…` is pinned by the digest; the tag is only a label then.
  check: (ctx) => ctx.df.stages.filter((s) => s.image.tag === 'latest' && !s.image.digest).map((s) => ({ line: s.line })),
};

/** `*` allows all, `*.example.com` any host ending so, `registry.*` any host starting so. */
export function registryAllowed(pattern: string, registry: string): boolean {
  const p = pattern.toLowerCase();
  const r = registry.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*')) return r.endsWith(p.slice(1));
  if (p.endsWith('*')) return r.startsWith(p.slice(0, -1));
  return r === p;
}

/**
 * Only with `trustedRegistries` configured. Every image the build pulls is checked: FROM,
 * `COPY --from=<image>` and `RUN --mount=…,from=<image>`; earlier stage names (and, for COPY and
 * mounts, stage numbers) are not images. Images without a registry come from Docker Hub, allowed
 * through `docker.io` or `hub.docker.com`.
 */
export const DL3026: Rule = {
  code: 'DL3026',
  severity: 'error',
  message: 'Use only an allowed registry in the FROM image',
  check: (ctx) => {
    const allowed = ctx.options.trustedRegistries;
    if (allowed.length === 0) return [];
    const isAllowed = (registry: string) => allowed.some((p) => registryAllowed(p, registry));
    const hub = isAllowed('docker.io') || isAllowed('hub.docker.com');
    const stages = new Set<string>();
    const trusted = (raw: string, numbered: boolean): boolean => {
      const lower = raw.toLowerCase();
      if (lower === '' || lower === 'scratch' || lower.startsWith('$') || stages.has(lower)) return true;
      if (numbered && /^\d+$/.test(lower)) return true;
      const image = parseImageRef(raw);
      return image.registry ? isAllowed(image.registry) : hub;
    };
    const hits: { line: number }[] = [];
    for (const i of ctx.df.instructions) {
      const from: string[] = [];
      if (i.keyword === 'FROM') from.push(ctx.df.stages[i.stage]!.image.raw);
      else if (i.keyword === 'COPY') from.push(...i.flags.filter((f) => f.name === 'from' && f.value).map((f) => f.value!));
      else if (i.keyword === 'RUN') from.push(...(ctx.runOf.get(i)?.mounts ?? []).flatMap((m) => (m.options.from ? [m.options.from] : [])));
      if (from.some((raw) => !trusted(raw, i.keyword !== 'FROM'))) hits.push({ line: i.line });
      const name = i.keyword === 'FROM' ? ctx.df.stages[i.stage]!.name : undefined;
      if (name) stages.add(name.toLowerCase());
    }
    return hits;
  },
};

/**
 * `COPY --from=x`: x must be an earlier stage's name or number, or an image reference (which has
 * a `:` tag or digest, or a registry). A bare word that names no stage is almost always a typo.
 */
export const DL3022: Rule = {
  code: 'DL3022',
  severity: 'warning',
  message: '`COPY --from` should reference a previously defined `FROM` alias',
  check: (ctx) => {
    const hits: { line: number }[] = [];
    // Names of the stages started so far, this one included.
    const earlier = new Set<string>();
    for (const i of ctx.df.instructions) {
      const name = i.keyword === 'FROM' ? ctx.df.stages[i.stage]!.name : undefined;
      if (name) earlier.add(name.toLowerCase());
      if (i.keyword !== 'COPY') continue;
      for (const f of i.flags) {
        if (f.name !== 'from' || !f.value) continue;
        const v = f.value;
        if (v.includes(':') || v.includes('@') || v.startsWith('$') || earlier.has(v.toLowerCase())) continue;
        // Stage numbers count from 0 and must point at a stage started before this COPY.
        if (/^\d+$/.test(v) && Number(v) <= i.stage) continue;
        // `registry.example.com/image` is an image too, even without a tag.
        if (parseImageRef(v).registry) continue;
        hits.push({ line: i.line });
      }
    }
    return hits;
  },
};

export const DL3024: Rule = {
  code: 'DL3024',
  severity: 'error',
  message: 'FROM aliases (stage names) must be unique',
  check: (ctx) => {
    const seen = new Set<string>();
    const hits: { line: number }[] = [];
    for (const s of ctx.df.stages) {
      if (!s.name) continue;
      // BuildKit compares stage names case-insensitively, so `AS Build` and `AS build` clash.
      const name = s.name.toLowerCase();
      if (seen.has(name)) hits.push({ line: s.line });
      seen.add(name);
    }
    return hits;
  },
};

// hadolint's list: ADD unpacks these, which COPY cannot do.
const ARCHIVES = ['.tar', '.Z', '.bz2', '.gz', '.lz', '.lzma', '.tZ', '.tb2', '.tbz', '.tbz2', '.tgz', '.tlz', '.tpz', '.txz', '.xz'];

function sources(i: Instruction): string[] {
  const words = i.json ?? tokenize(i.args).map(unquote);
  return words.slice(0, -1);
}

export const DL3020 = instructionRule(
  { code: 'DL3020', severity: 'error', message: 'Use COPY instead of ADD for files and folders' },
  (i) => i.keyword === 'ADD' && sources(i).some((s) => !/^https?:\/\//.test(s) && !ARCHIVES.some((ext) => s.endsWith(ext))),
);

/** `HEALTHCHECK [--opts] CMD …` in shell form counts too, as in hadolint; `HEALTHCHECK NONE` has no command. */
function healthcheckShellForm(i: Instruction): boolean {
  const m = /^CMD\s+([\s\S]*)$/i.exec(i.args);
  return m !== null && !m[1]!.trim().startsWith('[');
}

export const DL3025 = instructionRule(
  { code: 'DL3025', severity: 'warning', message: 'Use arguments JSON notation for CMD and ENTRYPOINT arguments' },
  (i) => ((i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && i.json === null && i.args !== '') || (i.keyword === 'HEALTHCHECK' && healthcheckShellForm(i)),
);

export const DL4000 = instructionRule({ code: 'DL4000', severity: 'error', message: 'MAINTAINER is deprecated' }, (i) => i.keyword === 'MAINTAINER');

/** Second and later occurrences of `keyword` within one stage. */
function repeatsInStage(keyword: string): (ctx: LintContext) => { line: number }[] {
  return (ctx) => {
    const seen = new Set<number>();
    const hits: { line: number }[] = [];
    for (const i of ctx.df.instructions) {
      if (i.keyword !== keyword) continue;
      if (seen.has(i.stage)) hits.push({ line: i.line });
      seen.add(i.stage);
    }
    return hits;
  };
}

export const DL4003: Rule = {
  code: 'DL4003',
  severity: 'warning',
  message: 'Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect',
  check: repeatsInStage('CMD'),
};

export const DL4004: Rule = {
  code: 'DL4004',
  severity: 'error',
  message: 'Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect',
  check: repeatsInStage('ENTRYPOINT'),
};
