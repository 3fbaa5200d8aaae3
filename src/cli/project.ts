// Finds the dockervm project a command works on: the compose.yaml in --project-dir, or in the current
// directory or one of its parents, that has a top-level `name:` and a `vm` service labelled
// dev.dockervm.project=<name>. Everything else dockervm knows about a VM it asks the engine, by label.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { LABEL, ROOTFS, VM_PORT } from '../constants.ts';
import { formatReference, InvalidReferenceError, parseReference } from '../registry/reference.ts';
import { CLIError } from '../errors.ts';
import type { Desktop, Persistence, PublishedPort } from '../vmspec/types.ts';
import { composeVariables, interpolate, variableOf, type Lookup } from './dotenv.ts';

export const COMPOSE_FILES = ['compose.yaml', 'compose.yml'] as const;

/**
 * A port the vm service publishes, read back from compose.yaml: the scaffolder's PublishedPort with its
 * bind address, and without the purpose (compose.yaml keeps that only as a comment).
 */
export interface ProjectPort extends Pick<PublishedPort, 'host' | 'container'> {
  ip: string;
  /** The variable the host port comes from (`${DOCKERVM_NOVNC_PORT:-6080}`: set in .env); none for a port written by hand. */
  variable?: PublishedPort['variable'];
}

export interface Project {
  dir: string;
  composeFile: string;
  name: string;
  /** The compose service that is the VM. */
  service: string;
  /** The image compose builds and runs for it, e.g. `dockervm/my-vm:latest`. */
  image: string;
  /** That image's repository, e.g. `dockervm/my-vm`: snapshots are tags in it. */
  repository: string;
  persistence: Persistence;
  desktop: Desktop;
  ports: ProjectPort[];
  /** Compose keys of the named volumes the VM mounts (e.g. `rootfs`). */
  volumeKeys: string[];
}

type Yaml = Record<string, unknown>;
const isObject = (value: unknown): value is Yaml => typeof value === 'object' && value !== null && !Array.isArray(value);

