// The login user: the host's UID/GID by default, so files in bind mounts and the X socket line up.
import type { VmSpec } from '../src/vmspec/types.ts';
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
    case 'busybox':
      return busyboxUser(spec);
    case 'alpine':
      return [
        ...freeIds(uid, gid, 'deluser --remove-home'),
        `if [ -z "$group" ]; then addgroup -g ${gid} ${name}; group=${name}; fi`,
        `adduser -D -u ${uid} -G "$group" -s /bin/sh ${name}`,
      ];
  }
}

/**
 * busybox builds differ in their applets (Debian's has no adduser/addgroup): edit the account files
 * directly, which every busybox can do.
 */
function busyboxUser(spec: VmSpec): string[] {
  const { name, uid, gid } = spec.user;
  return [
    `old_user="$(awk -F: '$3 == ${uid} { print $1 }' /etc/passwd)"`,
    `if [ -n "$old_user" ]; then sed -i "/^$old_user:/d" /etc/passwd; rm -rf "/home/\${old_user:?}"; fi`,
    `if [ -n "$old_user" ] && [ -f /etc/shadow ]; then sed -i "/^$old_user:/d" /etc/shadow; fi`,
    `if ! awk -F: '$3 == ${gid} { found = 1 } END { exit !found }' /etc/group; then echo "${name}:x:${gid}:" >> /etc/group; fi`,
    `echo "${name}:x:${uid}:${gid}:${name}:/home/${name}:/bin/sh" >> /etc/passwd`,
    `if [ -f /etc/shadow ]; then echo "${name}:!:1::::::" >> /etc/shadow; fi`,
    `mkdir -p /home/${name}`,
    `chown ${uid}:${gid} /home/${name}`,
  ];
}

export function userLayer(spec: VmSpec): Contribution {
  const { name, uid, gid } = spec.user;
  const lines = createUser(spec);
  if (spec.user.sudo) {
    lines.push(`echo '${name} ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/${name}`, `chmod 0440 /etc/sudoers.d/${name}`);
  }
  return {
    layer: 'user',
    packages: spec.user.sudo ? { [spec.base.family]: ['sudo'] } : {},
    steps: [
      { comment: `the login user ${name} (UID ${uid}, GID ${gid})`, lines, phase: 'before-files' },
      {
        // COPY makes everything it writes root's, the home directory itself included when rootfs/ has
        // files for it (an authorized key, your dotfiles): the user could no longer write in it.
        comment: `rootfs/home/${name}/ is ${name}'s, whoever copied it`,
        lines: [`chown -R ${uid}:${gid} /home/${name}`],
        phase: 'after-files',
      },
    ],
  };
}
