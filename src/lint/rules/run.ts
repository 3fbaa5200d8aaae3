// Rules about how RUN is written rather than what it installs.
import { commandsNamed, setsPipefail } from '../commands.ts';
import { runRule, type LintContext, type Rule, type RunInfo } from './context.ts';

export const DL3003 = runRule(
  { code: 'DL3003', severity: 'warning', message: 'Use WORKDIR to switch to a directory' },
  (run) => commandsNamed(run.script, 'cd').length > 0,
  // hadolint does not look into ONBUILD for this one: the trigger's directory is the child's business.
  { onbuild: false },
);

export const DL3004 = runRule(
  {
    code: 'DL3004',
    severity: 'error',
    message: 'Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
  },
  (run) => commandsNamed(run.script, 'sudo').length > 0,
);

/**
 * Two RUNs in a row (comments between do not count) that each run a single command, with the
 * same flags, could be one layer. As in hadolint, a RUN that already chains commands is taken
 * as a deliberate split, and different --mount flags make merging impossible.
 */
export const DL3059: Rule = {
  code: 'DL3059',
  severity: 'info',
  message: 'Multiple consecutive `RUN` instructions. Consider consolidation.',
  check: (ctx) => {
    const hits: { line: number }[] = [];
    let prev: { flags: string; count: number } | null = null;
    for (const instr of ctx.df.instructions) {
      const run = ctx.runOf.get(instr);
      if (!run) {
        prev = null;
        continue;
      }
      const cur = { flags: JSON.stringify(instr.flags), count: run.script.commands.filter((c) => !c.wrappedBy).length };
      if (prev && prev.flags === cur.flags && prev.count <= 1 && cur.count <= 1) hits.push({ line: instr.line });
      prev = cur;
    }
    return hits;
  },
};

/** Non-POSIX shells have no pipefail and pipes mean something else there. */
function nonPosix(program: string): boolean {
  const base = program.slice(program.lastIndexOf('/') + 1).toLowerCase();
  return /^(?:pwsh|powershell|cmd)/.test(base);
}

/** `set -o pipefail` (or a shell started with it) before the first pipe of the same RUN. */
function pipefailInScript(run: RunInfo): boolean {
  const cmds = run.script.commands;
  const firstPipe = cmds.findIndex((c) => c.op === '|');
  const before = firstPipe < 0 ? cmds : cmds.slice(0, firstPipe);
  return before.some(setsPipefail);
}

/**
 * A pipe hides failures of every command but the last. hadolint clears the warning only with a
 * `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (bash, zsh or ash; plain sh is not trusted) in
 * the same stage; we also accept `set -o pipefail` in the RUN itself, which has the same effect.
 */
export const DL4006: Rule = {
  code: 'DL4006',
  severity: 'warning',
  message:
    'Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check',
  check: (ctx: LintContext) => {
    const hits: { line: number }[] = [];
    let safe = false;
    for (const instr of ctx.df.instructions) {
      if (instr.keyword === 'FROM') safe = false;
      else if (instr.keyword === 'SHELL' && instr.json && instr.json.length > 0) {
        const [program, ...args] = instr.json as [string, ...string[]];
        safe = nonPosix(program) || setsPipefail({ name: program, args, op: '', nested: false });
      } else if (instr.keyword === 'RUN' && !safe) {
        const run = ctx.runOf.get(instr)!;
        if (run.script.hasPipe && !pipefailInScript(run)) hits.push({ line: instr.line });
      }
    }
    return hits;
  },
};
