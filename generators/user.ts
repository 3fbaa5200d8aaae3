// The login user: the host's UID/GID by default, so files in bind mounts and the X socket line up.
import type { VmSpec } from '../src/spec/types.ts';
import type { Contribution } from './contribution.ts';

/** Shell lines that free the UID/GID if the base image already uses them (ubuntu:24.04 has uid 1000). */
function freeIds(uid: number, gid: number, removeUser: string): string[] {
  return [
    `old_user="$(awk -F: '$3 == ${uid} { print $1 }' /etc/passwd)"`,
    `if [ -n "$old_user" ]; then ${removeUser} "$old_user"; fi`,
    `group="$(awk -F: '$3 == ${gid} { print $1 }' /etc/group)"`,
  ];
}

function createUser(spec: VmSpec): string[] {
  const { name, uid, gid } = spec.user;
  switch (spec.base.family) {
    case 'debian':
    case 'fedora':
      return [
        ...freeIds(uid, gid, 'userdel --remove'),
        `if [ -z "$group" ]; then groupadd --gid ${gid} ${name}; group=${name}; fi`,
        // --no-log-init: a high UID would otherwise make /var/log/lastlog a huge sparse file.
        `useradd --no-log-init --uid ${uid} --gid "$group" --create-home --shell /bin/bash ${name}`,
      ];
    case 'alpine':
    case 'busybox':
      return [
        ...freeIds(uid, gid, 'deluser --remove-home'),
        `if [ -z "$group" ]; then addgroup -g ${gid} ${name}; group=${name}; fi`,
        `adduser -D -u ${uid} -G "$group" -s /bin/sh ${name}`,
      ];
  }
}

export function userLayer(spec: VmSpec): Contribution {
  const { name } = spec.user;
  const lines = createUser(spec);
  if (spec.user.sudo) {
    lines.push(`echo '${name} ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/${name}`, `chmod 0440 /etc/sudoers.d/${name}`);
  }
  return {
    layer: 'user',
    packages: spec.user.sudo ? { [spec.base.family]: ['sudo'] } : {},
    steps: [{ comment: `the login user ${name} (UID ${spec.user.uid}, GID ${spec.user.gid})`, lines, phase: 'before-files' }],
  };
}
