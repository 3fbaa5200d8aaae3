// dockervm's runtime inside the image: the entrypoint (disk checks, host keys), the healthcheck and the
// build id that lets a VM notice its disk came from an older image.
import type { VmSpec } from '../src/vmspec/types.ts';
import type { Contribution } from './contribution.ts';
import { BUILD_ID, DISK_BUILD_ID, ENTRYPOINT, HEALTHCHECK, rootfsPath } from './paths.ts';

export interface RuntimeInputs {
  /** Ports that must be listening for the VM to count as healthy. */
  listens: number[];
  healthProbe: string | undefined;
  runsAsRoot: boolean;
}

/** /proc/net/tcp writes ports as 4 upper-case hex digits. */
function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

export function runtimeLayer(spec: VmSpec, inputs: RuntimeInputs): Contribution {
  const persisted = spec.persistence === 'rootfs' || spec.persistence === 'volumes';
  return {
    layer: 'runtime',
    files: [
      {
        path: rootfsPath(ENTRYPOINT),
        mode: 0o755,
        template: 'rootfs/entrypoint.sh.hbs',
        data: {
          name: spec.name,
          persisted,
          persistence: spec.persistence,
          buildId: BUILD_ID,
          diskBuildId: DISK_BUILD_ID,
          sshd: spec.services.includes('sshd') && inputs.runsAsRoot,
        },
      },
      {
        path: rootfsPath(HEALTHCHECK),
        mode: 0o755,
        template: 'rootfs/healthcheck.sh.hbs',
        data: {
          ports: [...new Set(inputs.listens)].sort((a, b) => a - b).map((port) => ({ port, hex: hexPort(port) })),
          probe: inputs.healthProbe,
        },
      },
    ],
    steps: [
      {
        comment: 'a fresh id for every build that changed anything above; the disk keeps the id of the image that seeded it',
        lines: [`echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(od -An -N8 -tx8 /dev/urandom)" > ${BUILD_ID}`, `cp ${BUILD_ID} ${DISK_BUILD_ID}`],
        phase: 'after-files',
      },
    ],
  };
}
