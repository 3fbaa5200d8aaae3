import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  DEFAULT_CONFIG,
  exceedsThreshold,
  formatJson,
  formatSarif,
  formatTty,
  lintCompose,
  lintDockerfile,
  type LintConfig,
  parseConfig,
  SHELLCHECK_EXCLUDED,
  type ShellcheckComment,
  shellcheckFindings,
  shellcheckScripts,
  toJson,
  type Finding,
} from '../../lint/index.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { projectFiles, readText } from '../files.ts';
import { mergeFindings, runHadolint, runShellcheck, shellScripts, type ToolRun } from '../lint/external.ts';

const FORMATS = ['tty', 'json', 'sarif'] as const;

export interface RunCheck {
  status: 'ran' | 'missing' | 'failed' | 'nothing-to-check';
  scripts: number;
  detail?: string;
  findings: Finding[];
}

let installed: boolean | undefined;

/** Asked once per process: a lint run, or a test suite, does not pay for the probe each time. */
function shellcheckInstalled(): boolean {
  if (installed === undefined) {
    const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8', timeout: 10_000 });
    installed = !probe.error && probe.status === 0;
  }
  return installed;
}

/**
 * hadolint's SC checks without hadolint: each shell-form RUN goes to shellcheck as a script of its
 * own (one shellcheck process for all of them), and the comments come back on the RUN lines.
 */
