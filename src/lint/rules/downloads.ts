// Downloads in RUN: wget's progress output and mixing wget with curl, with hadolint's codes.
import { commandsNamed, hasAnyFlag, hasArg } from '../commands.ts';
import { allRuns, runRule, type LintContext, type Rule, type RunInfo } from './context.ts';

/**
 * wget's default progress bar writes a line per few kilobytes into the build log. Any of
 * `--progress=…`, `-q`, `-nv`, or output sent to a log file (`-o`, `-a`) settles it.
 */
export const DL3047 = runRule(
  {
    code: 'DL3047',
    severity: 'info',
    message:
      'Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).',
  },
  (run) =>
    commandsNamed(run.script, 'wget').some(
      (c) => !hasAnyFlag(c, ['q', 'o', 'a'], ['progress', 'quiet', 'output-file', 'append-output', 'no-verbose']) && !hasArg(c, '-nv'),
    ),
);

function downloaders(run: RunInfo): Set<string> {
  return new Set(commandsNamed(run.script, 'curl', 'wget').map((c) => c.name.slice(c.name.lastIndexOf('/') + 1)));
}

/**
 * Once a stage has used both curl and wget, every RUN using either is reported: one tool is
 * enough, and each is another package in the image. ONBUILD triggers are counted on their own.
 */
export const DL4001: Rule = {
  code: 'DL4001',
  severity: 'warning',
  message: 'Either use Wget or Curl but not both',
  check: (ctx: LintContext) => {
    const hits: { line: number }[] = [];
    const walk = (runs: RunInfo[], resetPerStage: boolean) => {
      let seen = new Set<string>();
      let stage = Number.NaN;
      for (const run of runs) {
        if (resetPerStage && run.instr.stage !== stage) {
          seen = new Set();
          stage = run.instr.stage;
        }
        const used = downloaders(run);
        for (const t of used) seen.add(t);
        if (used.size > 0 && seen.size >= 2) hits.push({ line: run.instr.line });
      }
    };
    walk(ctx.runs, true);
    walk(
      allRuns(ctx).filter((r) => r.onbuild),
      false,
    );
    return hits.sort((a, b) => a.line - b.line);
  },
};
