#!/usr/bin/env node
// Runs every lesson's steps (examples/lessons/*/lesson.yaml) against the real engine and checks what
// happened against examples/lessons/<lesson>/transcript.json, the only source of the outputs the site
// shows, or records it there on purpose.
//
//   node scripts/run-examples.ts [--record] [--out DIR] [--jobs N] [lesson-prefix …]
//     e.g. `node scripts/run-examples.ts 01 07`, `npm run examples -- --record 04`
//
// Without --record the fresh transcripts go to DIR (default: a new temporary directory) and each is
// compared with the committed one, ids, times and the build cache's state masked
// (scripts/lessons/compare.ts): the committed files are never touched. With --record a lesson whose
// output really changed gets its transcript rewritten; one that only differs in ids and times keeps
// the committed file, so re-recording leaves no churn.
// Exit: 0 every lesson passed (and, without --record, matches its transcript), 1 a step failed, no
// longer shows what it expects, or differs from the committed transcript, 3 no engine answers.
// Each lesson runs in a temporary copy of its files, holding that lesson's lock on the engine
// (scripts/lessons/engine-lock.ts: two runs of one lesson wait for each other, different lessons run
// side by side); everything it creates carries the label dev.dockervm.lesson=<NN> (a `docker` wrapper
// adds it to run/create/build/commit/import and to new networks and volumes) or is named l<NN>-…, and
// is removed before (what a killed run left) and after, pass or fail. The images a lesson lists under
// `images:` are pulled first when the engine lacks them, so a new engine gives the same transcript as one
// that ran other lessons before. Steps talk only to 127.0.0.1 and to the lesson's own containers.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  LABEL,
  LESSONS_DIR,
  lessonSlugs,
  loadLesson,
  problemsOf,
  savedValue,
  substitute,
  type Lesson,
  type RecordedStep,
  type Step,
  type Transcript,
} from '../examples/lessons/lessons.ts';
import { lockLesson } from './lessons/engine-lock.ts';
import { settle } from './lessons/settle.ts';
import { keepEnds } from './lessons/compare.ts';

const ROOT = join(LESSONS_DIR, '..', '..');
const MAX_OUTPUT = 40_000;
// Terminal control sequences (compose erases lines even without a TTY): not part of what a reader sees.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every ANSI sequence
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function log(message: string) {
  process.stderr.write(`run-examples: ${message}\n`);
}

function docker(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

export function engineVersions(): { server: string; compose: string } | string {
  if (spawnSync('docker', ['--version']).status !== 0) return 'no docker client on PATH';
  const server = docker(['version', '--format', '{{.Server.Version}}']);
  if (!server.ok) return `the engine does not answer: ${server.out.split('\n').pop()}`;
  const compose = docker(['compose', 'version', '--short']);
  return { server: server.out, compose: compose.ok ? compose.out : 'absent' };
}

/** A `docker` that labels what it creates, first on the lesson's PATH. */
function writeWrapper(dir: string): void {
  const real = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim();
  const script = `#!/bin/sh
# Added by scripts/run-examples.ts: label everything a lesson creates, so it can be removed by label.
L="${LABEL}=$DOCKERVM_LESSON"
case "$1 $2" in
  "network create"|"volume create"|"container create"|"container run"|"image build"|"buildx build")
    a=$1; b=$2; shift 2; exec ${real} "$a" "$b" --label "$L" "$@" ;;
  "container commit"|"image import")
    a=$1; b=$2; shift 2; exec ${real} "$a" "$b" --change "LABEL $L" "$@" ;;
esac
case "$1" in
  run|create|build) a=$1; shift; exec ${real} "$a" --label "$L" "$@" ;;
  commit|import) a=$1; shift; exec ${real} "$a" --change "LABEL $L" "$@" ;;
esac
exec ${real} "$@"
`;
  writeFileSync(join(dir, 'docker'), script);
  chmodSync(join(dir, 'docker'), 0o755);
  // This repository's own CLIs, as a reader runs them after `npm create dockervm` / `npx dockervm`
  // (built by `npm run build`, which `npm test` runs before the e2e suites).
  for (const [name, bin] of [
    ['dockervm', 'packages/dockervm/bin/dockervm.js'],
    ['create-dockervm', 'packages/create-dockervm/bin/create-dockervm.js'],
  ]) {
    const target = join(ROOT, bin!);
    writeFileSync(
      join(dir, name!),
      `#!/bin/sh
# Added by scripts/run-examples.ts: the ${name} of this checkout.
if [ ! -d ${JSON.stringify(join(ROOT, dirname(dirname(bin!)), 'dist'))} ]; then echo "${name} is not built: run npm run build" >&2; exit 127; fi
exec ${JSON.stringify(process.execPath)} ${JSON.stringify(target)} "$@"
`,
    );
    chmodSync(join(dir, name!), 0o755);
  }
}

interface RunResult {
  output: string;
  exitCode: number;
  durationMs: number;
}

/** Runs one command, stdout and stderr interleaved in one file (as a terminal shows them). */
function runCommand(argv: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutS: number, scratch: string): Promise<RunResult> {
  const outFile = join(scratch, 'step-output');
  const fd = openSync(outFile, 'w');
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', fd, fd], detached: true });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutS * 1000);
    const finish = (code: number) => {
      clearTimeout(timer);
      closeSync(fd);
      let output = readFileSync(outFile, 'utf8');
      if (Date.now() - started >= timeoutS * 1000) output += `\n[killed after ${timeoutS} s]`;
      if (output.length > MAX_OUTPUT) output = keepEnds(output, MAX_OUTPUT);
      resolve({ output: output.replace(ANSI, '').replace(/\r\n/g, '\n').replace(/\s+$/, ''), exitCode: code, durationMs: Date.now() - started });
    };
    child.on('exit', (code, signal) => finish(code ?? (signal ? 128 + 9 : 1)));
    child.on('error', () => finish(127));
  });
}

