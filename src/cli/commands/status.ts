import { readLock } from '../../docker/helper.ts';
import { inspectImage } from '../../docker/images.ts';
import { volumeSizes } from '../../docker/volumes.ts';
import type { Command } from '../command.ts';
import { formatAge, formatBytes } from '../messages.ts';
import { desktopTls, httpsUrl } from '../desktop-tls.ts';
import { openSession } from '../session.ts';
import { LABEL } from '../../constants.ts';
import { lockName } from '../snapshot/lock.ts';
import { TAG_PREFIX } from '../snapshot/naming.ts';
import { loadSnapshots } from '../snapshot/store.ts';
import { findVm, unsavedChanges, vmAddresses, vmState } from '../vm.ts';

export const command: Command = {
  name: 'status',
  summary: "the VM's state, addresses, volumes, snapshots and unsaved changes",
  usage: 'status',
  options: {},
  async run(ctx) {
    const session = await openSession(ctx);
    const { engine, project } = session;
    const vm = await findVm(session);
    const image = vm ? await inspectImage(engine, vm.imageId) : await inspectImage(engine, project.image);
    const fromSnapshot = image?.labels[LABEL.snapshot];
    const index = await loadSnapshots(engine, project);
    const current = index.snapshots.find((s) => s.current);
    const changes = vm ? await unsavedChanges(session, vm) : [];
    const volumes = await volumeSizes(engine, { [LABEL.project]: project.name });
    const lock = await readLock(engine, lockName(project.name));
    const tls = project.desktop === 'novnc' ? await desktopTls(session, vm) : undefined;
    const urls = vmAddresses(vm, project).map((a) => (tls && a.kind === 'novnc' ? { ...a, url: httpsUrl(a.url) } : a));
    const now = new Date();
    const state = vmState(vm);
    return {
      data: {
        project: project.name,
        dir: project.dir,
        persistence: project.persistence,
        desktop: project.desktop,
        engine: session.engineVersion.version,
        vm: vm
          ? { state, health: vm.health ?? null, startedAt: vm.startedAt, image: vm.imageId, fromSnapshot: fromSnapshot ?? null, user: vm.user || 'root' }
          : null,
        addresses: urls,
        ...(tls ? { tlsFingerprint: tls.fingerprint ?? null } : {}),
        volumes,
        snapshots: { count: index.snapshots.length, current: current?.id ?? null },
        unsavedPaths: changes,
        snapshotInProgress: lock ? { operation: lock.operation, pid: lock.pid } : null,
      },
      text: [
        `${project.name}  (${project.dir})`,
        `  VM:          ${state}${vm?.health ? `, ${vm.health}` : ''}${vm?.running && vm.startedAt ? `, up since ${formatAge(new Date(vm.startedAt), now)}` : ''}${fromSnapshot ? `, from ${TAG_PREFIX}${fromSnapshot}` : ''}`,
        `  persistence: ${project.persistence}   desktop: ${project.desktop}   engine: ${session.engineVersion.version}`,
        ...urls.map((a) => `  ${a.kind.padEnd(12)} ${a.url}${vm?.running ? '' : '   (once it is up)'}`),
        ...(tls?.fingerprint ? [`  certificate: SHA-256 ${tls.fingerprint}`] : []),
        ...volumes.map((v) => `  volume:      ${v.name} (${v.size >= 0 ? formatBytes(v.size) : 'size unknown'})`),
        `  snapshots:   ${index.snapshots.length}${current ? `, current ${TAG_PREFIX}${current.id} (${formatAge(new Date(current.created), now)})` : ''}`,
        ...(changes.length ? [`  container layer: ${changes.length} changed path${changes.length === 1 ? '' : 's'} (gone after down unless saved)`] : []),
        ...(lock
          ? [`  a snapshot ${lock.operation} is running or was interrupted (pid ${lock.pid}); \`npx dockervm up\` cleans up after an interrupted one`]
          : []),
        ...(state === 'absent' ? ['  start it: npx dockervm up'] : []),
      ],
    };
  },
};
