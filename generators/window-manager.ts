// The window manager of the VNC desktops: none, pekwm (frames and a right-click menu, the light default),
// Openbox (the same, with 150 MB more of image libraries) or XFCE (a full desktop: panel, application
// menu, file manager, terminal).
import type { Family, Persistence, VmSpec } from '../src/vmspec/types.ts';
import { launchers } from './apps.ts';
import type { Contribution, Program, ProjectFile } from './contribution.ts';
import { RUNTIME_BIN, VNC_DISPLAY, rootfsPath } from './paths.ts';

export function windowManagerLayer(spec: VmSpec): Contribution {
  switch (spec.windowManager) {
    case 'none':
      return { layer: 'window-manager:none' };
    case 'pekwm':
      return pekwm(spec);
    case 'openbox':
      return openbox(spec);
    case 'xfce':
      return xfce(spec);
  }
}

const PERSISTENCE_LINE: Record<Persistence, string> = {
  rootfs: 'Installed software and your files survive docker compose down.',
  volumes: 'Installed software and your files survive docker compose down.',
  home: 'Your files in /home survive docker compose down; installed software does not.',
  none: 'Nothing survives docker compose down: this VM starts fresh every time.',
};

const BACKGROUND = `${RUNTIME_BIN}/desktop-background`;

/**
 * pekwm and Openbox paint no background: without this the desktop is the X server's black root window.
 * python3 paints it (Debian's openbox depends on python3 anyway; supervisord and websockify need it too).
 */
function background(spec: VmSpec): { packages: string[]; programs: Program[]; files: ProjectFile[] } {
  return {
    packages: ['python3'],
    programs: [
      {
        name: 'desktop-background',
        command: [`${RUNTIME_BIN}/wait-x`, BACKGROUND],
        runAs: 'user',
        priority: 25,
        environment: { DISPLAY: VNC_DISPLAY },
      },
    ],
    files: [
      {
        path: rootfsPath(BACKGROUND),
        mode: 0o755,
        template: 'rootfs/desktop-background.py.hbs',
        // Python string literals, from JSON (its escapes are Python's too).
        data: {
          name: JSON.stringify(spec.name),
          persistence: JSON.stringify(PERSISTENCE_LINE[spec.persistence]),
          apps: launchers(spec)
            .map((l) => l.label)
            .join(', '),
        },
      },
    ],
  };
}

/**
 * pekwm: window frames (move, resize, maximize, close), a right-click menu on the desktop and screen
 * changes followed (RandR: noVNC's remote resizing), for 4 MB installed where Openbox's renderer pulls
 * imlib2's image loaders (ghostscript, HEIF, JPEG XL, librsvg with ICU: about 150 MB).
 */
function pekwm(spec: VmSpec): Contribution {
  const paint = background(spec);
  return {
    layer: 'window-manager:pekwm',
    packages: { [spec.base.family]: ['pekwm', ...paint.packages] },
    programs: [
      {
        name: 'pekwm',
        // A system-wide configuration: pekwm would otherwise copy its own into the persisted home.
        command: [`${RUNTIME_BIN}/wait-x`, 'pekwm', '--config', PEKWM_CONFIG],
        runAs: 'user',
        priority: 20,
        environment: { DISPLAY: VNC_DISPLAY },
      },
      ...paint.programs,
    ],
    files: [
      ...paint.files,
      { path: rootfsPath(PEKWM_CONFIG), mode: 0o644, template: 'rootfs/pekwm-config.hbs', data: { name: spec.name, menu: PEKWM_MENU } },
      { path: rootfsPath(PEKWM_MENU), mode: 0o644, template: 'rootfs/pekwm-menu.hbs', data: { name: spec.name, apps: launchers(spec) } },
    ],
  };
}

const PEKWM_CONFIG = '/etc/xdg/pekwm/config';
const PEKWM_MENU = '/etc/xdg/pekwm/menu';

function openbox(spec: VmSpec): Contribution {
  const paint = background(spec);
  return {
    layer: 'window-manager:openbox',
    packages: { [spec.base.family]: ['openbox', ...paint.packages] },
    programs: [
      {
        name: 'openbox',
        command: [`${RUNTIME_BIN}/wait-x`, 'openbox'],
        runAs: 'user',
        priority: 20,
        environment: { DISPLAY: VNC_DISPLAY },
      },
      ...paint.programs,
    ],
    files: [
      ...paint.files,
      // System-wide menu, so the persisted home stays the user's own.
      {
        path: 'rootfs/etc/xdg/openbox/menu.xml',
        mode: 0o644,
        template: 'rootfs/openbox-menu.xml.hbs',
        data: { name: spec.name, apps: launchers(spec) },
      },
    ],
  };
}

/**
 * XFCE's parts one by one instead of the `xfce4` metapackage: no screensaver, locker, power manager or
 * sound plugin (nothing to lock or suspend in a VM reached through VNC), and no recommends.
 */
const XFCE_PACKAGES: Record<Exclude<Family, 'busybox'>, string[]> = {
  debian: ['xfce4-session', 'xfwm4', 'xfce4-panel', 'xfdesktop4', 'xfce4-settings', 'thunar', 'xfce4-terminal', 'dbus-x11', 'adwaita-icon-theme'],
  fedora: ['xfce4-session', 'xfwm4', 'xfce4-panel', 'xfdesktop', 'xfce4-settings', 'Thunar', 'xfce4-terminal', 'dbus-x11', 'adwaita-icon-theme'],
  alpine: ['xfce4-session', 'xfwm4', 'xfce4-panel', 'xfdesktop', 'xfce4-settings', 'thunar', 'xfce4-terminal', 'dbus-x11', 'adwaita-icon-theme'],
};

/** Where XFCE reads system-wide defaults for its settings channels (a user's own settings override them). */
const XFCONF_DEFAULTS = '/etc/xdg/xfce4/xfconf/xfce-perchannel-xml';

function xfce(spec: VmSpec): Contribution {
  const family = spec.base.family;
  if (family === 'busybox') throw new Error('normalizeAnswers refuses desktops on busybox');
  return {
    layer: 'window-manager:xfce',
    packages: { [family]: XFCE_PACKAGES[family] },
    installHooks: [
      // Without a panel configuration the panel asks, at the first login, whether to make one: the
      // package's default layout, installed as the system-wide setting, answers that for every user.
      `mkdir -p ${XFCONF_DEFAULTS}`,
      `cp /etc/xdg/xfce4/panel/default.xml ${XFCONF_DEFAULTS}/xfce4-panel.xml`,
    ],
    steps: [
      {
        comment: "the session manager's sockets, like the X sockets: a world-writable, sticky directory made as root",
        lines: ['mkdir -p /tmp/.ICE-unix', 'chmod 1777 /tmp/.ICE-unix'],
        phase: 'before-files',
      },
    ],
    programs: [
      {
        name: 'xfce',
        command: [`${RUNTIME_BIN}/wait-x`, `${RUNTIME_BIN}/start-xfce`],
        runAs: 'user',
        priority: 20,
        environment: { DISPLAY: VNC_DISPLAY },
      },
    ],
    files: [
      { path: rootfsPath(`${RUNTIME_BIN}/start-xfce`), mode: 0o755, template: 'rootfs/start-xfce.sh.hbs', data: {} },
      { path: rootfsPath(`${XFCONF_DEFAULTS}/xfwm4.xml`), mode: 0o644, template: 'rootfs/xfwm4.xml.hbs', data: {} },
    ],
  };
}
