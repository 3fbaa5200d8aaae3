// The UI layers: a shell only, xterm on the host's X server, a VNC desktop, or VNC in the browser.
import type { Family, VmSpec } from '../src/spec/types.ts';
import type { Contribution, Program, ProjectFile } from './contribution.ts';
import { NOVNC_PORT, RUNTIME_BIN, VNC_DISPLAY, VNC_PORT, rootfsPath } from './paths.ts';

interface DesktopPackages {
  terminal: string[];
  vnc: string[];
  novnc: string[];
  /** The TigerVNC X server's name in this family. */
  xvnc: string;
}

const PACKAGES: Partial<Record<Family, DesktopPackages>> = {
  debian: {
    terminal: ['xterm', 'fonts-dejavu-core'],
    vnc: ['tigervnc-standalone-server', 'tigervnc-tools'],
    // Debian's novnc package depends on nodejs; only its static files are needed (see noVncFiles).
    novnc: ['websockify'],
    xvnc: 'Xtigervnc',
  },
  fedora: {
    terminal: ['xterm', 'dejavu-sans-mono-fonts'],
    vnc: ['tigervnc-server-minimal'],
    novnc: ['novnc', 'python3-websockify'],
    xvnc: 'Xvnc',
  },
  alpine: {
    terminal: ['xterm', 'font-dejavu'],
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
  const programs: Program[] = [
    { name: 'vnc-server', command: [`${RUNTIME_BIN}/start-vnc`], runAs: 'user', priority: 10, environment: display },
    {
      name: 'xterm',
      command: [`${RUNTIME_BIN}/wait-x`, ...XTERM, '-title', spec.name, '-geometry', '100x30+40+40'],
      runAs: 'user',
      priority: 30,
      environment: display,
    },
  ];
  if (browser) {
    programs.push({
      name: 'novnc',
      command: ['websockify', '--web', '/usr/share/novnc', String(NOVNC_PORT), `localhost:${VNC_PORT}`],
      runAs: 'user',
      priority: 40,
    });
  }
  const files = [
    script('start-vnc', 'rootfs/start-vnc.sh.hbs', { xvnc: packages.xvnc, port: VNC_PORT }),
    script('wait-x', 'rootfs/wait-x.sh.hbs'),
  ];
  if (browser) {
    files.push({ path: rootfsPath('/usr/share/novnc/index.html'), mode: 0o644, template: 'rootfs/novnc-index.html.hbs', data: { name: spec.name } });
  }
  return {
    layer: `desktop:${spec.desktop}`,
    packages: { [family]: [...packages.terminal, ...packages.vnc, ...(browser ? packages.novnc : [])] },
    steps: [
      {
        comment: 'X sockets live in a world-writable, sticky directory the VNC server can use as a non-root user',
        lines: ['mkdir -p /tmp/.X11-unix', 'chmod 1777 /tmp/.X11-unix'],
        phase: 'before-files',
      },
    ],
    ...(browser && family === 'debian' ? { installHooks: noVncFiles() } : {}),
    programs,
    files,
    secrets: ['vnc_password'],
    environment: { VNC_GEOMETRY: '${VNC_GEOMETRY:-1280x800}' },
    listens: browser ? [VNC_PORT, NOVNC_PORT] : [VNC_PORT],
  };
}

/** noVNC's web client from Debian's package, without the nodejs it depends on for its build tools. */
function noVncFiles(): string[] {
  return [
    // RUN's working directory is / here: the .deb lands there and is removed in the same layer.
    'apt-get download --quiet novnc',
    'dpkg-deb --extract /novnc_*.deb /tmp/novnc',
    'mkdir -p /usr/share/novnc',
    'cp -a /tmp/novnc/usr/share/novnc/. /usr/share/novnc/',
    'rm -rf /tmp/novnc /novnc_*.deb',
  ];
}
