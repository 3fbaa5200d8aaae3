// Opening a URL in the user's browser. xdg-open (or macOS's open) exits 0 once the browser has the
// URL and non-zero when it found none, so its status is the answer; an opener still running after a
// moment has started a browser that keeps it waiting, which counts as opened.
import { spawn, spawnSync } from 'node:child_process';

export function opener(): string | undefined {
  const candidates = process.platform === 'darwin' ? ['open'] : process.platform === 'win32' ? [] : ['xdg-open'];
  return candidates.find((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0);
}

/** Runs `command url`; true when it worked (or is still busy after `graceMs`), false when it failed. */
export function launch(command: string, url: string, graceMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.unref();
      resolve(true);
    }, graceMs);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    child.once('error', () => done(false));
    child.once('exit', (code) => done(code === 0));
  });
}
