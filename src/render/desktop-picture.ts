// The picture of a desktop that a generated project carries in docs/desktop.png and its README shows:
// a real screenshot of a VM made with the same window manager, recorded by the browser tests (see
// scripts/record-screenshots.ts). The site's configurator shows the same pictures with the same captions.
// Pure: the bytes are loaded by the caller (src/create/pictures.ts in Node).
import type { VmSpec, WindowManager } from '../vmspec/types.ts';

/** Where a project keeps its desktop's picture, relative to its root. */
export const DESKTOP_PICTURE_PATH = 'docs/desktop.png';

/** What each window manager's picture shows, in a sentence. */
export const DESKTOP_PICTURE_CAPTIONS: Readonly<Record<WindowManager, string>> = {
  pekwm: 'pekwm: windows with frames, a menu on a right-click of the background, an xterm at start; the smallest image.',
  openbox: 'Openbox: windows with frames, a menu on a right-click of the background, an xterm at start.',
  xfce: 'XFCE: the application menu in the panel at the top, a dock at the bottom (terminal, file manager, browser), icons on the desktop.',
  none: 'No window manager: the xterm that opens at start, without a frame.',
};

/** Only the VNC desktops (vnc, novnc) have a screen to show; xterm windows open on the user's own. */
export function hasDesktopScreen(spec: Pick<VmSpec, 'desktop'>): boolean {
  return spec.desktop === 'vnc' || spec.desktop === 'novnc';
}

/** The picture's alternative text. */
export function desktopPictureAlt(windowManager: WindowManager): string {
  return `The ${windowManager === 'none' ? 'bare' : windowManager} desktop of a generated VM, as noVNC shows it`;
}
