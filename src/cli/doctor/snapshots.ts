// doctor's snapshot checks, which need the engine: can a save copy volume data without a registry,
// and was the VM left paused or frozen by a save that died (then it is released, and said so).
import { findContainers, removeContainer } from '../../docker/containers.ts';
import type { Engine } from '../../docker/engine.ts';
import { execCollect } from '../../docker/exec.ts';
import { lockIsLive, readLock, startHelper } from '../../docker/helper.ts';
import { inspectImage } from '../../docker/images.ts';
import type { Project } from '../project.ts';
import { HELPER_TOOLS } from '../snapshot/helper-image.ts';
import { LABEL, ROLE } from '../../constants.ts';
import { lockName, releaseStuckVm } from '../snapshot/lock.ts';
import type { CheckLine } from './checks.ts';

export async function snapshotHelperCheck(engine: Engine, project: Project | undefined, env: NodeJS.ProcessEnv): Promise<CheckLine> {
  const chosen = env.DOCKERVM_HELPER_IMAGE;
  if (chosen) {
    return (await inspectImage(engine, chosen))
      ? { check: 'snapshots', status: 'ok', detail: `helper image ${chosen} (DOCKERVM_HELPER_IMAGE) is here` }
      : {
          check: 'snapshots',
          status: 'warn',
          detail: `helper image ${chosen} (DOCKERVM_HELPER_IMAGE) is not here: the first save pulls it`,
          fix: `docker pull ${chosen}`,
        };
  }
  if (!project) return { check: 'snapshots', status: 'skip', detail: 'not in a dockervm project' };
  const image = await inspectImage(engine, project.image);
  if (!image) return { check: 'snapshots', status: 'skip', detail: `${project.image} is not built yet` };
  const helper = await startHelper(engine, { image: image.id, labels: { [LABEL.project]: project.name, [LABEL.role]: ROLE.helper }, mounts: [] });
  try {
    const probe = await execCollect(engine, helper, ['sh', '-c', `for t in ${HELPER_TOOLS.join(' ')}; do command -v "$t" >/dev/null || echo "$t"; done`]);
    const missing = probe.stdout.toString('utf8').trim().split('\n').filter(Boolean);
    return missing.length === 0
      ? { check: 'snapshots', status: 'ok', detail: `the VM's image copies volume data itself (no helper image needed)` }
      : {
          check: 'snapshots',
          status: (await inspectImage(engine, 'busybox:latest')) ? 'ok' : 'warn',
          detail: `the VM's image lacks ${missing.join(', ')}: saves use a local busybox image if there is one`,
          fix: 'rebuild the VM (`docker compose build`), or set DOCKERVM_HELPER_IMAGE',
        };
  } finally {
    await removeContainer(engine, helper);
  }
}

/** A VM paused or frozen while no save runs is released; a save at work is left alone. A dead
 * save's lock stays: the next save or restore takes it over and removes what that save left. */
export async function stuckVmCheck(engine: Engine, project: Project): Promise<CheckLine> {
  const lock = await readLock(engine, lockName(project.name));
  if (lock && lockIsLive(lock)) return { check: 'vm state', status: 'ok', detail: `a dockervm ${lock.operation} (pid ${lock.pid}) holds the snapshot lock` };
  const vms = (await findContainers(engine, { [LABEL.project]: project.name })).filter((c) => c.state === 'running' || c.state === 'paused');
  if (vms.length === 0) return { check: 'vm state', status: 'skip', detail: 'the VM is not running' };
  const released = await releaseStuckVm({ engine, project });
  return released.length === 0
    ? { check: 'vm state', status: 'ok', detail: 'running, not paused or frozen' }
    : { check: 'vm state', status: 'warn', detail: released.join('; '), fix: 'nothing left to do: it runs again' };
}
