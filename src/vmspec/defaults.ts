// Defaults for every answer: used under --yes, without a TTY, and as the prompts' initial values.
import { DEFAULT_BASE } from './bases.ts';
import type { Answers } from './answers.ts';

export interface HostFacts {
  uid: number | undefined;
  gid: number | undefined;
  userName: string | undefined;
}

/** The host user's UID/GID, so files in bind mounts and the X socket belong to the same person. */
function hostId(id: number | undefined): string {
  // root on the host (or no POSIX ids) gives no useful default: a VM user must not be root.
  return id !== undefined && id > 0 ? String(id) : '1000';
}

export function defaultAnswers(directory: string, host: HostFacts): Answers {
  return {
    directory,
    base: DEFAULT_BASE.id,
    apps: [],
    supervisor: 'auto',
    services: [],
    userName: 'dev',
    uid: hostId(host.uid),
    gid: hostId(host.gid),
    persistence: 'rootfs',
    packages: [],
    ports: [],
    bindAll: false,
    audio: false,
  };
}
