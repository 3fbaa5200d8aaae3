// getContext is the only code that reads argv and the environment; every step gets what it needs from
// the Context it returns.
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { CLIError } from '../errors.ts';
import type { HostFacts } from '../vmspec/defaults.ts';
import { APPS, DESKTOPS, FAMILIES, PERSISTENCE_MODES, SERVICES, SUPERVISORS, WINDOW_MANAGERS } from '../vmspec/types.ts';
import type { App, Desktop, Family, Persistence, Service, Supervisor, WindowManager } from '../vmspec/types.ts';
import { DEFAULT_SHARE } from '../vmspec/share.ts';
import { CREATE_OPTIONS } from './options.ts';
import { packageManagerFrom, type PackageManager } from './package-manager.ts';

/** What the user gave as flags; undefined means "ask, or take the default". */
export interface Flags {
  directory?: string;
  name?: string;
  base?: string;
  family?: Family;
  desktop?: Desktop;
  windowManager?: WindowManager;
  apps?: App[];
  supervisor?: Supervisor | 'auto';
  services?: Service[];
  userName?: string;
  uid?: string;
  gid?: string;
  sudo?: boolean;
  persistence?: Persistence;
  packages?: string[];
  ports?: string[];
  bindAll?: boolean;
  sshKeyFile?: string;
  /** --share: the folder for ~/share (a bare --share is ./share). */
  share?: string;
  /** --audio / --no-audio; undefined: ask (browser desktops), else no. */
  audio?: boolean;
  /** --cert/--key: files of a TLS certificate for the browser desktop. */
  certFile?: string;
  keyFile?: string;
  /** --port-base and the per-port flags, as typed (checked in ports.ts, where the VM's ports are known). */
  hostPorts: { base?: string; novnc?: string; vnc?: string; ssh?: string };
}

export interface Context {
  flags: Flags;
  cwd: string;
  home: string | undefined;
  /** Ask questions (a TTY and no --yes). */
  interactive: boolean;
  yes: boolean;
  dryRun: boolean;
  overwrite: boolean;
  pin: boolean;
  /** --install / --no-install; undefined: ask (interactive), else yes. */
  install: boolean | undefined;
  /** The package manager that ran us (npm_config_user_agent), which installs the project too. */
  packageManager: PackageManager;
  registryMirror: string | undefined;
  pinTimeoutMs: number;
  color: boolean;
  host: HostFacts;
  showHelp: boolean;
  showVersion: boolean;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  return value === undefined ? undefined : member(flag, value, allowed);
}

function member<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CLIError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}

/** Repeatable flags also take comma-separated lists: --service sshd,cron. */
function splitList(values: string[] | undefined): string[] | undefined {
  return values
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * `--share` alone means ./share; a folder of your choice is `--share=DIR`, so the word after a bare
 * --share stays what it would be without it (the project directory, say).
 */
function withShareDefault(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, index) => (arg === '--share' && (end === -1 || index < end) ? `--share=${DEFAULT_SHARE}` : arg));
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: withShareDefault(argv), options: CREATE_OPTIONS, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    // parseArgs' messages are clear but long; keep the first sentence and point at --help.
    const message = (error as Error).message.split('. ')[0];
    throw new CLIError(`${message} (see --help)`);
  }
}

export function getContext(argv: string[], env: NodeJS.ProcessEnv, stdinIsTTY: boolean, cwd = process.cwd()): Context {
  const { values, positionals } = parse(argv);
  if (positionals.length > 1) {
    throw new CLIError(`expected one directory, got ${positionals.length}: ${positionals.join(' ')} (see --help)`);
  }
  const services = splitList(values.service);
  const apps = splitList(values.app);
  const flags: Flags = {
    directory: positionals[0],
    name: values.name,
    base: values.base,
    family: oneOf('family', values.family, FAMILIES),
    desktop: oneOf('desktop', values.desktop, DESKTOPS),
    windowManager: oneOf('wm', values.wm, WINDOW_MANAGERS),
    apps: apps?.map((a) => member('app', a, APPS)),
    supervisor: oneOf('supervisor', values.supervisor, ['auto', ...SUPERVISORS] as const),
    services: services?.map((s) => member('service', s, SERVICES)),
    userName: values.user,
    uid: values.uid,
    gid: values.gid,
    sudo: values.sudo,
    persistence: oneOf('persistence', values.persistence, PERSISTENCE_MODES),
    packages: splitList(values.package),
    ports: splitList(values.port),
    bindAll: values['bind-all'],
    sshKeyFile: values['ssh-key'],
    share: values.share,
    audio: values.audio,
    certFile: values.cert,
    keyFile: values.key,
    hostPorts: { base: values['port-base'], novnc: values['novnc-port'], vnc: values['vnc-port'], ssh: values['ssh-port'] },
  };
  const yes = values.yes ?? false;
  let user: { username: string } | undefined;
  try {
    user = userInfo();
  } catch {
    user = undefined; // no passwd entry for this UID (common in containers)
  }
  const timeout = Number(env.DOCKERVM_PIN_TIMEOUT_MS ?? 8000);
  return {
    flags,
    cwd,
    home: env.HOME,
    interactive: stdinIsTTY && !yes,
    yes,
    dryRun: values['dry-run'] ?? false,
    overwrite: values.overwrite ?? false,
    pin: values.pin ?? true,
    install: values.install,
    packageManager: packageManagerFrom(env.npm_config_user_agent),
    registryMirror: values['registry-mirror'] ?? (env.DOCKERVM_REGISTRY_MIRROR || undefined),
    pinTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 8000,
    color: !('NO_COLOR' in env) && !env.CI && env.TERM !== 'dumb',
    host: { uid: process.getuid?.(), gid: process.getgid?.(), userName: user?.username },
    showHelp: values.help ?? false,
    showVersion: values.version ?? false,
  };
}

export function targetDirectory(context: Pick<Context, 'cwd'>, directory: string): string {
  return resolve(context.cwd, directory);
}
