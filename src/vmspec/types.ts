// The VmSpec: everything a generated project is made from. Pure data, already validated and
// normalized (see normalize.ts); generators and renderers never see raw answers or flags.

export const DESKTOPS = ['shell', 'xterm', 'vnc', 'novnc'] as const;
export type Desktop = (typeof DESKTOPS)[number];

/**
 * `xfce`: a full desktop (panel, menu, file manager, terminal); `pekwm` (the default) and `openbox`: frames
 * and a right-click menu. pekwm is the smaller one (Openbox's renderer pulls image loaders: +150 MB).
 */
export const WINDOW_MANAGERS = ['none', 'pekwm', 'openbox', 'xfce'] as const;
export type WindowManager = (typeof WINDOW_MANAGERS)[number];

/** Graphical applications installed for the desktop (web browsers). */
export const APPS = ['firefox', 'chromium'] as const;
export type App = (typeof APPS)[number];

export const SUPERVISORS = ['supervisord', 'runit', 'none'] as const;
export type Supervisor = (typeof SUPERVISORS)[number];

export const SERVICES = ['sshd', 'cron', 'syslog'] as const;
export type Service = (typeof SERVICES)[number];

export const PERSISTENCE_MODES = ['rootfs', 'volumes', 'home', 'none'] as const;
export type Persistence = (typeof PERSISTENCE_MODES)[number];

/** How packages are installed: decides package names and the install command. */
export const FAMILIES = ['debian', 'fedora', 'alpine', 'busybox'] as const;
export type Family = (typeof FAMILIES)[number];

export interface BaseImage {
  /** What the user asked for, e.g. `debian:bookworm-slim` or `ghcr.io/acme/os:1`. */
  reference: string;
  /** Package family of the image. */
  family: Family;
  /** `sha256:…` index digest when pinned at scaffold time. */
  digest?: string;
  /** Why the reference is not pinned (offline, refused, --no-pin); shown in the Dockerfile and README. */
  unpinnedReason?: string;
}

export interface VmUser {
  name: string;
  uid: number;
  gid: number;
  sudo: boolean;
}

export interface PublishedPort {
  /** Port on the host. */
  host: number;
  /** Port inside the VM. */
  container: number;
  /** What it is for, e.g. "noVNC (browser desktop)". */
  purpose: string;
  /** The `.env` variable that holds the host port (compose interpolates it), e.g. DOCKERVM_NOVNC_PORT. */
  variable: string;
  /** Published on 127.0.0.1 even with --bind-all (raw VNC: no TLS, an 8-character password). */
  loopbackOnly?: boolean;
}

export interface RemoteAccess {
  /** `generated`: made in the VM on first start, kept on its disk; `provided`: --cert/--key, as compose secrets. */
  certificate: 'generated' | 'provided';
}

export interface SharedFolder {
  /** The bind source as compose.yaml writes it: `./share` (inside the project) or an absolute host path. */
  source: string;
  /** Set when the folder lies inside the project: its path there, which the scaffolder creates. */
  projectPath?: string;
}

export interface VmSpec {
  /** Project name: compose project name, image name (see vmRepository), hostname, directory name by default. */
  name: string;
  base: BaseImage;
  /** busybox only: the image whose tini binary is copied in (busybox has no package for it). */
  initSource?: BaseImage;
  desktop: Desktop;
  windowManager: WindowManager;
  /** Graphical applications (vnc/novnc desktops only), sorted, without duplicates. */
  apps: App[];
  /** Decided by normalizeAnswers from the processes the VM runs (`auto` never gets this far). */
  supervisor: Supervisor;
  services: Service[];
  user: VmUser;
  persistence: Persistence;
  /** Extra OS packages, validated names in the base's family. */
  packages: string[];
  /** Every published port, the ones the desktop and services need included. */
  ports: PublishedPort[];
  /** Host address ports are published on. */
  bindAddress: '127.0.0.1' | '0.0.0.0';
  /** Public key authorized for ssh logins (sshd only). */
  sshPublicKey?: string;
  /** A host directory bind-mounted at ~/share (--share). */
  share?: SharedFolder;
  /** The browser desktop behind TLS and a long password (--bind-all, or --cert/--key). */
  remoteAccess?: RemoteAccess;
  /** --audio: a sound server in the VM, played by the browser desktop (novnc only). */
  audio?: true;
  /** Version of the generator, recorded in labels and the README. */
  generatorVersion: string;
}
