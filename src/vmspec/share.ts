// --share: which host directory becomes ~/share in the VM. Pure: the path is checked as text here; a
// folder outside the project must exist when the VM starts (compose refuses a missing bind source).
import { isAbsolute, posix } from 'node:path';
import type { SharedFolder } from './types.ts';

export const DEFAULT_SHARE = './share';

/** Project paths a shared folder must not be: they are the project's own (or its secrets). */
const PROJECT_OWN = ['rootfs', 'secrets', 'node_modules', 'compose.yaml', 'Dockerfile', 'README.md', 'package.json', '.env', '.git'];

export function resolveShare(text: string): SharedFolder | string {
  const value = text.trim();
  if (value === '') return '--share needs a directory (or none: --share alone means ./share)';
  if (/[\0\n\r]/.test(value)) return `--share "${value}": a directory name cannot hold control characters`;
  if (isAbsolute(value)) {
    const source = posix.normalize(value.replaceAll('\\', '/'));
    if (source === '/') return '--share /: sharing the whole host file system is refused; name a directory';
    return { source };
  }
  const inside = posix.normalize(value.replaceAll('\\', '/')).replace(/\/+$/, '');
  if (inside === '.' || inside === '..' || inside.startsWith('../')) {
    return `--share "${value}": a relative directory must lie inside the project (give an absolute path for one outside it)`;
  }
  const first = inside.split('/')[0] ?? inside;
  if (PROJECT_OWN.includes(first)) return `--share "${value}": ${first} is part of the project itself; choose another directory (default ./share)`;
  return { source: `./${inside}`, projectPath: inside };
}
