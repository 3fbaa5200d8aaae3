// A generated project carries the recorded picture of its desktop (docs/desktop.png) and its README shows
// it: the same bytes the site serves for that window manager, only where there is a screen to show.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPicturesDir, loadDesktopPicture } from '../../src/create/pictures.ts';
import { templateRenderer } from '../../src/render/compile.ts';
import { DESKTOP_PICTURE_PATH } from '../../src/render/desktop-picture.ts';
import { loadTemplates } from '../../src/render/load-templates.ts';
import { renderProject } from '../../src/render/project.ts';
import { writeProject } from '../../src/render/write.ts';
import { tempDir } from '../helpers/cli.ts';
import { fileText, renderFromArgs, specFromArgs } from '../helpers/render.ts';

const SITE_PICTURES = join(import.meta.dirname, '../../site/public/screenshots');
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let scratch: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  scratch?.cleanup();
  scratch = undefined;
});

describe('the desktop picture of a generated project', () => {
  it.each([
    ['the default (pekwm)', [], 'pekwm'],
    ['XFCE', ['--wm', 'xfce', '--app', 'firefox'], 'xfce'],
    ['a VNC desktop without a window manager', ['--desktop', 'vnc', '--wm', 'none'], 'none'],
  ])('%s: the site picture of its window manager, shown in the README', async (_, args, windowManager) => {
    const files = await renderFromArgs('vm', args);
    const picture = files.get(DESKTOP_PICTURE_PATH);
    expect(picture?.mode).toBe(0o644);
    expect(Buffer.from(picture!.content as Uint8Array).equals(readFileSync(join(SITE_PICTURES, `${windowManager}.png`)))).toBe(true);
    const readme = fileText(files, 'README.md');
    expect(readme).toMatch(/### The desktop\n\n!\[The [a-z]+ desktop of a generated VM, as noVNC shows it\]\(docs\/desktop\.png\)\n/);
    expect(readme).toContain('its name and its programs can differ from those of `vm`.');
  });

  it.each([
    ['xterm', ['--desktop', 'xterm']],
    ['shell', ['--desktop', 'shell']],
  ])('%s: no screen, so no picture', async (_, args) => {
    const files = await renderFromArgs('vm', args);
    expect(files.has(DESKTOP_PICTURE_PATH)).toBe(false);
    expect(fileText(files, 'README.md')).not.toContain('desktop.png');
  });

  it('a project rendered without the picture does not mention it', async () => {
    const spec = await specFromArgs('vm', []);
    const files = renderProject(spec, { render: templateRenderer(loadTemplates()), secrets: { vnc_password: 'x' } });
    expect(files.has(DESKTOP_PICTURE_PATH)).toBe(false);
    expect(fileText(files, 'README.md')).toContain('### The desktop\n\npekwm:');
  });

  it('is written byte for byte', async () => {
    scratch = tempDir();
    const bytes = readFileSync(join(SITE_PICTURES, 'pekwm.png'));
    await writeProject(join(scratch.path, 'vm'), new Map([[DESKTOP_PICTURE_PATH, { content: new Uint8Array(bytes), mode: 0o644 }]]), { overwrite: false });
    expect(readFileSync(join(scratch.path, 'vm', DESKTOP_PICTURE_PATH)).equals(bytes)).toBe(true);
  });
});

describe('finding the pictures', () => {
  it('in the repository, from the sources', () => {
    expect(findPicturesDir()).toBe(SITE_PICTURES);
    expect([...loadDesktopPicture('openbox')!.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it('in the published package: its pictures/ beside dist/, before anything further up', () => {
    scratch = tempDir();
    const pkg = join(scratch.path, 'node_modules', 'create-dockervm');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    mkdirSync(join(pkg, 'pictures'));
    writeFileSync(join(pkg, 'pictures', 'pekwm.png'), 'p');
    expect(findPicturesDir(join(pkg, 'dist'))).toBe(join(pkg, 'pictures'));
    expect(loadDesktopPicture('pekwm', join(pkg, 'pictures'))?.byteLength).toBe(1);
    // A window manager whose picture was not recorded: the project goes without one.
    expect(loadDesktopPicture('xfce', join(pkg, 'pictures'))).toBeUndefined();
  });

  it('nowhere: no pictures, and no error', () => {
    scratch = tempDir();
    expect(findPicturesDir(scratch.path)).toBeUndefined();
    expect(loadDesktopPicture('pekwm', scratch.path)).toBeUndefined();
  });
});
