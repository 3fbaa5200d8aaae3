// hadolint's SC checks: every shell-form RUN (and ONBUILD RUN) is handed to ShellCheck as a
// script of its own, and ShellCheck's comments come back as findings on the RUN's line. This
// module is the pure half: it writes the scripts and reads the answers; running the shellcheck
// program is the caller's business, so the linter stays free of processes and files.
import { DEFAULT_CONFIG, effectiveSeverity, type LintConfig } from './config.ts';
import { baseStages, type Dockerfile, type Instruction, parseDockerfile } from './dockerfile.ts';
import { runShellText } from './rules/context.ts';
import type { Finding } from './types.ts';
import { parseKeyValues } from './words.ts';

/** One script for ShellCheck: the RUN's text behind a shebang and the variables in scope. */
export interface ShellcheckScript {
  /** Line of the RUN (or ONBUILD) every comment on this script is reported at. */
  line: number;
  /** The shell the RUN runs under (`/bin/sh` unless SHELL or a `# hadolint shell=` pragma says). */
  shell: string;
  script: string;
}

/** What ShellCheck's `-f json1` says about one script. */
export interface ShellcheckComment {
  code: number;
  level: string;
  message: string;
}

/**
 * Left out as hadolint leaves them out: ash is checked as dash anyway (SC2187), and `source`d
 * files cannot be followed from a Dockerfile (SC1090, SC1091).
 */
export const SHELLCHECK_EXCLUDED = ['SC2187', 'SC1090', 'SC1091'];

// Docker passes these proxy variables to every RUN without an ARG.
const PREDEFINED = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy'];
const DEFAULT_SHELL = '/bin/sh';
const NON_POSIX = /pwsh|powershell|cmd/i;
const SUPPORTED_SHEBANG = /^#!(?:\/bin\/(?:sh|bash|ksh)|\/usr\/bin\/env (?:sh|bash|ksh))/;

interface Scope {
  shell: string;
  vars: Set<string>;
}

/**
 * The scripts ShellCheck should see, in file order. Scope follows hadolint: ARG and ENV names
 * are known to later RUNs of the stage, SHELL changes the shell, a FROM starts afresh unless it
 * names an earlier stage, whose scope it inherits. ONBUILD triggers are checked with the default
 * scope, since they run in a child image this file cannot see. Exec-form RUNs and non-POSIX
 * shells are skipped.
 */
export function shellcheckScripts(input: string | Dockerfile): ShellcheckScript[] {
  const df = typeof input === 'string' ? parseDockerfile(input) : input;
  const fresh = (shell = DEFAULT_SHELL): Scope => ({ shell, vars: new Set() });
  const byStage: Scope[] = [];
  const bases = baseStages(df.stages);
  let defaultShell = DEFAULT_SHELL;
  let seenFrom = false;
  let scope = fresh();
  const comments = [...df.comments];
  const out: ShellcheckScript[] = [];
  for (const i of df.instructions) {
    // `# hadolint shell=powershell` before an instruction sets the shell from there on.
    while (comments.length && comments[0]!.line < i.line) {
      const pragma = /^#\s*hadolint\s+shell\s*=\s*(\S+)/i.exec(comments.shift()!.text);
      if (pragma) {
        scope.shell = pragma[1]!;
        // Before the first FROM it is the default for every stage.
        if (!seenFrom) defaultShell = pragma[1]!;
      }
    }
    if (i.keyword === 'FROM') {
      seenFrom = true;
      const stage = df.stages[i.stage]!;
      const parent = bases[stage.index];
      const base = parent !== undefined ? byStage[parent] : undefined;
      scope = base ? { shell: base.shell, vars: new Set(base.vars) } : fresh(defaultShell);
      byStage[stage.index] = scope;
    } else if (i.keyword === 'ARG' || i.keyword === 'ENV') {
      for (const kv of parseKeyValues(i.args, i.keyword)) scope.vars.add(kv.key);
    } else if (i.keyword === 'SHELL' && i.json?.[0]) {
      scope.shell = i.json[0];
    } else if (i.keyword === 'RUN') {
      const s = script(i.line, scope, i);
      if (s) out.push(s);
    } else if (i.onbuild?.keyword === 'RUN') {
      const s = script(i.line, fresh(), i.onbuild);
      if (s) out.push(s);
    }
  }
  return out;
}

function script(line: number, scope: Scope, run: Instruction): ShellcheckScript | undefined {
  if (run.json) return undefined;
  const text = runShellText(run);
  // An empty text is a heredoc fed to another interpreter (`RUN <<EOF` with a python shebang).
  if (text.trim() === '' || NON_POSIX.test(scope.shell) || (text.startsWith('#!') && !SUPPORTED_SHEBANG.test(text))) return undefined;
  const exports = [...PREDEFINED, ...scope.vars].map((v) => `export ${v}=1\n`).join('');
  return { line, shell: scope.shell, script: `#!${scope.shell}\n${exports}${text}\n` };
}

const LEVELS: Record<string, Finding['severity']> = { error: 'error', warning: 'warning', info: 'info', style: 'style' };

/**
 * ShellCheck's comments as findings on the RUN lines, after `.hadolint.yaml` (ignored, override)
 * and `# hadolint ignore=SC…` pragmas, exactly as the built-in rules are filtered. One finding
 * per code and line, as hadolint reports them.
 */
export function shellcheckFindings(
  input: string | Dockerfile,
  scripts: readonly ShellcheckScript[],
  comments: readonly (readonly ShellcheckComment[])[],
  opts: { config?: LintConfig; file?: string } = {},
): Finding[] {
  const df = typeof input === 'string' ? parseDockerfile(input) : input;
  const config = opts.config ?? DEFAULT_CONFIG;
  const off = new Set([...config.ignored, ...(config.disableIgnorePragma ? [] : df.globalIgnores), ...SHELLCHECK_EXCLUDED]);
  const ignoredAt = new Map(df.instructions.map((i) => [i.line, config.disableIgnorePragma ? [] : i.ignores]));
  const seen = new Set<string>();
  const findings: Finding[] = [];
  scripts.forEach((s, n) => {
    for (const c of comments[n] ?? []) {
      const code = `SC${c.code}`;
      const key = `${s.line}:${code}`;
      if (off.has(code) || ignoredAt.get(s.line)?.includes(code) || seen.has(key)) continue;
      seen.add(key);
      const base = LEVELS[c.level] ?? 'info';
      findings.push({
        file: opts.file ?? 'Dockerfile',
        line: s.line,
        column: 1,
        code,
        severity: effectiveSeverity(code, base, config),
        message: c.message,
      });
    }
  });
  return findings;
}
