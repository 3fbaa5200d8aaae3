// A Contribution is what one layer of the VM adds to the project, as data. Generators return them;
// renderers (src/render) merge them into files. Nothing here writes or decides file layout.
import type { Family } from '../src/vmspec/types.ts';

/** A long-running process of the VM, run by supervisord, runit or (alone) tini. */
export interface Program {
  name: string;
  /** Argument vector; no shell. */
  command: string[];
  /** `root` for system daemons; `user` for the login user (desktop, terminal). */
  runAs: 'root' | 'user';
  /** Start order, lower first (supervisord's priority). */
  priority: number;
  environment?: Record<string, string>;
}

/** A RUN instruction. `phase` places it before or after the rootfs/ files are copied in. */
export interface BuildStep {
  comment: string;
  /** Shell text of the RUN; lines are joined with ` \` continuations by the renderer. */
  lines: string[];
  phase: 'before-files' | 'after-files';
}

/**
 * A file of the generated project; paths are relative to the project root, POSIX separators.
 * Either literal content, or a Handlebars template under templates/ with the data to render it with.
 */
export type ProjectFile = (
  | { path: string; mode: number; content: string }
  | { path: string; mode: number; template: string; data: Record<string, unknown> }
) & {
  /** The file and its folder belong to the VM user (a folder shared with the VM, written by root). */
  userFolder?: boolean;
};

/** A compose mount of the vm service other than persistence (e.g. the X socket). */
export interface BindMount {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface Contribution {
  /** Which layer this came from; used in comments and tests. */
  layer: string;
  packages?: Partial<Record<Family, string[]>>;
  /** Shell lines run in the package RUN just before the packages are installed (e.g. a local package apt should know). */
  beforeInstall?: string[];
  /** Shell lines run right after the packages are installed, in the same RUN: the package lists exist only there. */
  installHooks?: string[];
  steps?: BuildStep[];
  programs?: Program[];
  files?: ProjectFile[];
  /** Environment of the vm service in compose.yaml. */
  environment?: Record<string, string>;
  binds?: BindMount[];
  /** Compose secrets (file under secrets/) the vm service needs. */
  secrets?: string[];
  /** Size of /dev/shm the VM needs, in MiB (compose shm_size; the largest asked for wins). Docker's default is 64. */
  shmMegabytes?: number;
  /** Ports the healthcheck expects to be listening inside the VM. */
  listens?: number[];
}
