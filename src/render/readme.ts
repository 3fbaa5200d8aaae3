// The generated project's README: a view of the spec for templates/README.md.hbs.
import { BROWSER_SHM_MEGABYTES, launchers } from '../../generators/apps.ts';
import type { Generated } from '../../generators/index.ts';
import { UPLOAD_LIMIT_MB } from '../../generators/desktop-web.ts';
import { VM_PORT } from '../constants.ts';
import { vmRepository } from '../vmspec/image-name.ts';
import type { Persistence, VmSpec } from '../vmspec/types.ts';
import { DESKTOP_PICTURE_PATH, desktopPictureAlt, hasDesktopScreen } from './desktop-picture.ts';
import { fromReference } from './image-reference.ts';
import type { RenderTemplate } from './templates.ts';

const DESKTOP_LABEL = {
  shell: 'shell only',
  xterm: 'xterm on your own X server (DISPLAY)',
  vnc: 'VNC desktop (TigerVNC)',
  novnc: 'desktop in the browser (noVNC) and VNC',
};

const PERSISTENCE_LABEL: Record<Persistence, string> = {
  rootfs: '`rootfs`: the whole system disk, like a VM',
  volumes: '`volumes`: one volume per system directory',
  home: '`home`: home directories only',
  none: '`none`: nothing, every `down` starts from the image',
};

const PERSISTENCE_HELP: Record<Persistence, string> = {
  rootfs: `The VM's system lives in the \`rootfs\` volume: \`/etc /home /opt /root /srv /usr /var\` are subpaths of
it. Packages you install with the package manager, configuration in \`/etc\` and files in your home all
survive \`docker compose down\` and \`up\`, like the disk of a VM. The one-shot \`rootfs-init\` service fills
the volume from the image on first start (\`npx dockervm up\` leaves it out once the disk is seeded, and
the VM boots about a second sooner). \`docker compose down --volumes\` deletes the disk.

Not kept: files outside those directories (\`/tmp\`, \`/run\`), and the processes themselves (a
\`down\`/\`up\` is a reboot). Needs Docker Engine 26 or newer and Compose 2.23 or newer.`,
  volumes: `Each system directory (\`/etc /home /opt /root /srv /usr /var\`) is its own named volume, filled from
the image by Docker on first start. Installed packages, configuration and your files survive
\`docker compose down\` and \`up\`. \`docker compose down --volumes\` deletes them. Works with any engine
version.`,
  home: `Only \`/home\` and \`/root\` are volumes: your files survive \`docker compose down\` and \`up\`, but
packages installed inside the VM do not. This is the Docker way: the system comes from the image (add
packages to the \`Dockerfile\`), the data lives in volumes.`,
  none: `Nothing: \`docker compose down\` removes the container and everything written in it. \`docker compose
stop\`/\`start\` keeps the container and its files. Good for experiments.`,
};

function supervisorLabel(generated: Generated): string {
  const { supervisor } = generated.supervision;
  const programs = generated.contributions.flatMap((c) => c.programs ?? []).map((p) => p.name);
  if (supervisor === 'none') {
    return programs.length ? `\`${programs[0]}\` under tini` : 'tini (no background processes)';
  }
  return `${supervisor} runs ${programs.map((p) => `\`${p}\``).join(', ')}`;
}

export interface ReadmeExtras {
  /** The project carries its desktop's picture (desktop-picture.ts): the README shows it. */
  picture: boolean;
}

export function renderReadme(spec: VmSpec, generated: Generated, render: RenderTemplate, extras: ReadmeExtras): string {
  const port = (container: number) => spec.ports.find((p) => p.container === container)?.host;
  const extra = spec.ports.filter((p) => p.purpose === 'your service');
  const login = spec.base.family === 'debian' || spec.base.family === 'fedora' ? 'bash' : 'sh';
  return render('README.md.hbs', {
    name: spec.name,
    version: spec.generatorVersion,
    base: fromReference(spec.base),
    image: vmRepository(spec.name),
    unpinned: spec.base.digest ? false : (spec.base.unpinnedReason ?? 'not resolved'),
    desktopLabel: DESKTOP_LABEL[spec.desktop],
    supervisorLabel: supervisorLabel(generated),
    services: spec.services.join(', '),
    user: spec.user,
    persistenceLabel: PERSISTENCE_LABEL[spec.persistence],
    persistenceHelp: PERSISTENCE_HELP[spec.persistence],
    runsAsRoot: generated.supervision.runsAsRoot,
    loginShell: login,
    host: '127.0.0.1',
    novnc: spec.desktop === 'novnc',
    vnc: spec.desktop === 'novnc' || spec.desktop === 'vnc',
    xterm: spec.desktop === 'xterm',
    novncPort: port(VM_PORT.novnc) ?? 0,
    vncPort: port(VM_PORT.vnc) ?? 0,
    sshd: spec.services.includes('sshd'),
    sshPort: port(VM_PORT.ssh) ?? 0,
    sshKey: Boolean(spec.sshPublicKey),
    hasPorts: spec.ports.length > 0,
    portVariables: spec.ports.map((p) => `\`${p.variable}\``).join(', '),
    extraPorts: extra.map((p) => `\`${spec.bindAddress}:${p.host}\` → ${p.container}`).join(', '),
    allInterfaces: spec.bindAddress === '0.0.0.0',
    share: spec.share ? { source: spec.share.source, inProject: Boolean(spec.share.projectPath) } : false,
    uploadLimitMb: UPLOAD_LIMIT_MB,
    audio: Boolean(spec.audio),
    remoteAccess: spec.remoteAccess ? { provided: spec.remoteAccess.certificate === 'provided', uploadLimitMb: UPLOAD_LIMIT_MB } : false,
    rootfs: spec.persistence === 'rootfs' || spec.persistence === 'volumes',
    aptFamily: spec.base.family === 'debian',
    desktop: desktopView(spec, extras),
    // generators/desktop.ts installs the stand-in on Debian-family VNC desktops (where Mesa needs LLVM).
    noGlDrivers: spec.base.family === 'debian' && (spec.desktop === 'vnc' || spec.desktop === 'novnc'),
  });
}

/** The "Desktop" section: what is on screen, how to open a terminal, the browsers and their sandbox. */
function desktopView(spec: VmSpec, extras: ReadmeExtras) {
  if (!hasDesktopScreen(spec)) return false;
  const browsers = launchers(spec);
  return {
    picture: extras.picture ? { path: DESKTOP_PICTURE_PATH, alt: desktopPictureAlt(spec.windowManager) } : false,
    pekwm: spec.windowManager === 'pekwm',
    openbox: spec.windowManager === 'openbox',
    xfce: spec.windowManager === 'xfce',
    none: spec.windowManager === 'none',
    browsers: browsers.length > 0,
    browserList: browsers.map((b) => `${b.label} (\`${b.command}\`)`).join(', '),
    firefox: spec.apps.includes('firefox'),
    chromium: spec.apps.includes('chromium'),
    shmSize: `${BROWSER_SHM_MEGABYTES / 1024} GB`,
  };
}
