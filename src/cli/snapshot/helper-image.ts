// Which image the snapshot helper runs. It needs sh, find, stat and cpio; it must not come from a
// registry (a save has to work offline, and nothing unpinned may be pulled). In order: the image
// the user names (DOCKERVM_HELPER_IMAGE), the VM's own image (generated projects install cpio), and
// a busybox image already on the engine.
import type { ContainerDetails } from '../../docker/containers.ts';
import { removeContainer } from '../../docker/containers.ts';
import { execCollect } from '../../docker/exec.ts';
import { startHelper, type HelperMount } from '../../docker/helper.ts';
import { ensureImage, inspectImage } from '../../docker/images.ts';
import { CLIError } from '../../spec/errors.ts';
import type { Session } from '../session.ts';

export const HELPER_TOOLS = ['sh', 'find', 'stat', 'cpio'] as const;
const LOCAL_BUSYBOX = 'busybox:latest';

/** The images to try, best first; the user's choice alone when there is one. */
export async function helperCandidates(session: Pick<Session, 'engine' | 'project' | 'env'>, vm: Pick<ContainerDetails, 'imageId'> | undefined): Promise<string[]> {
  const chosen = session.env.DOCKERVM_HELPER_IMAGE;
  if (chosen) return [chosen];
  const own = vm?.imageId ?? (await inspectImage(session.engine, session.project.image))?.id;
  const busybox = (await inspectImage(session.engine, LOCAL_BUSYBOX))?.id;
  return [own, busybox].filter((i): i is string => Boolean(i));
}

const hasTools = async (session: Pick<Session, 'engine'>, helper: string) =>
  (await execCollect(session.engine, helper, ['sh', '-c', `command -v ${HELPER_TOOLS.join(' && command -v ')}`])).exitCode === 0;

/**
 * Starts the snapshot helper: from `base` (a parent snapshot's volume image, made by a helper
 * that had the tools) when given, else from the first candidate that has the tools.
 */
export async function startSnapshotHelper(
  session: Session,
  vm: Pick<ContainerDetails, 'imageId'> | undefined,
  options: { base: string | undefined; labels: Record<string, string>; mounts: HelperMount[] },
): Promise<string> {
  const { engine, env } = session;
  if (options.base) return startHelper(engine, { image: options.base, labels: options.labels, mounts: options.mounts });
  const candidates = await helperCandidates(session, vm);
  for (const image of candidates) {
    // The user's image may have to come from a registry: their choice, so it may be pulled.
    if (env.DOCKERVM_HELPER_IMAGE) await ensureImage(engine, image, session.out.progress);
    const helper = await startHelper(engine, { image, labels: options.labels, mounts: options.mounts });
    if (await hasTools(session, helper)) return helper;
    await removeContainer(engine, helper);
  }
  throw new CLIError(
    `no image here can copy the volume data (it needs ${HELPER_TOOLS.join(', ')}): rebuild the VM (\`docker compose build\`: projects made now install cpio), or set DOCKERVM_HELPER_IMAGE to an image that has them`,
  );
}
