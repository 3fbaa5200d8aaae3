// The browser desktop for other machines (--bind-all, or --cert/--key): instead of plain websockify,
// a small web front of our own on websockify's proxy (desktop-web.py): TLS only, a login with a long
// random password (the desktop_password secret), failed logins slowed down, then noVNC behind a signed
// session cookie, and files both ways behind the same sign-in (drop on the page → ~/Downloads; a listing
// of ~/Downloads for download). The raw VNC port stays on 127.0.0.1 (normalize.ts): it has neither TLS
// nor more than VNC's 8-character password.
import type { Family, VmSpec } from '../src/vmspec/types.ts';
import type { Contribution } from './contribution.ts';
import { noVncWeb } from './desktop.ts';
import { NOVNC_PORT, RUNTIME_DIR, RUNTIME_BIN, VNC_PORT, WEBSOCKIFY_LIB, rootfsPath } from './paths.ts';

/** On the VM's disk (/var), so a generated certificate and its fingerprint survive down and up. */
export const TLS_DIR = '/var/lib/dockervm/tls';
export const FINGERPRINT_FILE = `${TLS_DIR}/fingerprint`;
export const DESKTOP_PASSWORD_SECRET = 'desktop_password';
export const TLS_SECRETS = { certificate: 'tls_certificate', key: 'tls_key' } as const;
const SERVER = `${RUNTIME_DIR}/lib/desktop-web.py`;
/** The largest file the desktop page takes by drag and drop. */
export const UPLOAD_LIMIT_MB = 2048;

export function remoteAccessLayer(spec: VmSpec): Contribution {
  if (!spec.remoteAccess) return { layer: 'remote-access:none' };
  const family = spec.base.family;
  const { uid, gid } = spec.user;
  const provided = spec.remoteAccess.certificate === 'provided';
  return {
    layer: 'remote-access',
    packages: { [family]: ['openssl'] },
    steps: [
      {
        comment: "the desktop's TLS certificate lives on the VM's disk, readable only by the user the web front runs as",
        lines: [`mkdir -p ${TLS_DIR}`, `chown ${uid}:${gid} ${TLS_DIR}`, `chmod 700 ${TLS_DIR}`],
        phase: 'before-files',
      },
    ],
    programs: [
      {
        // Same name as plain websockify's program: the supervisor and health check see one desktop front.
        name: 'novnc',
        command: [`${RUNTIME_BIN}/start-desktop-web`],
        runAs: 'user',
        priority: 40,
        ...(family === 'debian' ? { environment: { PYTHONPATH: WEBSOCKIFY_LIB } } : {}),
      },
    ],
    files: [
      {
        path: rootfsPath(`${RUNTIME_BIN}/start-desktop-web`),
        mode: 0o755,
        template: 'rootfs/start-desktop-web.sh.hbs',
        data: { tlsDir: TLS_DIR, server: SERVER, port: NOVNC_PORT, vncPort: VNC_PORT, web: noVncWeb(family as Family) },
      },
      { path: rootfsPath(SERVER), mode: 0o644, template: 'rootfs/desktop-web.py.hbs', data: { name: spec.name, uploadLimitMb: UPLOAD_LIMIT_MB } },
      // Next to the server, which serves it to the signed-in desktop page.
      {
        path: rootfsPath(`${RUNTIME_DIR}/lib/desktop-files.js`),
        mode: 0o644,
        template: 'rootfs/desktop-files.js.hbs',
        data: { uploadLimitMb: UPLOAD_LIMIT_MB },
      },
    ],
    secrets: [DESKTOP_PASSWORD_SECRET, ...(provided ? [TLS_SECRETS.certificate, TLS_SECRETS.key] : [])],
  };
}