async function runStep(step: Step, command: string, ctx: { cwd: string; env: NodeJS.ProcessEnv; scratch: string }): Promise<RunResult> {
  const argv = step.in ? ['docker', 'exec', ...(step.user ? ['-u', step.user] : []), step.in, 'sh', '-c', command] : ['bash', '-o', 'pipefail', '-c', command];
  return runCommand(argv, step.dir ? join(ctx.cwd, step.dir) : ctx.cwd, ctx.env, step.timeout ?? 120, ctx.scratch);
}

/**
 * Removes what a lesson owns: everything carrying its label, and everything compose made for a project
 * named l<NN>-… (compose creates containers, networks and volumes through the API, past the labelling
 * wrapper; every lesson's compose project and image is named with that prefix). Runs after the lesson,
 * pass or fail, and before it: a run that was killed leaves containers whose fixed names would clash.
 * Only ever under the lesson's engine lock, so what it finds belongs to no live run.
 */
function sweep(number: string): string[] {
  const prefix = `l${number}-`;
  const byLabel = ['--filter', `label=${LABEL}=${number}`];
  const composeProject = '{{.Label "com.docker.compose.project"}}';
  const lines = (args: string[]) => docker(args).out.split('\n').filter(Boolean);
  // Rows are "<id>|<name>"; a row belongs to the lesson when its name starts with one of the prefixes.
  const owned = (labelled: string[], all: string[], prefixes = [prefix]) => [
    ...new Set([
      ...lines(labelled),
      ...lines(all)
        .map((row) => row.split('|'))
        .filter(([, name]) => prefixes.some((p) => name?.startsWith(p)))
        .map(([id]) => id!),
    ]),
  ];
  const removed: string[] = [];
  const containers = owned(['ps', '-aq', ...byLabel], ['ps', '-a', '--format', `{{.ID}}|${composeProject}`]);
  if (containers.length) {
    docker(['rm', '-f', '-v', ...containers]);
    removed.push(`${containers.length} container(s)`);
  }
  const networks = owned(['network', 'ls', '-q', ...byLabel], ['network', 'ls', '--format', `{{.ID}}|${composeProject}`]);
  if (networks.length) {
    docker(['network', 'rm', ...networks]);
    removed.push(`${networks.length} network(s)`);
  }
  const volumes = owned(['volume', 'ls', '-q', ...byLabel], ['volume', 'ls', '--format', `{{.Name}}|${composeProject}`]);
  if (volumes.length) {
    docker(['volume', 'rm', '-f', ...volumes]);
    removed.push(`${volumes.length} volume(s)`);
  }
  // Images: compose names its builds <project>-<service>; dockervm keeps VMs and snapshots in dockervm/<project>.
  const images = owned(['images', '-aq', ...byLabel], ['images', '--format', '{{.ID}}|{{.Repository}}'], [prefix, `dockervm/${prefix}`]);
  if (images.length) {
    docker(['rmi', '-f', ...images]);
    removed.push(`${images.length} image(s)`);
  }
  return removed;
}

