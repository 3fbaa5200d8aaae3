// Rules about FROM, USER, WORKDIR, ADD, CMD/ENTRYPOINT and MAINTAINER, with hadolint's codes,
// severities and messages.
import type { Instruction } from '../dockerfile.ts';
import { tokenize, unquote } from '../words.ts';
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

/** Names of the stages declared before `stage`, lower-cased as BuildKit compares them. */
function earlierStageNames(ctx: LintContext, stage: number): Set<string> {
  return new Set(ctx.df.stages.slice(0, stage).flatMap((s) => (s.name ? [s.name.toLowerCase()] : [])));
}

export const DL3006: Rule = {
  code: 'DL3006',
  severity: 'warning',
  message: 'Always tag the version of an image explicitly',
  check: (ctx) =>
    ctx.df.stages
      .filter(({ image, index }) => {
        if (image.tag || image.digest || image.raw === '' || image.raw.startsWith('$')) return false;
        if (image.raw.toLowerCase() === 'scratch') return false;
        return !earlierStageNames(ctx, index).has(image.raw.toLowerCase());
      })
      .map((s) => ({ line: s.line })),
};

export const DL3007: Rule = {
  code: 'DL3007',
  severity: 'warning',
  message: 'Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag',
  check: (ctx) => ctx.df.stages.filter((s) => s.image.tag === 'latest').map((s) => ({ line: s.line })),
};

/** Only with `trustedRegistries` configured; images without a registry come from Docker Hub. */
export const DL3026: Rule = {
  code: 'DL3026',
  severity: 'error',
  message: 'Use only an allowed registry in the FROM image',
  check: (ctx) => {
    const allowed = new Set(ctx.options.trustedRegistries.map((r) => r.toLowerCase()));
    if (allowed.size === 0) return [];
    const hub = allowed.has('docker.io') || allowed.has('hub.docker.com');
    return ctx.df.stages
      .filter(({ image, index }) => {
        const raw = image.raw.toLowerCase();
        if (raw === 'scratch' || raw.startsWith('$') || earlierStageNames(ctx, index).has(raw)) return false;
        return image.registry ? !allowed.has(image.registry.toLowerCase()) : !hub;
      })
      .map((s) => ({ line: s.line }));
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

export const DL3025 = instructionRule(
  { code: 'DL3025', severity: 'warning', message: 'Use arguments JSON notation for CMD and ENTRYPOINT arguments' },
  (i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && i.json === null && i.args !== '',
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
