// The "configure your VM" page's logic, kept free of the DOM so tests can run it in Node: the choices
// made on the page → the create-dockervm command line, and → the same Answers the CLI collects from that
// command line with --yes. From there the page runs the scaffolder's own code (normalizeAnswers,
// renderProject), so what it shows is what the CLI writes.
import type { Answers } from '../../../src/vmspec/answers.ts';
import { BASE_PRESETS, DEFAULT_BASE } from '../../../src/vmspec/bases.ts';
import { defaultAnswers } from '../../../src/vmspec/defaults.ts';
import { normalizeAnswers } from '../../../src/vmspec/normalize.ts';
import { renderProject, type FileMap } from '../../../src/render/project.ts';
import type { RenderTemplate } from '../../../src/render/templates.ts';
import type { App, Desktop, Family, Persistence, Service, Supervisor, VmSpec, WindowManager } from '../../../src/vmspec/types.ts';
import { VERSION } from '../../../src/version.ts';
import type { RecordedPictures } from './screenshots.ts';

export const CUSTOM = 'custom';

/** Every choice on the page; an empty string means "not given: the CLI's default". */
export interface Choices {
  directory: string;
  name: string;
  /** A preset id, or CUSTOM to use customBase. */
  base: string;
  customBase: string;
  family: '' | Family;
  desktop: '' | Desktop;
  wm: '' | WindowManager;
  supervisor: 'auto' | Supervisor;
  services: Service[];
  user: string;
  uid: string;
  gid: string;
  sudo: '' | 'yes' | 'no';
  persistence: Persistence;
  packages: string;
  ports: string;
  bindAll: boolean;
  apps: App[];
  audio: boolean;
  /** A shared folder at ./share (the CLI's --share without a directory). */
  share: boolean;
}

/** What the page shows before anything is changed: the CLI's defaults. */
export const INITIAL_CHOICES: Choices = {
  directory: 'my-vm',
  name: '',
  base: DEFAULT_BASE.id,
  customBase: '',
  family: '',
  desktop: '',
  wm: '',
  supervisor: 'auto',
  services: [],
  user: 'dev',
  uid: '',
  gid: '',
  sudo: '',
  persistence: 'rootfs',
  packages: '',
  ports: '',
  bindAll: false,
  apps: [],
  audio: false,
  share: false,
};

/** Same wording as the golden projects: the page cannot ask a registry for the base image's digest. */
export const UNPINNED_REASON = 'example project; create-dockervm pins the base image of yours';
/** The page never shows the secret; the CLI writes a random one. */
const PLACEHOLDER_SECRET = 'written-by-create-dockervm';

const words = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);

function baseOf(choices: Choices): string {
  return choices.base === CUSTOM ? choices.customBase.trim() : choices.base;
}

/** The flags for these choices, in the order of the CLI's option table; defaults are left out. */
export function flagsOf(choices: Choices): string[] {
  const flags: string[] = [];
  const add = (flag: string, value?: string) => flags.push(`--${flag}`, ...(value === undefined ? [] : [value]));
  if (choices.name.trim()) add('name', choices.name.trim());
  const base = baseOf(choices);
  if (base && base !== DEFAULT_BASE.id) add('base', base);
  if (choices.family) add('family', choices.family);
  if (choices.desktop) add('desktop', choices.desktop);
  if (choices.wm) add('wm', choices.wm);
  if (choices.apps.length) add('app', choices.apps.join(','));
  if (choices.supervisor !== 'auto') add('supervisor', choices.supervisor);
  for (const service of choices.services) add('service', service);
  if (choices.user.trim() && choices.user.trim() !== 'dev') add('user', choices.user.trim());
  if (choices.uid.trim()) add('uid', choices.uid.trim());
  if (choices.gid.trim()) add('gid', choices.gid.trim());
  if (choices.sudo === 'yes') add('sudo');
  if (choices.sudo === 'no') add('no-sudo');
  if (choices.persistence !== 'rootfs') add('persistence', choices.persistence);
  for (const pkg of words(choices.packages)) add('package', pkg);
  for (const port of words(choices.ports)) add('port', port);
  if (choices.bindAll) add('bind-all');
  if (choices.share) add('share');
  if (choices.audio) add('audio');
  return flags;
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command a reader types: npm passes everything after `--` on to create-dockervm. */
export function commandLine(choices: Choices): string {
  const directory = choices.directory.trim() || 'my-vm';
  return ['npm', 'create', 'dockervm@latest', directory, '--', ...flagsOf(choices), '--yes'].map(shellQuote).join(' ');
}

/**
 * The Answers create-dockervm collects for commandLine(choices): flags where given, defaults elsewhere
 * (what collectAnswers does without prompts). The UID and GID default to the reader's own on their
 * machine; the page shows 1000, which is also what the CLI uses when run as root.
 */
export function answersOf(choices: Choices): Answers {
  const directory = choices.directory.trim() || 'my-vm';
  const defaults = defaultAnswers(directory, { uid: undefined, gid: undefined, userName: undefined });
  return {
    ...defaults,
    ...(choices.name.trim() ? { name: choices.name.trim() } : {}),
    base: baseOf(choices) || defaults.base,
    ...(choices.family ? { family: choices.family } : {}),
    ...(choices.desktop ? { desktop: choices.desktop } : {}),
    ...(choices.wm ? { windowManager: choices.wm } : {}),
    services: [...choices.services],
    supervisor: choices.supervisor,
    userName: choices.user.trim() || defaults.userName,
    uid: choices.uid.trim() || defaults.uid,
    gid: choices.gid.trim() || defaults.gid,
    ...(choices.sudo ? { sudo: choices.sudo === 'yes' } : {}),
    persistence: choices.persistence,
    packages: words(choices.packages),
    ports: words(choices.ports),
    bindAll: choices.bindAll,
    apps: [...choices.apps],
    audio: choices.audio,
    ...(choices.share ? { share: 'share' } : {}),
  };
}

export type Rendered = { ok: true; spec: VmSpec; files: FileMap } | { ok: false; problems: string[] };

/**
 * The project create-dockervm would write for these choices, or the problems it would report. `pictures`
 * are the recorded desktop pictures (screenshots.json): the page shows a picture itself, so the project's
 * copy of it (docs/desktop.png) is only a stand-in of the same size.
 */
export function renderChoices(choices: Choices, render: RenderTemplate, pictures: RecordedPictures = {}): Rendered {
  // Both steps refuse combinations with a CLIError (normalization, and generators such as "runit is not
  // packaged for fedora"): the page shows the same message the CLI prints.
  try {
    let spec = normalizeAnswers(answersOf(choices), VERSION);
    const unpinned = (image: VmSpec['base']) => ({ ...image, unpinnedReason: UNPINNED_REASON });
    spec = { ...spec, base: unpinned(spec.base), ...(spec.initSource ? { initSource: unpinned(spec.initSource) } : {}) };
    const picture = pictures[spec.windowManager];
    const secrets = { vnc_password: PLACEHOLDER_SECRET, desktop_password: PLACEHOLDER_SECRET };
    return { ok: true, spec, files: renderProject(spec, { render, secrets, ...(picture ? { desktopPicture: new Uint8Array(picture.bytes) } : {}) }) };
  } catch (error) {
    return { ok: false, problems: (error as Error).message.split('\n') };
  }
}

/** Base image choices for the page, the CLI's presets first. */
export const BASE_CHOICES = [...BASE_PRESETS.map((p) => ({ id: p.id, label: p.label })), { id: CUSTOM, label: 'Another image…' }];
