// Complete answers → a validated VmSpec, or one CLIError naming every problem found. Pure.
import { basename, resolve } from 'node:path';
import { parseReference } from '../registry/reference.ts';
import { BASE_PRESETS, familyOfRepository, INIT_SOURCE_REFERENCE } from './bases.ts';
import { VM_PORT } from '../constants.ts';
import { CLIError } from '../errors.ts';
import type { Answers } from './answers.ts';
import { processNames, resolveSupervisor } from './processes.ts';
import { decideRemoteAccess } from './remote-access.ts';
import { resolveShare } from './share.ts';
import type { App, BaseImage, Desktop, PublishedPort, Service, Supervisor, VmSpec, WindowManager } from './types.ts';
import { checkId, checkPackageName, checkProjectName, checkUserName, parsePort, projectNameFromDirectory } from './validate.ts';

/** Ports the desktop and services publish; host port = container port unless noted. */
export const SERVICE_PORTS = {
  vnc: { host: 5901, container: VM_PORT.vnc, purpose: 'VNC (desktop for a VNC client)', variable: 'DOCKERVM_VNC_PORT' },
  novnc: { host: 6080, container: VM_PORT.novnc, purpose: 'noVNC (desktop in the browser)', variable: 'DOCKERVM_NOVNC_PORT' },
  sshd: { host: 2222, container: VM_PORT.ssh, purpose: 'SSH', variable: 'DOCKERVM_SSH_PORT' },
} as const satisfies Record<string, PublishedPort>;

/** The `.env` variable for an extra `--port`: named after the port inside, which is unique. */
export const extraPortVariable = (container: number) => `DOCKERVM_PORT_${container}`;

export function resolveBase(base: string, family: Answers['family']): BaseImage | string {
  const preset = BASE_PRESETS.find((p) => p.id === base);
  if (preset) return { reference: preset.reference, family: family ?? preset.family };
  let parsed;
  try {
    parsed = parseReference(base);
  } catch (error) {
    return (error as Error).message;
  }
  if (parsed.digest) {
    return `base "${base}" already has a digest: give the tag (e.g. ${parsed.familiar.split('@')[0]}); the digest is resolved and pinned for you`;
  }
  const detected = familyOfRepository(parsed.path);
  const chosen = family ?? detected;
  if (!chosen) {
    return `cannot tell which package manager "${base}" uses: add --family debian|fedora|alpine|busybox`;
  }
  return { reference: base.trim(), family: chosen };
}

function defaultDesktop(base: BaseImage): Desktop {
  return base.family === 'busybox' ? 'shell' : 'novnc';
}

function defaultWindowManager(desktop: Desktop): WindowManager {
  return desktop === 'vnc' || desktop === 'novnc' ? 'pekwm' : 'none';
}

/**
 * `cwd`: the directory a relative target is relative to (the caller's: this module reads nothing of
 * the process, so it runs unchanged in the site's configurator).
 */
