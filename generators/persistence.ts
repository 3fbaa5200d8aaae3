// What survives `docker compose down` + `up`: the whole system disk, its directories, the homes, or
// nothing. The volumes themselves are compose's business (src/render/compose.ts); this layer adds the
// seeding script and the README's explanation.
import type { Persistence, VmSpec } from '../src/vmspec/types.ts';
import type { Contribution } from './contribution.ts';
import { PERSISTED_DIRS, RUNTIME_BIN, rootfsPath } from './paths.ts';

/** Where the rootfs-init service mounts the whole volume while it seeds it. */
export const SEED_MOUNT = '/.dockervm/disk';

/** The directories each mode keeps, as mount targets inside the VM. */
export function persistedTargets(mode: Persistence): string[] {
  switch (mode) {
    case 'rootfs':
    case 'volumes':
      return PERSISTED_DIRS.map((dir) => `/${dir}`);
    case 'home':
      return ['/home', '/root'];
    case 'none':
      return [];
  }
}

export function persistenceLayer(spec: VmSpec): Contribution {
  if (spec.persistence !== 'rootfs') return { layer: `persistence:${spec.persistence}` };
  return {
    layer: 'persistence:rootfs',
    files: [
      {
        path: rootfsPath(`${RUNTIME_BIN}/seed-rootfs`),
        mode: 0o755,
        template: 'rootfs/seed-rootfs.sh.hbs',
        data: { disk: SEED_MOUNT, dirs: PERSISTED_DIRS.join(' ') },
      },
    ],
  };
}
