// Loads the recorded picture of a window manager's desktop for a new project (docs/desktop.png).
// The pictures are committed once, where the site serves them (site/public/screenshots/); the published
// package carries a copy in pictures/ (scripts/build.mjs), next to its dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WindowManager } from '../vmspec/types.ts';

/** Where the pictures are: the package's pictures/ (the bundle), or the repository's site/public/screenshots/ (source). */
export function findPicturesDir(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from, depth = 0; depth < 4; dir = dirname(dir), depth++) {
    for (const candidate of [join(dir, 'pictures'), join(dir, 'site', 'public', 'screenshots')]) {
      if (existsSync(join(candidate, 'pekwm.png'))) return candidate;
    }
  }
  return undefined;
}

/**
 * The PNG bytes of the desktop picture of `windowManager`, or undefined when none was recorded (the
 * project is then written without one: a picture is documentation, never a reason to stop).
 */
export function loadDesktopPicture(windowManager: WindowManager, dir = findPicturesDir()): Uint8Array | undefined {
  if (!dir) return undefined;
  const path = join(dir, `${windowManager}.png`);
  return existsSync(path) ? readFileSync(path) : undefined;
}
