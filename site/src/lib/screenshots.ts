// The desktops' pictures: real screenshots of generated VMs, recorded by the browser tests and copied
// into public/screenshots/<window manager>.png by scripts/record-screenshots.ts, which lists them in
// screenshots.json. The configurator shows the one of the chosen desktop (a generated project carries the
// same picture: src/render/desktop-picture.ts); pure, so a unit test can run it.
import { DESKTOP_PICTURE_CAPTIONS, desktopPictureAlt, hasDesktopScreen } from '../../../src/render/desktop-picture.ts';
import type { VmSpec, WindowManager } from '../../../src/vmspec/types.ts';

export const SCREENSHOTS_PATH = 'screenshots';

/** What screenshots.json holds: each recorded picture's size. */
export type RecordedPictures = Readonly<Record<string, { width: number; height: number; bytes: number }>>;

export interface Picture {
  windowManager: WindowManager;
  src: string;
  width: number;
  height: number;
  alt: string;
  caption: string;
}

/**
 * The picture of a spec's desktop, when there is a screen to show (vnc and novnc) and a picture of its
 * window manager was recorded; `base` is the site's base URL.
 */
export function pictureFor(spec: Pick<VmSpec, 'desktop' | 'windowManager'>, recorded: RecordedPictures, base = '/'): Picture | undefined {
  if (!hasDesktopScreen(spec)) return undefined;
  const size = recorded[spec.windowManager];
  if (!size) return undefined;
  return {
    windowManager: spec.windowManager,
    src: `${base.replace(/\/?$/, '/')}${SCREENSHOTS_PATH}/${spec.windowManager}.png`,
    width: size.width,
    height: size.height,
    alt: desktopPictureAlt(spec.windowManager),
    caption: DESKTOP_PICTURE_CAPTIONS[spec.windowManager],
  };
}