export function findComposeFile(start: string): string | undefined {
  for (let dir = resolve(start), depth = 0; depth < 64; depth++) {
    for (const file of COMPOSE_FILES) {
      const candidate = join(dir, file);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** `env`: the environment compose would see (it overrides .env, as in compose). */
export function loadProject(options: { projectDir?: string | undefined; cwd: string; env?: NodeJS.ProcessEnv }): Project {
  const start = options.projectDir ? resolve(options.cwd, options.projectDir) : options.cwd;
  if (options.projectDir && !existsSync(start)) throw new CLIError(`--project-dir ${options.projectDir}: no such directory`);
  const file = options.projectDir ? COMPOSE_FILES.map((f) => join(start, f)).find((f) => existsSync(f)) : findComposeFile(start);
  if (!file) {
    throw new CLIError(
      `no dockervm project in ${start}${options.projectDir ? '' : ' or its parents'}: run this inside a project made by create-dockervm (or pass --project-dir DIR)`,
    );
  }
  return parseProject(readFileSync(file, 'utf8'), file, composeVariables(dirname(file), options.env ?? {}));
}

/** Pure: a Project from compose.yaml text; `lookup` gives the variables compose substitutes. */
export function parseProject(text: string, file: string, lookup: Lookup = () => undefined): Project {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new CLIError(`${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc)) throw new CLIError(`${file}: not a compose file`);
  const name = doc.name;
  if (typeof name !== 'string' || name === '')
    throw new CLIError(`${file}: no top-level \`name:\`; dockervm needs the project name (create-dockervm writes one)`);
  const services = isObject(doc.services) ? doc.services : {};
  const vm = services.vm;
  if (!isObject(vm) || labelsOf(vm)[LABEL.project] !== name) {
    throw new CLIError(`${file} is not a dockervm project: it needs a \`vm\` service labelled ${LABEL.project}: ${name} (made by create-dockervm)`);
  }
  const image = typeof vm.image === 'string' ? vm.image : `${name}-vm`;
  const volumes = Array.isArray(vm.volumes) ? vm.volumes : [];
  const mounts = volumes.map(volumeMount).filter((m) => m !== undefined);
  const named = mounts.filter((m) => m.type === 'volume' && m.source);
  const targets = new Set(named.map((m) => m.target));
  const persistence: Persistence = isObject(services[ROOTFS.seedService]) ? 'rootfs' : targets.has('/usr') ? 'volumes' : targets.has('/home') ? 'home' : 'none';
  const ports = (Array.isArray(vm.ports) ? vm.ports : []).map((entry) => parsePort(entry, lookup)).filter((p) => p !== undefined);
  const environment = isObject(vm.environment) ? vm.environment : {};
  const desktop: Desktop = ports.some((p) => p.container === VM_PORT.novnc)
    ? 'novnc'
    : ports.some((p) => p.container === VM_PORT.vnc)
      ? 'vnc'
      : 'DISPLAY' in environment
        ? 'xterm'
        : 'shell';
  return {
    dir: dirname(file),
    composeFile: file,
    name,
    service: 'vm',
    image,
    repository: repositoryOf(image, file),
    persistence,
    desktop,
    ports,
    volumeKeys: [...new Set(named.map((m) => m.source as string))],
  };
}

/** `dockervm/my-vm:latest` → `dockervm/my-vm`, spelled the way the engine lists its tags. */
export function repositoryOf(image: string, file = 'compose.yaml'): string {
  try {
    const { domain, path } = parseReference(image);
    return formatReference({ domain, path });
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw new CLIError(`${file}: the vm service's image: ${error.message}`);
    throw error;
  }
}

function labelsOf(service: Yaml): Record<string, string> {
  const labels = service.labels;
  if (isObject(labels)) return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
  if (Array.isArray(labels)) {
    return Object.fromEntries(labels.map((l) => String(l).split(/=(.*)/s)).map(([k, v]) => [k ?? '', v ?? '']));
  }
  return {};
}

interface Mount {
  type: string;
  source: string | undefined;
  target: string;
}

function volumeMount(entry: unknown): Mount | undefined {
  if (isObject(entry)) {
    return { type: String(entry.type ?? 'volume'), source: entry.source === undefined ? undefined : String(entry.source), target: String(entry.target ?? '') };
  }
  if (typeof entry !== 'string') return undefined;
  const [source, target] = entry.split(':');
  if (target === undefined) return { type: 'volume', source: undefined, target: source ?? '' };
  const bind = source?.startsWith('/') || source?.startsWith('.') || source?.startsWith('~');
  return { type: bind ? 'bind' : 'volume', source, target };
}

/** `127.0.0.1:6080:6080`, `127.0.0.1:${VAR:-6080}:6080`, `6080:6080`, `6080`, or the long form. */
export function parsePort(entry: unknown, lookup: Lookup = () => undefined): ProjectPort | undefined {
  if (isObject(entry)) {
    const published = entry.published ?? entry.target;
    const container = Number(typeof entry.target === 'string' ? interpolate(entry.target, lookup) : entry.target);
    const host = Number(typeof published === 'string' ? interpolate(published, lookup) : published);
    if (!Number.isInteger(container) || !Number.isInteger(host)) return undefined;
    const variable = typeof entry.published === 'string' ? variableOf(entry.published) : undefined;
    return { ip: typeof entry.host_ip === 'string' ? entry.host_ip : '0.0.0.0', host, container, ...(variable ? { variable } : {}) };
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return undefined;
  // The host part's variable, read before substitution: `…:${NAME:-6080}:6080`.
  const variable = typeof entry === 'string' ? /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}:[^:]+$/.exec(entry)?.[1] : undefined;
  const parts = interpolate(String(entry), lookup)
    .replace(/\/(tcp|udp)$/, '')
    .split(':');
  const container = Number(parts.at(-1));
  const host = Number(parts.length >= 2 ? parts.at(-2) : parts.at(-1));
  const ip =
    parts.length >= 3
      ? parts
          .slice(0, -2)
          .join(':')
          .replace(/^\[|\]$/g, '')
      : '0.0.0.0';
  // An unset variable without a default leaves the host part empty: no port compose could publish.
  if (!Number.isInteger(container) || !Number.isInteger(host) || host <= 0 || container <= 0) return undefined;
  return { ip, host, container, ...(variable ? { variable } : {}) };
}
