// A VM whose browser desktop is made for the network (--bind-all, --cert) serves it over https only;
// `open` and `status` say so and show the certificate's fingerprint, read from the VM's disk, so the
// one a browser shows on another machine can be compared with it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FINGERPRINT_FILE } from '../../generators/desktop-web.ts';
import type { ContainerDetails } from '../docker/containers.ts';
import { execCollect } from '../docker/exec.ts';
import type { Session } from './session.ts';

export interface DesktopTls {
  /** SHA-256 of the certificate the desktop serves; undefined while the VM is not running. */
  fingerprint: string | undefined;
}

/** Undefined for a desktop on plain http (the localhost default). */
export async function desktopTls(session: Pick<Session, 'engine' | 'project'>, vm: ContainerDetails | undefined): Promise<DesktopTls | undefined> {
  // Only the remote-access layer makes this secret (generators/desktop-web.ts).
  if (!existsSync(join(session.project.dir, 'secrets', 'desktop_password'))) return undefined;
  if (!vm?.running) return { fingerprint: undefined };
  const read = await execCollect(session.engine, vm.id, ['cat', FINGERPRINT_FILE]).catch(() => undefined);
  const fingerprint = read?.exitCode === 0 ? read.stdout.toString('utf8').trim() : '';
  return { fingerprint: fingerprint || undefined };
}

export function httpsUrl(url: string): string {
  return url.replace(/^http:/, 'https:');
}
