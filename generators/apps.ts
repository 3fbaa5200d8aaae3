// Web browsers for the VNC desktops: the distribution's package, a launcher on the desktop and in the
// menu, a /dev/shm big enough for them, and each browser's sandbox as it can run in a container.
import type { App, Family, VmSpec } from '../src/vmspec/types.ts';
import type { Contribution, ProjectFile } from './contribution.ts';
import { rootfsPath } from './paths.ts';

interface Browser {
  label: string;
  /** Package per family (Ubuntu has neither browser outside snaps: normalize.ts refuses it). */
  packages: Record<Exclude<Family, 'busybox'>, string>;
  /** The program's name in each family, and the icon its package installs under the same name. */
  binary: Record<Exclude<Family, 'busybox'>, string>;
  /** Flags every launch needs in a container (see SANDBOX in the README). */
  flags: string[];
}

const BROWSERS: Record<App, Browser> = {
  firefox: {
    label: 'Firefox',
    // Debian's Firefox is the ESR (extended support) release; elsewhere the distribution's own.
    packages: { debian: 'firefox-esr', fedora: 'firefox', alpine: 'firefox' },
    binary: { debian: 'firefox-esr', fedora: 'firefox', alpine: 'firefox' },
    // Firefox's content sandbox runs on seccomp filters, which Docker's default profile allows:
    // it keeps its sandbox, without the user namespaces it would add where it may.
    flags: [],
  },
  chromium: {
    label: 'Chromium',
    packages: { debian: 'chromium', fedora: 'chromium', alpine: 'chromium' },
    binary: { debian: 'chromium', fedora: 'chromium-browser', alpine: 'chromium' },
    // Chromium refuses to start unless it can create user namespaces, which Docker's default seccomp
    // profile forbids; the README explains what --no-sandbox costs and how to get the sandbox back.
    flags: ['--no-sandbox'],
  },
};

/** Docker gives /dev/shm 64 MB; browsers keep rendered pages there and crash their tabs without room. */
export const BROWSER_SHM_MEGABYTES = 1024;

export interface Launcher {
  app: App;
  label: string;
  /** Command line for a menu or a .desktop file (plain words, no quoting needed). */
  command: string;
  icon: string;
}

export function launchers(spec: VmSpec): Launcher[] {
  const family = spec.base.family;
  if (family === 'busybox') return [];
  return spec.apps.map((app) => {
    const browser = BROWSERS[app];
    return { app, label: browser.label, command: [browser.binary[family], ...browser.flags].join(' '), icon: browser.binary[family] };
  });
}

export function appsLayer(spec: VmSpec): Contribution {
  const family = spec.base.family;
  if (spec.apps.length === 0 || family === 'busybox') return { layer: 'apps:none' };
  const files: ProjectFile[] = [];
  if (spec.windowManager === 'xfce') {
    // A launcher on the desktop, as XFCE shows it; executable, or XFCE asks whether to trust it.
    for (const launcher of launchers(spec)) {
      files.push({
        path: rootfsPath(`/home/${spec.user.name}/Desktop/${launcher.app}.desktop`),
        mode: 0o755,
        template: 'rootfs/launcher.desktop.hbs',
        data: { ...launcher },
      });
    }
  }
  if (spec.apps.includes('firefox')) {
    // Firefox reads enterprise policies from here on Linux: no first-run tabs that reach for the internet
    // (a VM may have none), no default-browser question.
    files.push({ path: rootfsPath('/etc/firefox/policies/policies.json'), mode: 0o644, content: firefoxPolicies() });
  }
  if (family === 'debian' && spec.apps.includes('chromium')) {
    // Debian's chromium script reads /etc/chromium.d: the package's own menu entry starts it the same way.
    files.push({ path: rootfsPath('/etc/chromium.d/dockervm-no-sandbox'), mode: 0o644, content: chromiumFlags() });
  }
  return {
    layer: `apps:${spec.apps.join(',')}`,
    packages: { [family]: spec.apps.map((app) => BROWSERS[app].packages[family]) },
    files,
    shmMegabytes: BROWSER_SHM_MEGABYTES,
  };
}

function chromiumFlags(): string {
  return [
    '# Written by create-dockervm: Chromium needs user namespaces for its sandbox, and Docker refuses them',
    "# to containers under its default seccomp profile. See the project's README (Browsers) before removing.",
    'export CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox"',
    '',
  ].join('\n');
}

function firefoxPolicies(): string {
  const policies = { OverrideFirstRunPage: '', OverridePostUpdatePage: '', DontCheckDefaultBrowser: true, DisableTelemetry: true, NoDefaultBookmarks: true };
  return `${JSON.stringify({ policies }, null, 2)}\n`;
}
