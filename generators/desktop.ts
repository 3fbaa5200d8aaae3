// The UI layers: a shell only, xterm on the host's X server, a VNC desktop, or VNC in the browser.
import type { Family, VmSpec } from '../src/vmspec/types.ts';
import type { Contribution, Program, ProjectFile } from './contribution.ts';
import { NOVNC_PORT, NOVNC_WEB, RUNTIME_BIN, VNC_DISPLAY, VNC_PORT, WEBSOCKIFY_LIB, rootfsPath } from './paths.ts';

interface DesktopPackages {
  terminal: string[];
  /** The terminal's fonts alone, for desktops that bring their own terminal. */
  fonts: string[];
  vnc: string[];
  novnc: string[];
  /** The TigerVNC X server's name in this family. */
  xvnc: string;
}

const PACKAGES: Partial<Record<Family, DesktopPackages>> = {
  debian: {
    terminal: ['xterm', 'fonts-dejavu-core'],
    fonts: ['fonts-dejavu-core'],
    vnc: ['tigervnc-standalone-server', 'tigervnc-tools'],
    // Debian's novnc depends on nodejs and its websockify on numpy (+40 MB): both come as files from
    // their packages instead (see noVncFiles); websockify's own code runs on the standard library.
    novnc: ['python3'],
    xvnc: 'Xtigervnc',
  },
  fedora: {
    terminal: ['xterm', 'dejavu-sans-mono-fonts'],
    fonts: ['dejavu-sans-fonts', 'dejavu-sans-mono-fonts'],
    vnc: ['tigervnc-server-minimal'],
    novnc: ['novnc', 'python3-websockify'],
    xvnc: 'Xvnc',
  },
  alpine: {
    terminal: ['xterm', 'font-dejavu'],
    fonts: ['font-dejavu'],
    vnc: ['tigervnc'],
    novnc: ['novnc', 'websockify'],
    xvnc: 'Xvnc',
  },
};

const XTERM = ['xterm', '-ls', '-fa', 'Monospace', '-fs', '11'];

function packagesOf(spec: VmSpec): DesktopPackages {
  const packages = PACKAGES[spec.base.family];
  // normalize.ts refuses desktops on busybox; reaching this is a programming error.
  if (!packages) throw new Error(`no desktop packages for ${spec.base.family}`);
  return packages;
}

function script(path: string, template: string, data: Record<string, unknown> = {}): ProjectFile {
  return { path: rootfsPath(`${RUNTIME_BIN}/${path}`), mode: 0o755, template, data };
}

export function desktopLayer(spec: VmSpec): Contribution {
  switch (spec.desktop) {
    case 'shell':
      return { layer: 'desktop:shell' };
    case 'xterm':
      return xtermOnHostDisplay(spec);
    case 'vnc':
    case 'novnc':
      return vncDesktop(spec);
  }
}

function xtermOnHostDisplay(spec: VmSpec): Contribution {
  const family = spec.base.family;
  return {
    layer: 'desktop:xterm',
    packages: { [family]: packagesOf(spec).terminal },
    programs: [{ name: 'xterm', command: [...XTERM, '-title', spec.name], runAs: 'user', priority: 30 }],
    environment: { DISPLAY: '${DISPLAY:-:0}' },
    binds: [{ source: '/tmp/.X11-unix', target: '/tmp/.X11-unix' }],
  };
}