export function normalizeAnswers(answers: Answers, generatorVersion: string, cwd = '/'): VmSpec {
  const problems: string[] = [];
  const note = (problem: string | undefined) => {
    if (problem) problems.push(problem);
  };

  const directoryName = basename(resolve(cwd, answers.directory));
  const name = answers.name ?? projectNameFromDirectory(directoryName);
  if (name === undefined) {
    problems.push(`cannot make a project name out of directory "${directoryName}": add --name (lowercase letters, digits, "-")`);
  } else {
    note(checkProjectName(name));
  }

  const baseOrProblem = resolveBase(answers.base, answers.family);
  const base: BaseImage = typeof baseOrProblem === 'string' ? { reference: answers.base, family: 'debian' } : baseOrProblem;
  if (typeof baseOrProblem === 'string') problems.push(baseOrProblem);
  const busybox = base.family === 'busybox';

  const desktop = answers.desktop ?? defaultDesktop(base);
  const windowManager = answers.windowManager ?? defaultWindowManager(desktop);
  if (busybox && desktop !== 'shell') problems.push(`busybox has no packages for a desktop: use --desktop shell or another base`);
  if (windowManager !== 'none' && desktop !== 'vnc' && desktop !== 'novnc') {
    problems.push(`a window manager needs the vnc or novnc desktop (the xterm desktop uses the host's window manager)`);
  }
  const apps = [...new Set(answers.apps)].sort() as App[];
  note(appsProblem(apps, desktop, base));
  if (busybox && answers.services.length > 0) problems.push(`busybox cannot run ${answers.services.join(', ')}: choose another base`);

  const sudo = answers.sudo ?? !busybox;
  if (busybox && sudo) problems.push('busybox has no sudo: use --no-sudo or another base');

  note(checkUserName(answers.userName));
  note(checkId('UID', answers.uid));
  note(checkId('GID', answers.gid));
  for (const pkg of answers.packages) note(checkPackageName(base.family, pkg));

  const services = [...new Set(answers.services)].sort() as Service[];
  const ports = publishedPorts(desktop, services, answers.ports, problems);
  const supervisor = resolveSupervisor(answers.supervisor, processNames({ desktop, windowManager, services, audio: answers.audio }), base.family);
  if (typeof supervisor !== 'string') problems.push(supervisor.problem);

  const remoteAccess = decideRemoteAccess(desktop, answers, problems);
  if (answers.bindAll) for (const port of ports) if (port.container === SERVICE_PORTS.vnc.container) port.loopbackOnly = true;
  // The browser page is what plays the sound: a VNC client or the host's X server would not.
  if (answers.audio && desktop !== 'novnc')
    problems.push(`--audio plays the VM's sound in the browser desktop: it needs --desktop novnc (this VM's desktop is ${desktop})`);
  const share = answers.share === undefined ? undefined : resolveShare(answers.share);
  if (typeof share === 'string') problems.push(share);

  // No name always came with a problem.
  if (problems.length > 0 || name === undefined) throw new CLIError(problems.join('\n'));
  const initSource = busybox ? { reference: INIT_SOURCE_REFERENCE, family: 'debian' as const } : undefined;
  return {
    name,
    base,
    ...(initSource ? { initSource } : {}),
    desktop,
    windowManager,
    apps,
    supervisor: supervisor as Supervisor,
    services,
    user: { name: answers.userName, uid: Number(answers.uid), gid: Number(answers.gid), sudo },
    persistence: answers.persistence,
    packages: [...new Set(answers.packages)],
    ports,
    bindAddress: answers.bindAll ? '0.0.0.0' : '127.0.0.1',
    ...(answers.sshPublicKey ? { sshPublicKey: answers.sshPublicKey.trim() } : {}),
    ...(typeof share === 'object' ? { share } : {}),
    ...(remoteAccess ? { remoteAccess } : {}),
    ...(answers.audio && desktop === 'novnc' ? { audio: true as const } : {}),
    generatorVersion,
  };
}

/** Ubuntu ships Firefox and Chromium only as snaps, which need snapd and systemd: nothing a container runs. */
export function isUbuntu(base: BaseImage): boolean {
  try {
    return parseReference(base.reference).path.split('/').pop() === 'ubuntu';
  } catch {
    return false;
  }
}

function appsProblem(apps: App[], desktop: Desktop, base: BaseImage): string | undefined {
  if (apps.length === 0) return undefined;
  if (desktop !== 'vnc' && desktop !== 'novnc') return `--app ${apps.join(',')} needs the vnc or novnc desktop (add --desktop novnc)`;
  if (isUbuntu(base)) {
    return `Ubuntu packages ${apps.join(' and ')} only as a snap, which does not run in a container: use --base debian (Firefox ESR, Chromium) or fedora`;
  }
  return undefined;
}

function publishedPorts(desktop: Desktop, services: Service[], extra: string[], problems: string[]): PublishedPort[] {
  const ports: PublishedPort[] = [];
  if (desktop === 'vnc' || desktop === 'novnc') ports.push({ ...SERVICE_PORTS.vnc });
  if (desktop === 'novnc') ports.push({ ...SERVICE_PORTS.novnc });
  if (services.includes('sshd')) ports.push({ ...SERVICE_PORTS.sshd });
  for (const text of extra) {
    const parsed = parsePort(text);
    if (typeof parsed === 'string') {
      problems.push(parsed);
      continue;
    }
    const clash = ports.find((p) => p.host === parsed.host || p.container === parsed.container);
    if (clash) {
      problems.push(`port "${text}" is already published for ${clash.purpose} (${clash.host}:${clash.container})`);
      continue;
    }
    ports.push({ ...parsed, purpose: 'your service', variable: extraPortVariable(parsed.container) });
  }
  return ports;
}
