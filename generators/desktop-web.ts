// The browser desktop's web front, for every noVNC VM: one small server of our own on websockify's
// proxy (desktop-web.py), one port, the same code whether the desktop is local or exposed. It serves
// noVNC's page and proxies the VNC server, takes files dropped on the page into ~/Downloads and lists
// them for download, and (--audio) streams the VM's sound to the page.
// - On the localhost default: plain http, published on 127.0.0.1; noVNC asks for the VNC password as
//   plain websockify did, and the page signs in to files and sound with that same password once the
//   desktop connected (so no other user of the machine gets at ~/Downloads or the sound without it).
// - Exposed (--bind-all, or --cert/--key): TLS only, a login with a long random password (the
//   desktop_password secret), failed logins slowed down, everything behind a signed session cookie.
//   The raw VNC port stays on 127.0.0.1 (normalize.ts): it has neither TLS nor more than 8 characters.
import type { Family, VmSpec } from '../src/vmspec/types.ts';
import { AUDIO_PAGE_SCRIPT, AUDIO_SAMPLE } from './audio.ts';
import type { Contribution, ProjectFile } from './contribution.ts';
import { noVncWeb } from './desktop.ts';
import { NOVNC_PORT, RUNTIME_BIN, RUNTIME_DIR, VNC_PORT, WEBSOCKIFY_LIB, rootfsPath } from './paths.ts';

/** On the VM's disk (/var), so a generated certificate and its fingerprint survive down and up. */
export const TLS_DIR = '/var/lib/dockervm/tls';
export const FINGERPRINT_FILE = `${TLS_DIR}/fingerprint`;
export const DESKTOP_PASSWORD_SECRET = 'desktop_password';
export const TLS_SECRETS = { certificate: 'tls_certificate', key: 'tls_key' } as const;
const LIB = `${RUNTIME_DIR}/lib`;
const SERVER = `${LIB}/desktop-web.py`;
/** The largest file the desktop page takes by drag and drop. */
export const UPLOAD_LIMIT_MB = 2048;

export function desktopWebLayer(spec: VmSpec): Contribution {
  if (spec.desktop !== 'novnc') return { layer: 'desktop-web:none' };
  const family = spec.base.family;
  const secure = Boolean(spec.remoteAccess);
  const files: ProjectFile[] = [
    {
      path: rootfsPath(`${RUNTIME_BIN}/start-desktop-web`),
      mode: 0o755,
      template: 'rootfs/start-desktop-web.sh.hbs',
      data: { secure, tlsDir: TLS_DIR, server: SERVER, port: NOVNC_PORT, vncPort: VNC_PORT, web: noVncWeb(family as Family) },
    },
    {
      path: rootfsPath(SERVER),
      mode: 0o644,
      template: 'rootfs/desktop-web.py.hbs',
      data: { name: spec.name, uploadLimitMb: UPLOAD_LIMIT_MB, audio: Boolean(spec.audio), sample: AUDIO_SAMPLE },
    },
    // Next to the server, which serves them to the desktop page.
    { path: rootfsPath(`${LIB}/desktop-files.js`), mode: 0o644, template: 'rootfs/desktop-files.js.hbs', data: { uploadLimitMb: UPLOAD_LIMIT_MB, secure } },
  ];
  if (spec.audio)
    files.push({ path: rootfsPath(`${LIB}/${AUDIO_PAGE_SCRIPT}`), mode: 0o644, template: 'rootfs/desktop-audio.js.hbs', data: { sample: AUDIO_SAMPLE } });
  return {
    layer: secure ? 'desktop-web:tls' : 'desktop-web:localhost',
    ...(secure ? { packages: { [family]: ['openssl'] } } : {}),
    steps: secure
      ? [
          {
            comment: "the desktop's TLS certificate lives on the VM's disk, readable only by the user the web front runs as",
            lines: [`mkdir -p ${TLS_DIR}`, `chown ${spec.user.uid}:${spec.user.gid} ${TLS_DIR}`, `chmod 700 ${TLS_DIR}`],
            phase: 'before-files',
          },
        ]
      : [],
    programs: [
      {
        // The supervisor and the health check know the desktop's front by this name.
        name: 'novnc',
        command: [`${RUNTIME_BIN}/start-desktop-web`],
        runAs: 'user',
        priority: 40,
        ...(family === 'debian' ? { environment: { PYTHONPATH: WEBSOCKIFY_LIB } } : {}),
      },
    ],
    files,
    secrets: secure ? [DESKTOP_PASSWORD_SECRET, ...(spec.remoteAccess?.certificate === 'provided' ? [TLS_SECRETS.certificate, TLS_SECRETS.key] : [])] : [],
  };
}
