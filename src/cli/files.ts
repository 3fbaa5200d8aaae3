// The files `pin` and `lint` work on: the project's Dockerfile and compose file. They also work in a
// directory that is not a dockervm project, on whatever of the two it has.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CLIError } from '../errors.ts';
import type { Context } from './context.ts';
import { COMPOSE_FILES, findComposeFile } from './project.ts';

export interface ProjectFiles {
  dir: string;
  dockerfile: string | undefined;
  compose: string | undefined;
}

export function projectFiles(ctx: Pick<Context, 'projectDir' | 'cwd'>): ProjectFiles {
  const start = ctx.projectDir ? resolve(ctx.cwd, ctx.projectDir) : ctx.cwd;
  if (!existsSync(start)) throw new CLIError(`--project-dir ${ctx.projectDir}: no such directory`);
  // In a project (compose.yaml here or above): its directory. Otherwise the directory itself.
  const composeHere = COMPOSE_FILES.map((f) => join(start, f)).find((f) => existsSync(f));
  const compose = composeHere ?? (ctx.projectDir || existsSync(join(start, 'Dockerfile')) ? undefined : findComposeFile(start));
  const dir = compose ? dirname(compose) : start;
  const dockerfile = existsSync(join(dir, 'Dockerfile')) ? join(dir, 'Dockerfile') : undefined;
  if (!dockerfile && !compose) throw new CLIError(`no Dockerfile or compose.yaml in ${dir}: run this in a project (or pass --project-dir DIR)`);
  return { dir, dockerfile, compose };
}

export const readText = (path: string) => readFileSync(path, 'utf8');

/** Replaces a file in one rename, keeping its mode: a reader sees the old or the new file, never half. */
export function writeAtomically(path: string, content: string): void {
  const temp = `${path}.dockervm-${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: statSync(path).mode & 0o7777 });
  renameSync(temp, path);
}
