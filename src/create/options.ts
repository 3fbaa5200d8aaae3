// The scaffolder's flags: one table that drives parsing, --help and (later) the site's CLI reference.
import { BASE_PRESETS } from '../vmspec/bases.ts';
import { APPS, DESKTOPS, FAMILIES, PERSISTENCE_MODES, SERVICES, SUPERVISORS, WINDOW_MANAGERS } from '../vmspec/types.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in --help for string options. */
  value?: string;
  description: string;
}

const list = (values: readonly string[]) => values.join('|');

export const CREATE_OPTIONS = {
  name: { type: 'string', value: 'NAME', description: 'project name (compose project and image name); default: from the directory' },
  base: {
    type: 'string',
    value: 'BASE',
    description: `base image: ${BASE_PRESETS.map((b) => b.id).join(', ')}, or any image reference (e.g. ubuntu:22.04)`,
  },
  family: { type: 'string', value: list(FAMILIES), description: 'package family of a custom base image, when its name does not tell' },
  desktop: { type: 'string', value: list(DESKTOPS), description: 'shell only, xterm on the host X server, VNC, or VNC in the browser (default: novnc)' },
  wm: {
    type: 'string',
    value: list(WINDOW_MANAGERS),
    description: 'window manager or full desktop for vnc/novnc: pekwm (default, smallest), openbox, or xfce (panel, menu, file manager)',
  },
  app: { type: 'string', multiple: true, value: list(APPS), description: 'web browsers for the vnc/novnc desktop, repeatable or comma-separated' },
  supervisor: { type: 'string', value: `auto|${list(SUPERVISORS)}`, description: 'process supervision (auto: supervisord when more than one process)' },
  service: { type: 'string', multiple: true, value: list(SERVICES), description: 'host-like services, repeatable or comma-separated' },
  user: { type: 'string', value: 'NAME', description: 'login user (default: dev)' },
  uid: { type: 'string', value: 'UID', description: "login user's UID (default: yours, or 1000 as root)" },
  gid: { type: 'string', value: 'GID', description: "login user's GID (default: yours, or 1000 as root)" },
  sudo: { type: 'boolean', description: 'passwordless sudo for the user (default: yes; --no-sudo to refuse)' },
  persistence: { type: 'string', value: list(PERSISTENCE_MODES), description: 'what survives docker compose down (default: rootfs, the whole disk)' },
  package: { type: 'string', multiple: true, value: 'PKG', description: 'extra OS packages, repeatable or comma-separated' },
  port: { type: 'string', multiple: true, value: 'PORT[:CONTAINER]', description: 'extra published port, repeatable' },
  'port-base': {
    type: 'string',
    value: 'N',
    description: 'host ports N, N+1, N+2 for noVNC, VNC and SSH (those the VM has); default: free ones from 6080, 5901, 2222',
  },
  'novnc-port': { type: 'string', value: 'PORT', description: 'host port for the noVNC desktop (written to .env as DOCKERVM_NOVNC_PORT)' },
  'vnc-port': { type: 'string', value: 'PORT', description: 'host port for VNC clients (DOCKERVM_VNC_PORT in .env)' },
  'ssh-port': { type: 'string', value: 'PORT', description: 'host port for ssh (DOCKERVM_SSH_PORT in .env)' },
  'bind-all': {
    type: 'boolean',
    description:
      'publish on all interfaces (reachable from the network): the browser desktop then speaks TLS only, behind a long password; raw VNC stays on 127.0.0.1',
  },
  cert: {
    type: 'string',
    value: 'FILE',
    description: 'TLS certificate (PEM) for the browser desktop, with --key (default with --bind-all: one made in the VM)',
  },
  key: { type: 'string', value: 'FILE', description: 'private key (PEM) of --cert' },
  share: {
    type: 'string',
    value: '[=DIR]',
    description: 'bind-mount a host folder at ~/share (--share alone: ./share, made here and git-ignored; --share=DIR for another)',
  },
  audio: {
    type: 'boolean',
    description: "sound in the browser desktop: PulseAudio in the VM, played by the page's Sound button (novnc; default: no, +50 MB)",
  },
  'ssh-key': { type: 'string', value: 'FILE', description: 'public key to authorize for ssh (default: ~/.ssh/id_ed25519.pub or id_rsa.pub)' },
  pin: { type: 'boolean', description: 'pin the base image to its registry digest (default: yes; --no-pin to skip)' },
  'registry-mirror': { type: 'string', value: 'URL', description: 'registry to resolve Docker Hub digests from (env DOCKERVM_REGISTRY_MIRROR)' },
  install: {
    type: 'boolean',
    description: "install the project's dependencies (its own dockervm CLI) with the package manager that runs this (default: yes; --no-install to skip)",
  },
  'dry-run': { type: 'boolean', description: 'print the files that would be written, write nothing' },
  overwrite: { type: 'boolean', description: 'write into a non-empty directory (same-named files are replaced)' },
  yes: { type: 'boolean', short: 'y', description: 'accept the defaults for every question not given as a flag' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  version: { type: 'boolean', short: 'v', description: 'show the version' },
} satisfies Record<string, OptionSpec>;

export type CreateOptionName = keyof typeof CREATE_OPTIONS;

export function helpText(command: string, version: string): string {
  const rows = Object.entries(CREATE_OPTIONS as Record<string, OptionSpec>).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ` ${option.value}` : ''}`;
    return `  ${flag.padEnd(36)} ${option.description}`;
  });
  return [
    `${command} ${version}: scaffold a Docker container that works like a lightweight VM`,
    '',
    `Usage: ${command} [directory] [options]`,
    '',
    'Asks for anything not given as a flag (or takes the defaults with --yes), then writes a project:',
    'Dockerfile, compose.yaml, rootfs/, README.md. Nothing is written until everything is decided.',
    '',
    'Options:',
    ...rows,
    '',
    'Examples:',
    `  ${command} my-vm --yes`,
    `  ${command} lab --desktop vnc --service sshd --service cron --persistence volumes`,
    `  ${command} desk --wm xfce --app firefox --yes`,
    `  ${command} tiny --base alpine --desktop shell --package curl --yes`,
    '',
    'Exit codes: 0 done, 1 error, 130 cancelled.',
  ].join('\n');
}
