// spec → every file of the project, in memory. Pure: nothing is written here (see write.ts).
import { generate } from '../../generators/index.ts';
import type { VmSpec } from '../vmspec/types.ts';
import { renderCompose } from './compose.ts';
import { DESKTOP_PICTURE_PATH, hasDesktopScreen } from './desktop-picture.ts';
import { renderDockerfile } from './dockerfile.ts';
import { renderPackageJson } from './package-json.ts';
import { renderReadme } from './readme.ts';
import type { RenderTemplate } from './templates.ts';

export interface FileEntry {
  /** Text, or the bytes of a binary file (the desktop's picture). */
  content: string | Uint8Array;
  mode: number;
  /** Owner to give the file when writing as root (the VM user must be able to read its secrets). */
  owner?: { uid: number; gid: number };
  /** The file's folder gets the same owner (a folder the VM user writes in through a bind mount). */
  ownsFolder?: boolean;
}

/** Project files by POSIX path relative to the project root. */
export type FileMap = Map<string, FileEntry>;

export interface RenderInputs {
  /** Renders a template by name: compile.ts's templateRenderer, or precompiledRenderer in the bundle. */
  render: RenderTemplate;
  /** Secret values by name (vnc_password); made by the caller, so rendering stays deterministic. */
  secrets: Record<string, string>;
  /**
   * The recorded picture (PNG) of the spec's window manager, for docs/desktop.png and the README; the
   * project goes without one when it is not given. Loaded by the caller, as the secrets are.
   */
  desktopPicture?: Uint8Array;
}

const GITIGNORE = `# Secrets never go into git (or into the image: they are compose secrets).
secrets/
# The dockervm CLI, installed from package.json.
node_modules/
`;

const DOCKERIGNORE = `# Only rootfs/ is copied into the image; keep everything else out of the build context.
*
!rootfs/
node_modules/
`;

export function renderProject(spec: VmSpec, inputs: RenderInputs): FileMap {
  const { render } = inputs;
  const generated = generate(spec);
  const files: FileMap = new Map();
  const add = (path: string, content: FileEntry['content'], mode = 0o644, owner?: FileEntry['owner']) => {
    if (files.has(path)) throw new Error(`two layers write ${path}`);
    files.set(path, { content, mode, ...(owner ? { owner } : {}) });
  };

  add('Dockerfile', renderDockerfile(spec, generated, render));
  add('compose.yaml', renderCompose(spec, generated));
  const picture = hasDesktopScreen(spec) ? inputs.desktopPicture : undefined;
  add('README.md', renderReadme(spec, generated, render, { picture: Boolean(picture) }));
  if (picture) add(DESKTOP_PICTURE_PATH, picture);
  add('package.json', renderPackageJson(spec));
  add('.gitignore', GITIGNORE);
  add('.dockerignore', DOCKERIGNORE);
  add('.env', envFile(spec));
  for (const contribution of generated.contributions) {
    for (const file of contribution.files ?? []) {
      const owner = file.userFolder ? { uid: spec.user.uid, gid: spec.user.gid } : undefined;
      add(file.path, 'content' in file ? file.content : render(file.template, file.data), file.mode, owner);
      const entry = files.get(file.path);
      if (file.userFolder && entry) entry.ownsFolder = true;
    }
  }
  for (const name of new Set(generated.contributions.flatMap((c) => c.secrets ?? []))) {
    const value = inputs.secrets[name];
    if (value === undefined) throw new Error(`no value for secret ${name}`);
    // A file secret is bind-mounted as it is: only its owner, the VM user, may read it.
    add(`secrets/${name}`, `${value}\n`, 0o600, { uid: spec.user.uid, gid: spec.user.gid });
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

function envFile(spec: VmSpec): string {
  const lines = ['# Read by docker compose; change and run `docker compose up -d` again.'];
  if (spec.desktop === 'vnc' || spec.desktop === 'novnc') lines.push('VNC_GEOMETRY=1280x800');
  if (spec.desktop === 'xterm') lines.push('# DISPLAY is taken from your environment; set it here to override.');
  if (spec.ports.length) {
    // compose.yaml reads the host ports from here: several VMs side by side differ only in these lines.
    const where = spec.bindAddress === '0.0.0.0' ? 'every interface (--bind-all)' : '127.0.0.1 (this machine)';
    lines.push(`# Ports on ${where}: change one when another VM or program uses it.`);
    for (const p of spec.ports) lines.push(`${p.variable}=${p.host}`);
  }
  return `${lines.join('\n')}\n`;
}
