// Writes a FileMap so that the target either gets the whole project or nothing: files go to a temp
// sibling directory first, which then takes the target's place with one rename. A failure or Ctrl-C
// before that rename leaves the file system as it was.
import { chmod, chown, cp, mkdir, mkdtemp, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CancelledError, CLIError } from '../errors.ts';
import type { FileMap } from './project.ts';

export interface WriteOptions {
  /** Allow a non-empty target; its other files are kept, ours replace same-named ones. */
  overwrite: boolean;
  /** Set when the user pressed Ctrl-C: checked before and after writing, ahead of the final rename. */
  signal?: AbortSignal;
}

export type TargetState = 'missing' | 'empty' | 'non-empty';

export async function targetState(target: string): Promise<TargetState> {
  try {
    return (await readdir(target)).length === 0 ? 'empty' : 'non-empty';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') throw new CLIError(`${target} exists and is not a directory`);
    throw fileSystemError(target, error);
  }
}

function fileSystemError(path: string, error: unknown): CLIError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EEXIST: 'already exists',
  };
  return new CLIError(`cannot write ${path}: ${reason[code ?? ''] ?? (error as Error).message}`);
}

export async function writeProject(target: string, files: FileMap, options: WriteOptions): Promise<void> {
  const state = await targetState(target);
  if (state === 'non-empty' && !options.overwrite) {
    throw new CLIError(`${target} is not empty: choose another directory, or add --overwrite to write into it`);
  }
  const parent = dirname(target);
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    throw fileSystemError(parent, error);
  }
  let staging: string;
  try {
    staging = await mkdtemp(join(parent, `.${basename(target)}.dockervm-`));
  } catch (error) {
    throw fileSystemError(parent, error);
  }
  try {
    // mkdtemp makes a private (0700) directory; the project gets the mode a new directory would get.
    const mode = state === 'missing' ? 0o777 & ~process.umask() : (await stat(target)).mode & 0o7777;
    await chmod(staging, mode);
    if (state === 'non-empty') await cp(target, staging, { recursive: true, preserveTimestamps: true });
    if (options.signal?.aborted) throw new CancelledError();
    const umask = process.umask();
    const directories = new Set([...files.keys()].map((path) => dirname(join(staging, path))));
    for (const directory of [...directories].sort()) await mkdir(directory, { recursive: true });
    await Promise.all(
      [...files].map(async ([path, file]) => {
        const full = join(staging, path);
        await writeFile(full, file.content, { mode: file.mode });
        // writeFile's mode passes through the umask: put back bits it took (exec bits, say).
        if ((file.mode & umask) !== 0) await chmod(full, file.mode);
        if (file.owner && process.getuid?.() === 0) await chown(full, file.owner.uid, file.owner.gid);
        if (file.owner && file.ownsFolder && process.getuid?.() === 0) await chown(dirname(full), file.owner.uid, file.owner.gid);
      }),
    );
    if (options.signal?.aborted) throw new CancelledError();
    await swapIn(staging, target, state);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof CLIError) throw error;
    throw fileSystemError(target, error);
  }
}

/** Puts the staged directory in the target's place; the old contents are dropped only after success. */
async function swapIn(staging: string, target: string, state: TargetState): Promise<void> {
  if (state === 'missing') return rename(staging, target);
  if (state === 'empty') {
    await rmdir(target);
    return rename(staging, target);
  }
  const previous = `${staging}.previous`;
  await rename(target, previous);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(previous, target);
    throw error;
  }
  await rm(previous, { recursive: true, force: true });
}