export function shellcheckRuns(text: string, config: LintConfig, file: string): RunCheck {
  const scripts = shellcheckScripts(text);
  if (scripts.length === 0) return { status: 'nothing-to-check', scripts: 0, findings: [] };
  if (!shellcheckInstalled()) return { status: 'missing', scripts: scripts.length, findings: [] };
  const dir = mkdtempSync(join(tmpdir(), 'dockervm-lint-'));
  try {
    const names = scripts.map((s, n) => {
      const name = `run-${n + 1}.sh`;
      writeFileSync(join(dir, name), s.script);
      return name;
    });
    const excluded = SHELLCHECK_EXCLUDED.map((c) => c.slice(2)).join(',');
    const result = spawnSync('shellcheck', ['--norc', '-f', 'json1', '-S', 'style', '-e', excluded, ...names], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    let parsed: { comments: (ShellcheckComment & { file: string })[] };
    try {
      parsed = JSON.parse(result.stdout);
    } catch {
      return { status: 'failed', scripts: scripts.length, detail: (result.stderr || result.stdout).trim().split('\n')[0] ?? '', findings: [] };
    }
    const byScript = names.map((name) => parsed.comments.filter((c) => c.file === name));
    return { status: 'ran', scripts: scripts.length, findings: shellcheckFindings(text, scripts, byScript, { config, file }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const command: Command = {
  name: 'lint',
  summary: 'check the Dockerfile, compose.yaml and rootfs scripts (hadolint rules, plus hadolint and shellcheck when installed)',
  usage: 'lint [--format tty|json|sarif]',
  description: [
    'The built-in rules follow hadolint (same codes, severities and .hadolint.yaml keys) and add our own',
    '(a volume or bind at /, secrets in ENV/ARG, ports on all interfaces, `version:` in compose). When',
    'hadolint is installed it runs too. When shellcheck is installed it checks every shell-form RUN (SC',
    'codes on the RUN line, as hadolint does) and the shell scripts under rootfs/. Exits 1 when a finding',
    'reaches the failure threshold (.hadolint.yaml `failure-threshold`, default info).',
  ],
  options: {
    format: { type: 'string', short: 'f', value: FORMATS.join('|'), description: "tty (default), json (hadolint's JSON), or sarif (for code scanning)" },
    config: { type: 'string', short: 'c', value: 'FILE', description: "a .hadolint.yaml (default: the project's, if it has one)" },
    'no-external': { type: 'boolean', description: 'only the built-in rules, even when hadolint or shellcheck are installed' },
  },
  examples: ['npx dockervm lint', 'npx dockervm lint --format sarif > lint.sarif'],
  async run(ctx) {
    const format = ctx.string('format') ?? 'tty';
    if (!(FORMATS as readonly string[]).includes(format)) throw new CLIError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
    const files = projectFiles(ctx);
    // An absolute --config is taken as it is; a relative one is relative to the project.
    const given = ctx.string('config');
    const configFile = given ? resolve(files.dir, given) : ['.hadolint.yaml', '.hadolint.yml'].map((f) => join(files.dir, f)).find((f) => existsSync(f));
    if (configFile && !existsSync(configFile)) throw new CLIError(`--config ${given}: no such file`);
    const parsed = configFile ? parseConfig(readText(configFile)) : { config: DEFAULT_CONFIG, problems: [] };
    if (configFile) for (const problem of parsed.problems) ctx.out.warn(`${relative(files.dir, configFile)}: ${problem} (ignored)`);
    const config = parsed.config;

    let findings: Finding[] = [];
    if (files.dockerfile) findings.push(...lintDockerfile(readText(files.dockerfile), { config, file: relative(files.dir, files.dockerfile) }));
    if (files.compose) findings.push(...lintCompose(readText(files.compose), { config, file: relative(files.dir, files.compose) }));

    const tools: ToolRun[] = [];
    let runCheck: RunCheck | undefined;
    // The CLI parses with negation allowed, which reads `--no-external` as `external: false`; the
    // literal name is checked too, in case a parser takes the option as declared.
    const external = ctx.flag('external') !== false && ctx.flag('no-external') !== true;
    if (external && files.dockerfile) {
      runCheck = shellcheckRuns(readText(files.dockerfile), config, relative(files.dir, files.dockerfile));
      findings = mergeFindings(findings, runCheck.findings);
      if (runCheck.status === 'missing')
        ctx.out.info(`shellcheck is not installed: the ${runCheck.scripts} RUN script${runCheck.scripts === 1 ? '' : 's'} of the Dockerfile got no SC checks`);
      else if (runCheck.status === 'failed') ctx.out.warn(`shellcheck ran on the RUN scripts but its output could not be read: ${runCheck.detail}`);
      else if (runCheck.status === 'ran') ctx.out.progress(`shellcheck: ${runCheck.scripts} RUN script${runCheck.scripts === 1 ? '' : 's'} checked`);
    }
    if (external) {
      if (files.dockerfile) tools.push(runHadolint(files.dir, files.dockerfile, configFile));
      tools.push(runShellcheck(files.dir, shellScripts(files.dir)));
    }
    for (const tool of tools) {
      const ignored = new Set(config.ignored);
      findings = mergeFindings(
        findings,
        tool.findings.filter((f) => !ignored.has(f.code)),
      );
      if (tool.status === 'missing')
        ctx.out.info(
          `${tool.tool} is not installed: ${tool.tool === 'hadolint' ? 'only the built-in Dockerfile rules ran' : `${tool.files.length} shell script${tool.files.length === 1 ? '' : 's'} under rootfs/ were not checked`} (install ${tool.tool} for more)`,
        );
      else if (tool.status === 'failed') ctx.out.warn(`${tool.tool} ${tool.version} ran but its output could not be read: ${tool.detail}`);
      else if (tool.status === 'ran') ctx.out.progress(`${tool.tool} ${tool.version}: ${tool.files.length} file${tool.files.length === 1 ? '' : 's'} checked`);
    }
    const failed = exceedsThreshold(findings, config);
    const exitCode = failed ? 1 : 0;
    const data = {
      findings: toJson(findings),
      failureThreshold: config.failureThreshold,
      failed,
      config: configFile ? relative(files.dir, configFile) : null,
      tools: tools.map((t) => ({ tool: t.tool, status: t.status, version: t.version ?? null, files: t.files })),
      runScripts: runCheck ? { status: runCheck.status, scripts: runCheck.scripts } : null,
    };
    if (ctx.json) return { data, exitCode };
    if (format === 'json') return { data, text: [formatJson(findings)], exitCode };
    if (format === 'sarif') return { data, text: [formatSarif(findings)], exitCode };
    const color = !ctx.env.NO_COLOR && ctx.stdoutIsTTY;
    const summary =
      findings.length === 0
        ? 'no findings'
        : `${findings.length} finding${findings.length === 1 ? '' : 's'}${failed ? ` (failure threshold: ${config.failureThreshold})` : ', none at the failure threshold'}`;
    return { data, text: [...formatTty(findings, { color }).split('\n').filter(Boolean), summary], exitCode };
  },
};
