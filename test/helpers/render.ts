// Renders a project from CLI flags exactly as the CLI does, minus the network and the random password.
import { collectAnswers, type Prompter } from '../../src/create/ask.ts';
import { getContext } from '../../src/create/context.ts';
import { loadDesktopPicture } from '../../src/create/pictures.ts';
import { renderProject, type FileMap } from '../../src/render/project.ts';
import { templateRenderer } from '../../src/render/compile.ts';
import { loadTemplates } from '../../src/render/load-templates.ts';
import { normalizeAnswers } from '../../src/vmspec/normalize.ts';
import type { VmSpec } from '../../src/vmspec/types.ts';
import { VERSION } from '../../src/version.ts';

export const GOLDEN_PASSWORD = 'golden00';
export const GOLDEN_DESKTOP_PASSWORD = 'golden-desktop-password';
export const GOLDEN_UNPINNED = 'example project; create-dockervm pins the base image of yours';

export const noPrompts: Prompter = {
  input: () => Promise.reject(new Error('unexpected prompt')),
  select: () => Promise.reject(new Error('unexpected prompt')),
  confirm: () => Promise.reject(new Error('unexpected prompt')),
  checkbox: () => Promise.reject(new Error('unexpected prompt')),
};

const render = templateRenderer(loadTemplates());

export async function specFromArgs(directory: string, args: string[]): Promise<VmSpec> {
  const context = getContext([directory, '--yes', ...args], { HOME: '/nonexistent' }, false, '/work');
  const spec = normalizeAnswers(await collectAnswers(context, noPrompts), VERSION);
  const unpinned = (image: VmSpec['base']) => ({ ...image, unpinnedReason: GOLDEN_UNPINNED });
  return { ...spec, base: unpinned(spec.base), ...(spec.initSource ? { initSource: unpinned(spec.initSource) } : {}) };
}

export async function renderFromArgs(directory: string, args: string[]): Promise<FileMap> {
  const spec = await specFromArgs(directory, args);
  const desktopPicture = loadDesktopPicture(spec.windowManager);
  return renderProject(spec, {
    render,
    secrets: { vnc_password: GOLDEN_PASSWORD, desktop_password: GOLDEN_DESKTOP_PASSWORD },
    ...(desktopPicture ? { desktopPicture } : {}),
  });
}

/** The text of a rendered file ('' when the project has no such file); a binary file is a test's mistake. */
export function fileText(files: FileMap, path: string): string {
  const content = files.get(path)?.content ?? '';
  if (typeof content !== 'string') throw new Error(`${path} is a binary file`);
  return content;
}
