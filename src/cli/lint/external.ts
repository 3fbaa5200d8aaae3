// hadolint and shellcheck, when installed: their findings join ours (same Finding shape); when not,
// the run says so instead of pretending it checked.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Finding, Severity } from '../../lint/index.ts';

export interface ToolRun {
  tool: 'hadolint' | 'shellcheck';
  /** ran: findings were read; missing: not on PATH; failed: it ran but its output was unusable. */
  status: 'ran' | 'missing' | 'failed' | 'nothing-to-check';
  version?: string;
  detail?: string;
  files: string[];
  findings: Finding[];
}

const LEVELS: Record<string, Severity> = { error: 'error', warning: 'warning', info: 'info', style: 'style' };

function version(tool: string): string | undefined {
  const result = spawnSync(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error || result.status !== 0) return undefined;
  return /\d+\.\d+(\.\d+)?/.exec(result.stdout)?.[0] ?? 'unknown';
}

export function runHadolint(dir: string, dockerfile: string, configFile: string | undefined): ToolRun {
  const file = relative(dir, dockerfile);
  const files = [file];
  const v = version('hadolint');
  if (!v) return { tool: 'hadolint', status: 'missing', files, findings: [] };
  const result = spawnSync('hadolint', ['--no-color', '-f', 'json', ...(configFile ? ['--config', configFile] : []), dockerfile], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  try {
    const list = JSON.parse(result.stdout) as { code: string; line: number; column: number; level: string; message: string }[];
    return {
      tool: 'hadolint',
      status: 'ran',
      version: v,
      files,
      findings: list.map((f) => ({ file, line: f.line, column: f.column, code: f.code, severity: LEVELS[f.level] ?? 'info', message: f.message })),
    };
  } catch {
    return { tool: 'hadolint', status: 'failed', version: v, files, detail: (result.stderr || result.stdout).trim().split('\n')[0] ?? '', findings: [] };
  }
}

/** Files under rootfs/ that start with a POSIX-shell or bash shebang (the VM's runtime scripts). */
export function shellScripts(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string, depth: number) => {
    if (depth > 12) return;
    let entries: string[];
    try {
      entries = readdirSync(current).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(current, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(path, depth + 1);
      else if (stat.isFile() && stat.size > 2 && isShellScript(path)) found.push(path);
    }
  };
  walk(join(dir, 'rootfs'), 0);
  return found;
}

function isShellScript(path: string): boolean {
  const buffer = Buffer.alloc(64);
  const fd = openSync(path, 'r');
  try {
    const length = readSync(fd, buffer, 0, 64, 0);
    const first = buffer.subarray(0, length).toString('utf8').split('\n')[0] ?? '';
    return /^#!\s*(\/usr)?\/bin\/(env\s+)?(sh|bash|dash|ash)\b/.test(first);
  } finally {
    closeSync(fd);
  }
}

export function runShellcheck(dir: string, scripts: readonly string[]): ToolRun {
  const files = scripts.map((s) => relative(dir, s));
  if (files.length === 0) return { tool: 'shellcheck', status: 'nothing-to-check', files, findings: [] };
  const v = version('shellcheck');
  if (!v) return { tool: 'shellcheck', status: 'missing', files, findings: [] };
  const result = spawnSync('shellcheck', ['-f', 'json1', ...files], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  try {
    const { comments } = JSON.parse(result.stdout) as {
      comments: { file: string; line: number; column: number; level: string; code: number; message: string }[];
    };
    return {
      tool: 'shellcheck',
      status: 'ran',
      version: v,
      files,
      findings: comments.map((c) => ({
        file: c.file,
        line: c.line,
        column: c.column,
        code: `SC${c.code}`,
        severity: LEVELS[c.level] ?? 'info',
        message: c.message,
      })),
    };
  } catch {
    return { tool: 'shellcheck', status: 'failed', version: v, files, detail: (result.stderr || result.stdout).trim().split('\n')[0] ?? '', findings: [] };
  }
}

/** Ours first; a tool's finding is added unless we already reported the same code on the same line. */
export function mergeFindings(ours: readonly Finding[], theirs: readonly Finding[]): Finding[] {
  const seen = new Set(ours.map((f) => `${f.file}:${f.line}:${f.code}`));
  return [...ours, ...theirs.filter((f) => !seen.has(`${f.file}:${f.line}:${f.code}`))].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.code.localeCompare(b.code),
  );
}
