// What an image holds by dpkg's count, shared by the image-size benchmarks.
import { spawnSync } from 'node:child_process';

/** dpkg's Installed-Size (KiB) of every package in a Debian-family image, by name. */
export function installedPackages(image) {
  const result = spawnSync('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'dpkg-query', image, '-Wf', '${Installed-Size}\t${Package}\n'], {
    encoding: 'utf8',
    timeout: 5 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`dpkg-query in ${image} exited ${result.status}: ${(result.stderr ?? '').slice(-2000)}`);
  return new Map(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .map(([kb, name]) => [name, Number(kb)]),
  );
}
