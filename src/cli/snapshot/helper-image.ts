// Which image the snapshot helper runs. It needs sh, find, stat and cpio; it must not come from a
// registry (a save has to work offline, and nothing unpinned may be pulled). In order: the image
// the user names (DOCKERVM_HELPER_IMAGE), the VM's own image (generated projects install cpio), and
// a busybox image already on the engine.
import type { ContainerDetails } from '../../docker/containers.ts';
import { removeContainer } from '../../docker/containers.ts';
import { execCollect } from '../../docker/exec.ts';
import { startHelper, type HelperMount } from '../../docker/helper.ts';
import { CGROUP_ACCESS } from '../../docker/freezer.ts';
import { ensureImage, inspectImage } from '../../docker/images.ts';
import { CLIError } from '../../errors.ts';
import type { Session } from '../session.ts';

export const HELPER_TOOLS = ['sh', 'find', 'stat', 'cpio'] as const;
const LOCAL_BUSYBOX = 'busybox:latest';

/** The images to try, best first; the user's choice alone when there is one. */
export async function helperCandidates(
  session: Pick<Session, 'engine' | 'project' | 'env'>,
  vm: Pick<ContainerDetails, 'imageId'> | undefined,
): Promise<string[]> {
  const chosen = session.env.DOCKERVM_HELPER_IMAGE;
  if (chosen) return [chosen];
  const own = vm?.imageId ?? (await inspectImage(session.engine, session.project.image))?.id;
  const busybox = (await inspectImage(session.engine, LOCAL_BUSYBOX))?.id;
  return [own, busybox].filter((i): i is string => Boolean(i));
}

/** What freeze.sh needs, for a helper that only freezes (a VM without volumes). */
const FREEZER_TOOLS = ['sh', 'find', 'grep', 'sleep'] as const;

const hasTools = async (session: Pick<Session, 'engine'>, helper: string, tools: readonly string[]) =>
  (await execCollect(session.engine, helper, ['sh', '-c', `command -v ${tools.join(' && command -v ')}`])).exitCode === 0;

export interface SnapshotHelper {
  id: string;
  /** Whether it reaches the host's cgroup tree (CGROUP_ACCESS), or why not. */
  cgroup: true | { unavailable: string };
}

/**
 * Starts the snapshot helper: from `base` (a parent snapshot's volume image, made by a helper
 * that had the tools) when given, else from the first candidate that has the tools. With `cgroup`,
 * it can freeze the VM too, where the engine allows it that access.
 */
export async function startSnapshotHelper(
  session: Session,
  vm: Pick<ContainerDetails, 'imageId'> | undefined,
  options: { base: string | undefined; labels: Record<string, string>; mounts: HelperMount[]; cgroup: boolean },
): Promise<SnapshotHelper> {
  const { engine, env } = session;
  const start = async (image: string): Promise<SnapshotHelper> => {
    const plain = { image, labels: options.labels, mounts: options.mounts };
    if (!options.cgroup) return { id: await startHelper(engine, plain), cgroup: { unavailable: 'not asked for' } };
    try {
      return { id: await startHelper(engine, { ...plain, ...CGROUP_ACCESS }), cgroup: true };
    } catch (error) {
      return {
        id: await startHelper(engine, plain),
        cgroup: { unavailable: `the engine refused a helper the host's cgroup tree (${(error as Error).message})` },
      };
    }
  };
  if (options.base) return start(options.base);
  const tools = options.mounts.length > 0 ? HELPER_TOOLS : FREEZER_TOOLS;
  for (const image of await helperCandidates(session, vm)) {
    // The user's image may have to come from a registry: their choice, so it may be pulled.
    if (env.DOCKERVM_HELPER_IMAGE) await ensureImage(engine, image, session.out.progress);
    const helper = await start(image);
    if (await hasTools(session, helper.id, tools)) return helper;
    await removeContainer(engine, helper.id);
  }
  throw new CLIError(
    `no image here can copy the volume data (it needs ${tools.join(', ')}): rebuild the VM (\`docker compose build\`: projects made now install cpio), or set DOCKERVM_HELPER_IMAGE to an image that has them`,
  );
}