/** The longest a run of the lesson can take: every step and cleanup command is killed at its timeout. */
function maxSeconds(lesson: Lesson): number {
  const steps = lesson.steps.reduce((sum, step) => {
    const tries = step.retry?.tries ?? 1;
    return sum + tries * (step.timeout ?? 120) + (tries - 1) * (step.retry?.delay ?? 0.5);
  }, 0);
  return Math.ceil(steps + 120 * lesson.cleanup.length + 2 * 60); // and two sweeps of a minute each
}

type Outcome = { ok: boolean; report: string[]; transcript?: Transcript };

/**
 * Pulls the images a lesson assumes are there (its `images:`) unless the engine has them: a first
 * `docker run busybox:latest` would otherwise print the pull in the transcript on a new engine only.
 * Returns what went wrong, or undefined.
 */
function pullImages(images: string[]): string | undefined {
  for (const image of images) {
    if (docker(['image', 'inspect', '--format', '{{.Id}}', image]).ok) continue;
    const pulled = spawnSync('docker', ['pull', '--quiet', image], { encoding: 'utf8', timeout: 300_000 });
    if (pulled.status !== 0)
      return `the lesson needs ${image}, and docker pull failed: ${(pulled.stderr || pulled.stdout || 'timed out').trim().split('\n').pop()}`;
  }
  return undefined;
}

async function runLesson(lesson: Lesson, engine: Transcript['engine']): Promise<Outcome> {
  let lock;
  try {
    lock = await lockLesson(lesson.slug.slice(0, 2), maxSeconds(lesson), log);
  } catch (error) {
    return { ok: false, report: [(error as Error).message] };
  }
  try {
    return await runLocked(lesson, engine);
  } finally {
    lock.release();
  }
}

