// The desktops' pictures: real screenshots of generated VMs, recorded by the browser tests and copied
// into public/screenshots/<window manager>.png by scripts/record-screenshots.ts, which lists them in
// screenshots.json. The configurator shows the one of the chosen desktop; pure, so a unit test can run it.
import type { VmSpec, WindowManager } from '../../../src/vmspec/types.ts';

export const SCREENSHOTS_PATH = 'screenshots';

const CAPTIONS: Record<WindowManager, string> = {
  pekwm: 'pekwm: windows with frames, a menu on a right-click of the background, an xterm at start; the smallest image.',
  openbox: 'Openbox: windows with frames, a menu on a right-click of the background, an xterm at start.',
  xfce: 'XFCE: the application menu in the panel at the top, a dock at the bottom (terminal, file manager, browser), icons on the desktop.',
  none: 'No window manager: the xterm that opens at start, without a frame.',
};

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
  if (spec.desktop !== 'vnc' && spec.desktop !== 'novnc') return undefined;
  const size = recorded[spec.windowManager];
  if (!size) return undefined;
  return {
    windowManager: spec.windowManager,
    src: `${base.replace(/\/?$/, '/')}${SCREENSHOTS_PATH}/${spec.windowManager}.png`,
    width: size.width,
    height: size.height,
    alt: `The ${spec.windowManager === 'none' ? 'bare' : spec.windowManager} desktop of a generated VM, as noVNC shows it`,
    caption: CAPTIONS[spec.windowManager],
  };
}
