// A later start of a rootfs VM without its seeding one-shot. compose runs rootfs-init before the VM
// at every `up`, and on a disk seeded long ago it only says "nothing to do": about a second of
// container start and exit in front of every later boot (bench/desktop-bench.mjs). `dockervm up`
// starts such a VM with `--scale rootfs-init=0` instead, which keeps every other service and
// dependency of the project. Whether the disk is whole needs no container of its own: the engine
// refuses to mount a volume subpath that is not there, and the seed renames each directory into place
// only once it is completely copied. So a refusal means exactly "not seeded yet", and the ordinary
// start (seed first) follows.
import { COMPOSE_LABEL, ROOTFS } from '../constants.ts';
import { runCompose } from '../docker/compose.ts';
import { CLIError } from '../errors.ts';
import { inspectImage } from '../docker/images.ts';
import { listVolumes } from '../docker/volumes.ts';
import type { Session } from './session.ts';

/** The compose arguments that leave the seeding one-shot out of a start. */
export const WITHOUT_SEEDING = ['--scale', `${ROOTFS.seedService}=0`] as const;

/** Is `stderr` (of `compose up`) the engine refusing a volume subpath that does not exist yet? */
export function isMissingSubpath(stderr: string): boolean {
  return /cannot access path \S+: lstat \S+: no such file or directory/.test(stderr);
}

export interface SeededStart {
  /** Started without rootfs-init; otherwise the ordinary start (seed included) is the one to run. */
  started: boolean;
  /** Why it was not, when the user should know. */
  why?: string;
}

/**
 * Starts the VM of a rootfs project without rootfs-init when its disk and image are there. compose's
 * output is kept back: a refusal is no error of the user's, and any other failure comes again, in
 * compose's own words, from the ordinary start that follows.
 */
export async function startSeeded(session: Pick<Session, 'engine' | 'project'>): Promise<SeededStart> {
  const { engine, project } = session;
  if (project.persistence !== 'rootfs') return { started: false };
  const [disk] = await listVolumes(engine, { [COMPOSE_LABEL.project]: project.name, [COMPOSE_LABEL.volume]: ROOTFS.volume });
  // No disk yet: a first start, which seeds. No image: compose builds it, with output to watch.
  if (!disk || !(await inspectImage(engine, project.image))) return { started: false };
  const result = await runCompose(engine, project, ['up', '--detach', '--no-build', ...WITHOUT_SEEDING], 'capture');
  if (result.status === 0) return { started: true };
  if (result.status === 130) throw new CLIError('cancelled', 130);
  return isMissingSubpath(result.stderr) ? { started: false, why: `the disk ${disk.name} is not completely seeded: seeding it first` } : { started: false };
}
