// The part of node:path the scaffolder's pure code uses, for the browser (see browser-shims.mjs).
// The browser has no working directory: relative paths resolve against "/".

function normalizeParts(path: string): string[] {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts;
}

export function resolve(...paths: string[]): string {
  let joined = '';
  for (const path of paths) joined = path.startsWith('/') ? path : `${joined}/${path}`;
  return `/${normalizeParts(joined).join('/')}`;
}

export function join(...paths: string[]): string {
  const joined = paths.filter(Boolean).join('/');
  const parts = normalizeParts(joined);
  return joined.startsWith('/') ? `/${parts.join('/')}` : parts.join('/') || '.';
}

export function basename(path: string): string {
  return normalizeParts(path).pop() ?? '';
}

export function dirname(path: string): string {
  const parts = normalizeParts(path);
  parts.pop();
  return path.startsWith('/') ? `/${parts.join('/')}` : parts.join('/') || '.';
}

export function relative(from: string, to: string): string {
  const a = normalizeParts(resolve(from));
  const b = normalizeParts(resolve(to));
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

/** Like node's: `.` and `..` resolved, repeated slashes collapsed, a trailing slash kept. */
export function normalize(path: string): string {
  if (path === '') return '.';
  // A relative path keeps the `..` that climb above its start (normalizeParts would drop them).
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts.at(-1) !== '..') parts.pop();
    else if (part !== '..' || !isAbsolute(path)) parts.push(part);
  }
  const body = `${isAbsolute(path) ? '/' : ''}${parts.join('/')}` || '.';
  return path.endsWith('/') && body !== '/' ? `${body}/` : body;
}

export const sep = '/';
export const posix = { resolve, join, basename, dirname, relative, isAbsolute, normalize, sep };

export default posix;
