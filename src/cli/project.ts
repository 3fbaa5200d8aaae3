// Finds the dockervm project a command works on: the compose.yaml in --project-dir, or in the current
// directory or one of its parents, that has a top-level `name:` and a `vm` service labelled
// dev.dockervm.project=<name>. Everything else dockervm knows about a VM it asks the engine, by label.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { formatReference, InvalidReferenceError, parseReference } from '../registry/reference.ts';
import { CLIError } from '../spec/errors.ts';

export const PROJECT_LABEL = 'dev.dockervm.project';
export const COMPOSE_FILES = ['compose.yaml', 'compose.yml'] as const;

export type Persistence = 'rootfs' | 'volumes' | 'home' | 'none';
export type Desktop = 'novnc' | 'vnc' | 'xterm' | 'shell';

export interface PublishedPort {
  ip: string;
  host: number;
  container: number;
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
  ports: PublishedPort[];
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

export function loadProject(options: { projectDir?: string | undefined; cwd: string }): Project {
  const start = options.projectDir ? resolve(options.cwd, options.projectDir) : options.cwd;
  if (options.projectDir && !existsSync(start)) throw new CLIError(`--project-dir ${options.projectDir}: no such directory`);
  const file = options.projectDir ? COMPOSE_FILES.map((f) => join(start, f)).find((f) => existsSync(f)) : findComposeFile(start);
  if (!file) {
    throw new CLIError(`no dockervm project in ${start}${options.projectDir ? '' : ' or its parents'}: run this inside a project made by create-dockervm (or pass --project-dir DIR)`);
  }
  return parseProject(readFileSync(file, 'utf8'), file);
}

/** Pure: a Project from compose.yaml text. */
export function parseProject(text: string, file: string): Project {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new CLIError(`${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc)) throw new CLIError(`${file}: not a compose file`);
  const name = doc.name;
  if (typeof name !== 'string' || name === '') throw new CLIError(`${file}: no top-level \`name:\`; dockervm needs the project name (create-dockervm writes one)`);
  const services = isObject(doc.services) ? doc.services : {};
  const vm = services.vm;
  if (!isObject(vm) || labelsOf(vm)[PROJECT_LABEL] !== name) {
    throw new CLIError(`${file} is not a dockervm project: it needs a \`vm\` service labelled ${PROJECT_LABEL}: ${name} (made by create-dockervm)`);
  }
  const image = typeof vm.image === 'string' ? vm.image : `${name}-vm`;
  const volumes = Array.isArray(vm.volumes) ? vm.volumes : [];
  const mounts = volumes.map(volumeMount).filter((m) => m !== undefined);
  const named = mounts.filter((m) => m.type === 'volume' && m.source);
  const targets = new Set(named.map((m) => m.target));
  const persistence: Persistence = isObject(services['rootfs-init'])
    ? 'rootfs'
    : targets.has('/usr')
      ? 'volumes'
      : targets.has('/home')
        ? 'home'
        : 'none';
  const ports = (Array.isArray(vm.ports) ? vm.ports : []).map(parsePort).filter((p) => p !== undefined);
  const environment = isObject(vm.environment) ? vm.environment : {};
  const desktop: Desktop = ports.some((p) => p.container === 6080)
    ? 'novnc'
    : ports.some((p) => p.container === 5901)
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

/** `127.0.0.1:6080:6080`, `6080:6080`, `6080`, or the long form. */
export function parsePort(entry: unknown): PublishedPort | undefined {
  if (isObject(entry)) {
    const container = Number(entry.target);
    const host = Number(entry.published ?? entry.target);
    if (!Number.isInteger(container) || !Number.isInteger(host)) return undefined;
    return { ip: typeof entry.host_ip === 'string' ? entry.host_ip : '0.0.0.0', host, container };
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return undefined;
  const parts = String(entry).replace(/\/(tcp|udp)$/, '').split(':');
  const container = Number(parts.at(-1));
  const host = Number(parts.length >= 2 ? parts.at(-2) : parts.at(-1));
  const ip = parts.length >= 3 ? parts.slice(0, -2).join(':').replace(/^\[|\]$/g, '') : '0.0.0.0';
  if (!Number.isInteger(container) || !Number.isInteger(host)) return undefined;
  return { ip, host, container };
}