function vncDesktop(spec: VmSpec): Contribution {
  const family = spec.base.family;
  const packages = packagesOf(spec);
  const browser = spec.desktop === 'novnc';
  const display = { DISPLAY: VNC_DISPLAY };
  // XFCE has a terminal of its own in its panel; the lighter desktops open an xterm at start.
  const xterm = spec.windowManager !== 'xfce';
  const programs: Program[] = [{ name: 'vnc-server', command: [`${RUNTIME_BIN}/start-vnc`], runAs: 'user', priority: 10, environment: display }];
  if (xterm) {
    programs.push({
      name: 'xterm',
      command: [`${RUNTIME_BIN}/wait-x`, ...XTERM, '-title', spec.name, '-geometry', '100x30+40+40'],
      runAs: 'user',
      priority: 30,
      environment: display,
    });
  }
  // The browser's side (noVNC's page, the WebSocket proxy, files, sound) is desktop-web.ts's.
  const files = [script('start-vnc', 'rootfs/start-vnc.sh.hbs', { xvnc: packages.xvnc, port: VNC_PORT }), script('wait-x', 'rootfs/wait-x.sh.hbs')];
  if (browser) {
    files.push({
      path: rootfsPath(`${noVncWeb(family)}/index.html`),
      mode: 0o644,
      template: 'rootfs/novnc-index.html.hbs',
      data: { name: spec.name, secure: Boolean(spec.remoteAccess) },
    });
  }
  return {
    layer: `desktop:${spec.desktop}`,
    packages: { [family]: [...(xterm ? packages.terminal : packages.fonts), ...packages.vnc, ...(browser ? packages.novnc : [])] },
    steps: [
      {
        comment: 'X sockets live in a world-writable, sticky directory the VNC server can use as a non-root user',
        lines: ['mkdir -p /tmp/.X11-unix', 'chmod 1777 /tmp/.X11-unix'],
        phase: 'before-files',
      },
    ],
    ...(family === 'debian' ? { beforeInstall: withoutGlDrivers(), ...(browser ? { installHooks: noVncFiles() } : {}) } : {}),
    programs,
    files,
    secrets: ['vnc_password'],
    environment: { VNC_GEOMETRY: '${VNC_GEOMETRY:-1280x800}' },
    listens: browser ? [VNC_PORT, NOVNC_PORT] : [VNC_PORT],
  };
}

/** Where the noVNC web client lives: the distribution's package, or (Debian) files under /usr/local. */
export function noVncWeb(family: Family): string {
  return family === 'debian' ? NOVNC_WEB : '/usr/share/novnc';
}

/**
 * Every X server in Debian links libGL, whose Mesa backend drags in the DRI drivers and, through them,
 * LLVM (+165 MB on Debian 12), although a VNC desktop never renders with a GPU. A local package that
 * provides libgl1-mesa-dri satisfies that dependency the way apt understands it (equivs-style):
 * `apt-get check` passes, every other package installs normally, and `apt-get install libgl1-mesa-dri`
 * brings the real drivers back for OpenGL programs. Nothing links the DRI drivers directly (libGL loads
 * them at run time), so no program can fail to start with a missing library because of it.
 */
function withoutGlDrivers(): string[] {
  const dir = '/tmp/no-gl-drivers';
  const control = (lines: string[], redirect: string) => `printf '%s\\n' ${lines.map((line) => `'${line}'`).join(' ')} ${redirect} ${dir}/DEBIAN/control`;
  return [
    `mkdir -p ${dir}/DEBIAN`,
    control(['Package: dockervm-no-gl-drivers', 'Version: 1.0', 'Architecture: all'], '>'),
    control(['Maintainer: create-dockervm <dockervm@localhost>', 'Provides: libgl1-mesa-dri'], '>>'),
    control(['Description: no Mesa DRI drivers: apt-get install libgl1-mesa-dri for OpenGL'], '>>'),
    `dpkg-deb --build ${dir} ${dir}.deb >/dev/null`,
    // Newer releases (mesa-libgallium) link the GPU code into libGL's own dependencies: nothing to save there.
    `if ! apt-cache show mesa-libgallium >/dev/null 2>&1; then dpkg --install ${dir}.deb; fi`,
    `rm -rf ${dir} ${dir}.deb`,
  ];
}

/**
 * noVNC's web client and websockify's Python package, unpacked from Debian's packages into /usr/local
 * (where dpkg never writes): their package dependencies (nodejs, numpy) are not needed to run them.
 */
function noVncFiles(): string[] {
  // apt-get download writes to the working directory: / here (no WORKDIR yet), hence the /… paths.
  return [
    'apt-get download --quiet novnc python3-websockify',
    'dpkg-deb --extract /novnc_*.deb /tmp/novnc',
    'dpkg-deb --extract /python3-websockify_*.deb /tmp/websockify',
    `mkdir -p ${NOVNC_WEB} ${WEBSOCKIFY_LIB}`,
    `cp -a /tmp/novnc/usr/share/novnc/. ${NOVNC_WEB}/`,
    // noVNC's page asks for package.json (its version); Debian's package leaves it out.
    `printf '{"version": "%s"}\\n' "$(dpkg-deb --field /novnc_*.deb Version)" > ${NOVNC_WEB}/package.json`,
    `cp -a /tmp/websockify/usr/lib/python3/dist-packages/websockify ${WEBSOCKIFY_LIB}/`,
    'rm -rf /tmp/novnc /tmp/websockify /novnc_*.deb /python3-websockify_*.deb',
  ];
}
