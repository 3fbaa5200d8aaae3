// The base layer: an init (tini) outside the persisted directories, a few tools every VM has, and the
// directories a VM disk is made of.
import type { Family, VmSpec } from '../src/vmspec/types.ts';
import type { Contribution } from './contribution.ts';
import { INIT, RUNTIME_BIN } from './paths.ts';

/** The init package and where its static binary lands, per family. */
const INIT_BINARY: Record<Family, { packages: string[]; path: string } | undefined> = {
  debian: { packages: ['tini'], path: '/usr/bin/tini-static' },
  alpine: { packages: ['tini-static'], path: '/sbin/tini-static' },
  // Fedora ships podman's catatonit, a tini work-alike with the same -g flag.
  fedora: { packages: ['catatonit'], path: '/usr/libexec/catatonit/catatonit' },
  // busybox: the Dockerfile copies tini-static from a Debian build stage instead.
  busybox: undefined,
};

// cpio (with sh, find and stat, which every base has) lets `dockervm save` copy volume data with the
// VM's own image as its helper: no helper image to pull. Alpine's and busybox's busybox have it.
const TOOLS: Record<Family, string[]> = {
  debian: ['procps', 'less', 'ca-certificates', 'cpio'],
  fedora: ['procps-ng', 'less', 'shadow-utils', 'findutils', 'cpio'],
  alpine: ['ca-certificates'],
  busybox: [],
};

export function baseLayer(spec: VmSpec): Contribution {
  const family = spec.base.family;
  const init = INIT_BINARY[family];
  const lines = [`mkdir -p ${RUNTIME_BIN} /home /opt /srv /var/lib/dockervm`];
  // A static binary: it must keep working even when /usr comes from a disk seeded by an older image.
  if (init) lines.push(`cp ${init.path} ${INIT}`);
  return {
    layer: 'base',
    packages: { [family]: [...(init?.packages ?? []), ...TOOLS[family]] },
    ...(family === 'debian' ? { beforeInstall: slimDpkg() } : {}),
    steps: [{ comment: 'dockervm runtime directory and init (outside the persisted directories)', lines, phase: 'before-files' }],
  };
}

/**
 * What Debian's and Ubuntu's official images already do (a no-op on them): dpkg skips documentation, man
 * pages and translations of every package installed from now on, inside the VM too. apt is unaffected;
 * delete the file to get them with later installs.
 */
function slimDpkg(): string[] {
  const rules = [
    'path-exclude=/usr/share/doc/*',
    'path-include=/usr/share/doc/*/copyright',
    'path-exclude=/usr/share/man/*',
    'path-exclude=/usr/share/info/*',
    'path-exclude=/usr/share/locale/*',
  ];
  return [`printf '%s\\n' ${rules.map((rule) => `'${rule}'`).join(' ')} > /etc/dpkg/dpkg.cfg.d/dockervm-slim`];
}
