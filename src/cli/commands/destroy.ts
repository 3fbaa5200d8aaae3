import { composeOrFail } from '../../docker/compose.ts';
import { removeContainer } from '../../docker/containers.ts';
import { inspectImage, listImages, removeImageIfUnused, untag } from '../../docker/images.ts';
import { readLock } from '../../docker/helper.ts';
import { removeNetwork, removeVolume } from '../../docker/remove.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { describePlan, destroyPlan, isEmpty, type DestroyPlan } from '../destroy-plan.ts';
import { openSession, type Session } from '../session.ts';
import { LABEL, ROLE } from '../../constants.ts';
import { lockName, withSnapshotLock } from '../snapshot/lock.ts';

export const command: Command = {
  name: 'destroy',
  summary: 'remove the VM for good: its containers, disk volumes, networks, image and snapshots',
  usage: 'destroy [--keep-snapshots] [--yes]',
  description: [
    'Lists everything on the engine labelled for this project, asks, then removes it: `docker compose',
    "down --volumes` for compose's own objects, then whatever is left (snapshot helpers, the image and",
    'the snapshot images in dockervm/<project>). The project directory is not touched: `dockervm up`',
    'builds a new VM from it. Without a terminal it needs --yes.',
  ],
  options: {
    'keep-snapshots': { type: 'boolean', description: 'keep the snapshot images (restore or push them later); remove the rest' },
  },
  examples: ['npx dockervm destroy', 'npx dockervm destroy --keep-snapshots --yes', 'npx dockervm destroy --yes --json'],
  async run(ctx) {
    const keep = ctx.flag('keep-snapshots') ?? false;
    // Refused before the engine is even asked: without a terminal only --yes can say "yes".
    if (!ctx.yes && !ctx.interactive) {
      throw new CLIError(
        `destroy removes the VM's disk and ${keep ? 'image' : 'snapshots'} for good: add --yes to do it without a question (nothing was removed)`,
      );
    }
    const session = await openSession(ctx);
    const { engine, project, out } = session;
    const plan = await destroyPlan(engine, project, keep);
    const listing = describePlan(plan);
    if (isEmpty(plan)) {
      return {
        data: { project: project.name, removed: summary(plan, false), kept: keptTags(plan) },
        text: [`nothing of ${project.name} is on the engine${plan.keptSnapshots.length ? ` but its ${plan.keptSnapshots.length} snapshot images` : ''}`],
      };
    }
    if (!ctx.yes) {
      out.info(`${project.name}: this removes`);
      for (const line of listing) out.info(line);
      if (!(await ctx.confirm(`Remove all of this for good?`, false))) throw new CLIError('nothing was removed', 1);
    }
    const lock = await readLock(engine, lockName(project.name));
    // The lock container runs the project's own image: with no image there is no save to race with.
    const guarded =
      lock || (await inspectImage(engine, project.image))
        ? (work: () => Promise<void>) => withSnapshotLock(session, 'destroy', work)
        : (work: () => Promise<void>) => work();
    await guarded(() => removeRuntime(session, plan));
    await removeImages(session, plan);
    return {
      data: { project: project.name, removed: summary(plan, true), kept: keptTags(plan) },
      text: [
        `destroyed ${project.name}:`,
        ...listing.filter((l) => !l.startsWith('  kept')),
        ...(plan.keptSnapshots.length
          ? [`kept ${plan.keptSnapshots.length} snapshot image${plan.keptSnapshots.length === 1 ? '' : 's'} (\`docker images ${project.repository}\`)`]
          : []),
      ],
    };
  },
};

/** Containers, volumes and networks: compose's down first, then anything labelled that it left. */
async function removeRuntime(session: Session, plan: DestroyPlan): Promise<void> {
  const { engine, project, out } = session;
  await out.timed('docker compose down --volumes', () => composeOrFail(engine, project, ['down', '--volumes', '--remove-orphans', '--timeout', '10']));
  // The lock this run holds goes when it is released.
  for (const c of plan.containers.filter((c) => c.role !== ROLE.lock)) await removeContainer(engine, c.id);
  for (const v of plan.volumes) await removeVolume(engine, v);
  for (const n of plan.networks) await removeNetwork(engine, n.id);
}

async function removeImages(session: Session, plan: DestroyPlan): Promise<void> {
  const { engine, project } = session;
  const kept = new Set(plan.keptSnapshots.map((i) => i.id));
  for (const image of plan.images) for (const tag of image.tags) await untag(engine, tag);
  // Untagged images of the project (parents of snapshots, half-made ones): children go first, so a
  // few rounds; what is still used (a kept snapshot's parent) stays.
  for (let round = 0; round < 5; round++) {
    const left = (await listImages(engine, { [LABEL.project]: project.name })).filter((i) => !kept.has(i.id) && i.tags.length === 0);
    const removed = await Promise.all(left.map((i) => removeImageIfUnused(engine, i.id)));
    if (!removed.some(Boolean)) break;
  }
}

function summary(plan: DestroyPlan, done: boolean) {
  if (!done) return { containers: [], volumes: [], networks: [], images: [] };
  return {
    containers: plan.containers.map((c) => c.name),
    volumes: plan.volumes,
    networks: plan.networks.map((n) => n.name),
    images: plan.images.flatMap((i) => (i.tags.length ? i.tags : [i.id])),
  };
}

const keptTags = (plan: DestroyPlan) => plan.keptSnapshots.flatMap((i) => i.tags);