async function runLocked(lesson: Lesson, engine: Transcript['engine']): Promise<Outcome> {
  const number = lesson.slug.slice(0, 2);
  // A stable place (the lesson's lock keeps other runs of it out): paths that show up in outputs stay
  // the same from run to run, and read like a reader's own directory.
  const cwd = join(tmpdir(), 'dockervm-lessons', lesson.slug);
  const scratch = join(tmpdir(), 'dockervm-lessons', `.${lesson.slug}.runner`);
  const bin = join(scratch, 'bin');
  rmSync(cwd, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  cpSync(join(LESSONS_DIR, lesson.slug), cwd, { recursive: true, filter: (src) => !/\/(lesson\.yaml|transcript\.json)$/.test(src) });
  writeWrapper(bin);
  const leftovers = sweep(number);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    DOCKERVM_LESSON: number,
    BUILDKIT_PROGRESS: 'plain',
    DOCKER_CLI_HINTS: 'false',
    NO_COLOR: '1',
    COLUMNS: '100',
    LC_ALL: 'C.UTF-8',
  };
  const vars: Record<string, string> = {};
  const recorded: RecordedStep[] = [];
  const report: string[] = [];
  let ok = true;
  if (leftovers.length) report.push(`removed what an earlier, interrupted run left: ${leftovers.join(', ')}`);
  const unpulled = pullImages(lesson.images);
  if (unpulled) return { ok: false, report: [...report, unpulled] };
  try {
    for (const step of lesson.steps) {
      let command: string;
      try {
        command = substitute(step.run, vars);
      } catch (error) {
        ok = false;
        report.push(`step ${step.id}: ${(error as Error).message}`);
        break;
      }
      const tries = step.retry?.tries ?? 1;
      let result: RunResult | undefined;
      let problems: string[] = [];
      for (let attempt = 1; attempt <= tries; attempt++) {
        result = await runStep(step, command, { cwd, env, scratch });
        try {
          problems = problemsOf(step, result, vars);
        } catch (error) {
          problems = [(error as Error).message];
        }
        if (problems.length === 0 || attempt === tries) break;
        await new Promise((r) => setTimeout(r, (step.retry?.delay ?? 0.5) * 1000));
      }
      recorded.push({
        id: step.id,
        where: step.in ? { container: step.in, ...(step.user ? { user: step.user } : {}) } : { host: true, ...(step.dir ? { dir: step.dir } : {}) },
        command,
        output: result!.output,
        exitCode: result!.exitCode,
        durationMs: result!.durationMs,
        ...(step.tail ? { tail: step.tail } : {}),
        ...(step.from ? { from: step.from } : {}),
        ...(step.hidden ? { hidden: true } : {}),
      });
      if (problems.length) {
        ok = false;
        report.push(
          `step ${step.id} FAILED: ${problems.join('; ')}`,
          `  $ ${command}`,
          ...result!.output
            .split('\n')
            .slice(-15)
            .map((l) => `  | ${l}`),
        );
        break;
      }
      const value = savedValue(step, result!.output);
      if (step.save) {
        if (value === undefined) {
          ok = false;
          report.push(`step ${step.id}: nothing to save as ${step.save}`);
          break;
        }
        vars[step.save] = value;
      }
    }
  } finally {
    for (const command of lesson.cleanup) {
      const result = await runCommand(['bash', '-c', command], cwd, env, 120, scratch);
      if (result.exitCode !== 0) report.push(`cleanup "${command}" exited ${result.exitCode}: ${result.output.split('\n').pop()}`);
    }
    const swept = sweep(number);
    if (swept.length) report.push(`swept afterwards: ${swept.join(', ')}`);
    rmSync(scratch, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
  if (!ok) return { ok, report };
  return { ok, report, transcript: { lesson: lesson.slug, title: lesson.title, engine, recorded: new Date().toISOString().slice(0, 10), steps: recorded } };
}

async function main(argv: string[]): Promise<number> {
  let jobs = 2;
  let record = false;
  let out: string | undefined;
  const prefixes: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--jobs') jobs = Math.max(1, Number(argv[++i]) || 1);
    else if (argv[i] === '--record') record = true;
    else if (argv[i] === '--out') out = argv[++i];
    else if (argv[i]!.startsWith('-')) {
      log(`unknown option ${argv[i]}`);
      return 1;
    } else prefixes.push(argv[i]!);
  }
  const engine = engineVersions();
  if (typeof engine === 'string') {
    log(`no engine: ${engine}`);
    return 3;
  }
  const slugs = lessonSlugs().filter((s) => prefixes.length === 0 || prefixes.some((p) => s.startsWith(p)));
  if (slugs.length === 0) {
    log(`no lesson matches ${prefixes.join(' ')}`);
    return 1;
  }
  const lessons = slugs.map((slug) => loadLesson(slug));
  const outDir = out ?? mkdtempSync(join(tmpdir(), 'dockervm-transcripts-'));
  const started = Date.now();
  log(
    `${lessons.length} lesson(s) on Docker Engine ${engine.server}, Compose ${engine.compose}, ${jobs} at a time; ${record ? 'recording into examples/lessons/' : `comparing with the committed transcripts (fresh ones in ${outDir})`}`,
  );
  const failed: string[] = [];
  const queue = [...lessons];
  const worker = async () => {
    for (let lesson = queue.shift(); lesson; lesson = queue.shift()) {
      const t0 = Date.now();
      const run = await runLesson(lesson, engine);
      const settled = run.transcript ? settle(run.transcript, { record, out: outDir }) : { ok: false, report: [] };
      const report = [...run.report, ...settled.report];
      const status = !run.ok ? 'FAIL' : settled.ok ? 'ok  ' : 'DIFF';
      log(`${status} ${lesson.slug} (${((Date.now() - t0) / 1000).toFixed(1)} s)${report.map((l) => `\n    ${l}`).join('')}`);
      if (!settled.ok) failed.push(lesson.slug);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, lessons.length) }, worker));
  log(`${lessons.length - failed.length} passed, ${failed.length} failed or differ (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return failed.length ? 1 : 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
