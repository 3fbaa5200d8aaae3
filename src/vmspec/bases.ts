// The base images offered by name, and how to tell the package family of any other reference.
import type { Family } from './types.ts';

export interface BasePreset {
  id: string;
  reference: string;
  family: Family;
  label: string;
}

export const DEFAULT_BASE: BasePreset = { id: 'debian', reference: 'debian:bookworm-slim', family: 'debian', label: 'Debian 12 "bookworm" slim (default)' };

export const BASE_PRESETS: readonly BasePreset[] = [
  DEFAULT_BASE,
  { id: 'debian-trixie', reference: 'debian:trixie-slim', family: 'debian', label: 'Debian 13 "trixie" slim' },
  { id: 'ubuntu', reference: 'ubuntu:24.04', family: 'debian', label: 'Ubuntu 24.04 LTS' },
  { id: 'ubuntu-22.04', reference: 'ubuntu:22.04', family: 'debian', label: 'Ubuntu 22.04 LTS' },
  { id: 'fedora', reference: 'fedora:42', family: 'fedora', label: 'Fedora 42' },
  { id: 'alpine', reference: 'alpine:3.22', family: 'alpine', label: 'Alpine Linux 3.22' },
  { id: 'busybox', reference: 'busybox:1.37', family: 'busybox', label: 'BusyBox 1.37 (shell only)' },
];

/** busybox has no tini package: its init binary comes from a build stage on this image. */
export const INIT_SOURCE_REFERENCE = DEFAULT_BASE.reference;

/** Family from the image's repository name for the well-known distributions, else undefined. */
export function familyOfRepository(repositoryPath: string): Family | undefined {
  const last = repositoryPath.split('/').pop() ?? '';
  if (last === 'debian' || last === 'ubuntu') return 'debian';
  if (last === 'fedora') return 'fedora';
  if (last === 'alpine') return 'alpine';
  if (last === 'busybox') return 'busybox';
  return undefined;
}
