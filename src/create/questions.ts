// The questions, as @inquirer/prompts configurations. Each validate() is the same check the flag path
// runs (src/vmspec/validate.ts), so a prompt never accepts what the flag would refuse.
import { BASE_PRESETS, DEFAULT_BASE } from '../vmspec/bases.ts';
import { resolveBase } from '../vmspec/normalize.ts';
import type { App, Desktop, Family, Persistence, Service, Supervisor, WindowManager } from '../vmspec/types.ts';
import { FAMILIES } from '../vmspec/types.ts';
import { checkId, checkPackageName, checkProjectName, checkUserName, parsePort } from '../vmspec/validate.ts';

type Validate = (value: string) => true | string;
const validator =
  (check: (value: string) => string | undefined): Validate =>
  (value) =>
    check(value.trim()) ?? true;

export const CUSTOM_BASE = 'custom';

export const questions = {
  directory: (initial: string) => ({
    message: 'Where should the project go?',
    default: initial,
    validate: (value: string) => (value.trim() ? true : 'give a directory'),
  }),
  name: (initial: string | undefined) => ({
    message: 'Project name (compose project and image name)',
    ...(initial ? { default: initial } : {}),
    validate: validator(checkProjectName),
  }),
  base: () => ({
    message: 'Base image',
    default: DEFAULT_BASE.id,
    choices: [
      ...BASE_PRESETS.map((preset) => ({ name: preset.label, value: preset.id, description: preset.reference })),
      { name: 'Another image (any reference)', value: CUSTOM_BASE },
    ],
  }),
  customBase: () => ({
    message: 'Image reference (e.g. ghcr.io/owner/image:tag)',
    validate: (value: string) => {
      // The family is asked next when the name does not tell it; only the reference is checked here.
      const resolved = resolveBase(value.trim(), 'debian');
      return typeof resolved === 'string' ? resolved : true;
    },
  }),
  family: () => ({
    message: 'Which package manager does that image use?',
    choices: FAMILIES.map((family) => ({ name: family, value: family })),
  }),
  desktop: (family: Family) => ({
    message: 'Desktop',
    default: (family === 'busybox' ? 'shell' : 'novnc') as Desktop,
    choices: [
      { name: 'Desktop in the browser (noVNC)', value: 'novnc' as Desktop, disabled: family === 'busybox' },
      { name: 'VNC desktop (for a VNC client)', value: 'vnc' as Desktop, disabled: family === 'busybox' },
      { name: 'xterm on my own X server (DISPLAY)', value: 'xterm' as Desktop, disabled: family === 'busybox' },
      { name: 'Shell only', value: 'shell' as Desktop },
    ],
  }),
  windowManager: () => ({
    message: 'Window manager or desktop',
    default: 'pekwm' as WindowManager,
    choices: [
      { name: 'pekwm (light: frames, right-click menu; the smallest)', value: 'pekwm' as WindowManager },
      { name: 'Openbox (light: frames, right-click menu; +150 MB of image libraries)', value: 'openbox' as WindowManager },
      { name: 'XFCE (full desktop: panel, menu, file manager, terminal)', value: 'xfce' as WindowManager },
      { name: 'None', value: 'none' as WindowManager },
    ],
  }),
  apps: () => ({
    message: 'Web browsers (space to select; none keeps the image small)',
    choices: [
      { name: 'Firefox (ESR on Debian)', value: 'firefox' as App },
      { name: 'Chromium', value: 'chromium' as App },
    ],
  }),
  services: () => ({
    message: 'Services (space to select)',
    choices: [
      { name: 'sshd: log in with your SSH key', value: 'sshd' as Service },
      { name: 'cron: scheduled jobs', value: 'cron' as Service },
      { name: 'syslog: /var/log/messages', value: 'syslog' as Service },
    ],
  }),
  supervisor: () => ({
    message: 'Process supervision',
    default: 'auto' as Supervisor | 'auto',
    choices: [
      { name: 'Automatic (supervisord when more than one process)', value: 'auto' as const },
      { name: 'supervisord', value: 'supervisord' as const },
      { name: 'runit', value: 'runit' as const },
      { name: 'None (tini alone; one process at most)', value: 'none' as const },
    ],
  }),
  userName: (initial: string) => ({ message: 'Login user', default: initial, validate: validator(checkUserName) }),
  uid: (initial: string) => ({ message: 'UID', default: initial, validate: validator((v) => checkId('UID', v)) }),
  gid: (initial: string) => ({ message: 'GID', default: initial, validate: validator((v) => checkId('GID', v)) }),
  sudo: () => ({ message: 'Passwordless sudo for that user?', default: true }),
  audio: () => ({ message: "Sound in the browser desktop? (PulseAudio in the VM, about 50 MB more; the page's Sound button plays it)", default: false }),
  install: (command: string) => ({ message: `Install dependencies? (${command}: the project's own dockervm CLI)`, default: true }),
  persistence: () => ({
    message: 'What should survive `docker compose down`?',
    default: 'rootfs' as Persistence,
    choices: [
      { name: 'The whole system disk, like a VM (rootfs; Engine 26+)', value: 'rootfs' as Persistence },
      { name: 'Each system directory as a volume (any engine)', value: 'volumes' as Persistence },
      { name: 'Home directories only', value: 'home' as Persistence },
      { name: 'Nothing (ephemeral)', value: 'none' as Persistence },
    ],
  }),
  packages: (family: Family) => ({
    message: 'Extra packages (space-separated, empty for none)',
    default: '',
    validate: (value: string) => {
      for (const name of splitWords(value)) {
        const problem = checkPackageName(family, name);
        if (problem) return problem;
      }
      return true;
    },
  }),
  ports: () => ({
    message: 'Extra ports to publish on 127.0.0.1 (e.g. 8080 or 8080:80; empty for none)',
    default: '',
    validate: (value: string) => {
      for (const word of splitWords(value)) {
        const parsed = parsePort(word);
        if (typeof parsed === 'string') return parsed;
      }
      return true;
    },
  }),
};

export function splitWords(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}
