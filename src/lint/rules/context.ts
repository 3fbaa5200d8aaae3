// What every Dockerfile rule gets: the parsed file, each RUN's shell script split once, its
// mounts, and the stage graph. Building it once keeps rules small and consistent.
import type { Dockerfile, Instruction } from '../dockerfile.ts';
import { splitShell, type ShellScript } from '../shell.ts';
import { parseMount, type Mount } from '../words.ts';
import type { RuleMeta } from '../types.ts';

export interface RuleOptions {
  /** Registries allowed in FROM (DL3026); empty means the rule is off. */
  trustedRegistries: string[];
}

export interface RunInfo {
  instr: Instruction;
  script: ShellScript;
  mounts: Mount[];
}

export interface LintContext {
  df: Dockerfile;
  options: RuleOptions;
  runs: RunInfo[];
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

/** A rule about one RUN's shell script and mounts. */
export function runRule(meta: RuleMeta, violates: (run: RunInfo, ctx: LintContext) => boolean): Rule {
  return { ...meta, check: (ctx) => ctx.runs.filter((r) => violates(r, ctx)).map((r) => ({ line: r.instr.line })) };
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

export function buildContext(df: Dockerfile, options: RuleOptions): LintContext {
  const runs: RunInfo[] = df.instructions
    .filter((i) => i.keyword === 'RUN')
    .map((instr) => ({
      instr,
      script: splitShell(runShellText(instr)),
      mounts: instr.flags.filter((f) => f.name === 'mount' && f.value).map((f) => parseMount(f.value!)),
    }));
  const usedAsBase = new Set(df.stages.map((s) => s.image.raw.toLowerCase()));
  return { df, options, runs, usedAsBase };
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
