// The host-like services: sshd, cron and syslog, each a supervised daemon running as root.
import { VM_PORT } from '../src/constants.ts';
import type { Family, Service, VmSpec } from '../src/vmspec/types.ts';
import type { Contribution, ProjectFile } from './contribution.ts';

interface ServiceRecipe {
  packages: string[];
  command: string[];
}

const RECIPES: Record<Service, Partial<Record<Family, ServiceRecipe>>> = {
  sshd: {
    debian: { packages: ['openssh-server'], command: ['/usr/sbin/sshd', '-D', '-e'] },
    fedora: { packages: ['openssh-server'], command: ['/usr/sbin/sshd', '-D', '-e'] },
    alpine: { packages: ['openssh-server'], command: ['/usr/sbin/sshd', '-D', '-e'] },
  },
  cron: {
    debian: { packages: ['cron'], command: ['cron', '-f'] },
    fedora: { packages: ['cronie'], command: ['crond', '-n'] },
    alpine: { packages: [], command: ['crond', '-f'] },
  },
  syslog: {
    // busybox's syslogd: a few hundred KB instead of rsyslog, and no kernel log module to fail on.
    debian: { packages: ['busybox'], command: ['busybox', 'syslogd', '-n', '-O', '/var/log/messages'] },
    fedora: { packages: ['rsyslog'], command: ['rsyslogd', '-n', '-iNONE'] },
    alpine: { packages: [], command: ['syslogd', '-n', '-O', '/var/log/messages'] },
  },
};

function recipe(service: Service, family: Family): ServiceRecipe {
  const found = RECIPES[service][family];
  if (!found) throw new Error(`${service} is not available on ${family}`);
  return found;
}

export function serviceLayers(spec: VmSpec): Contribution[] {
  return spec.services.map((service) => {
    const { packages, command } = recipe(service, spec.base.family);
    const contribution: Contribution = {
      layer: `service:${service}`,
      packages: { [spec.base.family]: packages },
      programs: [{ name: service, command, runAs: 'root', priority: 5 }],
    };
    return service === 'sshd' ? { ...contribution, ...sshd(spec) } : contribution;
  });
}

function sshd(spec: VmSpec): Partial<Contribution> {
  const { name } = spec.user;
  const files: ProjectFile[] = [{ path: 'rootfs/etc/ssh/sshd_config.d/dockervm.conf', mode: 0o644, template: 'rootfs/sshd.conf.hbs', data: { user: name } }];
  const lines = ['mkdir -p /run/sshd', 'chmod 0755 /run/sshd'];
  if (spec.base.family === 'alpine') {
    // Without PAM, OpenSSH refuses key logins to a locked ("!") account: mark it "no password" instead.
    lines.push(`sed -i 's/^${name}:!:/${name}:*:/' /etc/shadow`);
  }
  if (spec.sshPublicKey) {
    files.push({ path: `rootfs/home/${name}/.ssh/authorized_keys`, mode: 0o600, content: `${spec.sshPublicKey}\n` });
    // The user layer gives the home back to the user after COPY; sshd also wants ~/.ssh private.
    lines.push(`chmod 0700 /home/${name}/.ssh`);
  }
  return {
    // Debian's package makes host keys at install time: they would be shared by every VM of the image.
    installHooks: ['rm -f /etc/ssh/ssh_host_*'],
    files,
    steps: [{ comment: 'sshd: privilege separation directory and the authorized key', lines, phase: 'after-files' }],
    listens: [VM_PORT.ssh],
  };
}
