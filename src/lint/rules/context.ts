// What every Dockerfile rule gets: the parsed file, each RUN's shell script split once, its
// mounts, and the stage graph. Building it once keeps rules small and consistent.
import { baseStages, type Dockerfile, type Instruction } from '../dockerfile.ts';
import { splitShell, type ShellScript } from '../shell.ts';
import { parseMount, type Mount } from '../words.ts';
import type { RuleMeta } from '../types.ts';

export interface RuleOptions {
  /** Registries allowed in FROM, COPY --from and RUN --mount from= (DL3026); empty means the rule is off. */
  trustedRegistries: string[];
}

export interface RunInfo {
  /** The RUN itself; for a trigger, the RUN inside the ONBUILD (same line as the ONBUILD). */
  instr: Instruction;
  script: ShellScript;
  mounts: Mount[];
  /** An `ONBUILD RUN …`: it runs in images built FROM this one, not in this stage. */
  onbuild: boolean;
}

export interface LintContext {
  df: Dockerfile;
  options: RuleOptions;
  /** RUN instructions in file order. */
  runs: RunInfo[];
  /** `ONBUILD RUN` triggers in file order; hadolint applies most RUN rules to them as well. */
  onbuildRuns: RunInfo[];
  /** The RunInfo of each RUN instruction, for rules that walk all instructions. */
  runOf: Map<Instruction, RunInfo>;
  /** Per stage: the earlier stage its FROM builds on, if any (see `baseStages`). */
  baseStage: (number | undefined)[];
  /** Stage names (lower-cased, as BuildKit compares them) used as the base of some FROM. */
  usedAsBase: Set<string>;
}

/** A violation: the line, and optionally a message more specific than the rule's own. */
export interface Hit {
  line: number;
  message?: string;
}

export interface Rule extends RuleMeta {
  check(ctx: LintContext): Hit[];
}

/** The common case: a rule that looks at one instruction at a time. */
export function instructionRule(meta: RuleMeta, violates: (i: Instruction, ctx: LintContext) => boolean): Rule {
  return { ...meta, check: (ctx) => ctx.df.instructions.filter((i) => violates(i, ctx)).map((i) => ({ line: i.line })) };
}

/**
 * A rule about one RUN's shell script and mounts. Unless `onbuild: false`, `ONBUILD RUN` triggers
 * are checked too (hadolint does so for every package and download rule).
 */
export function runRule(meta: RuleMeta, violates: (run: RunInfo, ctx: LintContext) => boolean, opts: { onbuild?: boolean } = {}): Rule {
  return {
    ...meta,
    check: (ctx) =>
      allRuns(ctx, opts.onbuild ?? true)
        .filter((r) => violates(r, ctx))
        .map((r) => ({ line: r.instr.line })),
  };
}

/** RUNs and (when asked) ONBUILD RUN triggers, in line order. */
export function allRuns(ctx: LintContext, onbuild = true): RunInfo[] {
  if (!onbuild || ctx.onbuildRuns.length === 0) return ctx.runs;
  return [...ctx.runs, ...ctx.onbuildRuns].sort((a, b) => a.instr.line - b.instr.line);
}

const SHELLS = /^(?:\/usr)?(?:\/local)?(?:\/bin\/)?(?:sh|bash|ash|dash|zsh)$/;

/**
 * The shell text a RUN executes. Exec form is joined as hadolint does. A heredoc is the script
 * when nothing else is on the line (`RUN <<EOF`) or a shell reads it (`RUN bash -e <<EOF`); a
 * heredoc fed to another program (`RUN python3 <<EOF`) is data, as is one with a non-shell shebang.
 */
export function runShellText(instr: Instruction): string {
  if (instr.json) return instr.json.join(' ');
  if (instr.heredocs.length === 0) return instr.args;
  const outer = instr.args.replace(/<<-?(["']?)[A-Za-z_][A-Za-z0-9_]*\1/g, '').trim();
  const program = outer.split(/\s+/)[0] ?? '';
  const parts = [outer];
  if (outer === '' || SHELLS.test(program)) {
    for (const h of instr.heredocs) {
      const shebang = /^#!(.*)/.exec(h.body)?.[1];
      if (shebang === undefined || /\b(?:sh|bash|ash|dash|zsh)\b/.test(shebang)) parts.push(h.body);
    }
  }
  return parts.filter(Boolean).join('\n');
}

function runInfo(instr: Instruction, onbuild: boolean): RunInfo {
  return {
    instr,
    script: splitShell(runShellText(instr)),
    mounts: instr.flags.filter((f) => f.name === 'mount' && f.value).map((f) => parseMount(f.value!)),
    onbuild,
  };
}

export function buildContext(df: Dockerfile, options: RuleOptions): LintContext {
  const runs = df.instructions.filter((i) => i.keyword === 'RUN').map((i) => runInfo(i, false));
  const onbuildRuns = df.instructions.flatMap((i) => (i.onbuild?.keyword === 'RUN' ? [runInfo(i.onbuild, true)] : []));
  const runOf = new Map(runs.map((r) => [r.instr, r]));
  const usedAsBase = new Set(df.stages.map((s) => s.image.raw.toLowerCase()));
  return { df, options, runs, onbuildRuns, runOf, baseStage: baseStages(df.stages), usedAsBase };
}

/** Final stage, or one some FROM builds on: what it leaves behind ends up in an image. */
export function stageReachesImage(ctx: LintContext, stage: number): boolean {
  const stages = ctx.df.stages;
  if (stage < 0 || stage >= stages.length - 1) return true;
  const name = stages[stage]!.name?.toLowerCase();
  return name !== undefined && ctx.usedAsBase.has(name);
}

/** A cache or tmpfs mount whose target is `dir` or lies under it: its content stays out of the layer. */
export function hasCacheMountUnder(run: RunInfo, dir: string): boolean {
  return run.mounts.some((m) => (m.type === 'cache' || m.type === 'tmpfs') && m.target !== undefined && isUnder(m.target, dir));
}

function isUnder(target: string, dir: string): boolean {
  const t = target.replace(/\/+$/, '');
  return t === dir || t.startsWith(`${dir}/`);
}
