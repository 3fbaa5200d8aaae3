// --share: a host folder bind-mounted at ~/share. The login user has the host user's UID/GID (user.ts),
// so what either side writes there belongs to the other side's user too, with no chown in between.
import type { VmSpec } from '../src/vmspec/types.ts';
import type { Contribution } from './contribution.ts';

/** Where the shared folder appears in the VM. */
export function shareTarget(spec: VmSpec): string {
  return `/home/${spec.user.name}/share`;
}

// Everything in the folder stays out of git; the folder itself is kept, so a fresh clone can start the VM.
const FOLDER_GITIGNORE = `# Files shared with the VM (~/share inside it) stay out of git.
*
!.gitignore
`;

export function shareLayer(spec: VmSpec): Contribution {
  if (!spec.share) return { layer: 'share:none' };
  const target = shareTarget(spec);
  const { source, projectPath } = spec.share;
  return {
    layer: 'share',
    binds: [{ source, target }],
    steps: [
      {
        // The mount point exists in the image, the user's: without it the engine makes a root-owned one.
        comment: `~/share, where ${source} is mounted`,
        lines: [`mkdir -p ${target}`],
        phase: 'before-files',
      },
    ],
    ...(projectPath ? { files: [{ path: `${projectPath}/.gitignore`, mode: 0o644, content: FOLDER_GITIGNORE, userFolder: true }] } : {}),
  };
}
