// Where dockervm's own runtime lives inside the image. It must stay outside every persisted directory
// (/etc /home /opt /root /srv /usr /var): a rebuilt image has to run its new entrypoint, not the copy a
// volume kept from an older image.
import { VM_PORT } from '../src/constants.ts';

export const RUNTIME_DIR = '/.dockervm';
export const RUNTIME_BIN = `${RUNTIME_DIR}/bin`;
export const INIT = `${RUNTIME_BIN}/init`;
export const ENTRYPOINT = `${RUNTIME_BIN}/entrypoint`;
export const HEALTHCHECK = `${RUNTIME_BIN}/healthcheck`;
export const BUILD_ID = `${RUNTIME_DIR}/build-id`;
/** Inside a persisted directory on purpose: it travels with the disk and tells which image seeded it. */
export const DISK_BUILD_ID = '/var/lib/dockervm/disk-build-id';
/** The directories a VM disk consists of. */
export const PERSISTED_DIRS = ['etc', 'home', 'opt', 'root', 'srv', 'usr', 'var'] as const;
/** The X display the VNC server serves. */
export const VNC_DISPLAY = ':1';
export const VNC_PORT = VM_PORT.vnc;
export const NOVNC_PORT = VM_PORT.novnc;
/** noVNC's web client and websockify on Debian: unpacked from their packages, not installed by dpkg. */
export const NOVNC_WEB = '/usr/local/share/novnc';
export const WEBSOCKIFY_LIB = '/usr/local/lib/websockify';
/** Project path of a file that lands at `imagePath` inside the image (all of rootfs/ is copied to /). */
export function rootfsPath(imagePath: string): string {
  return `rootfs${imagePath}`;
}
