// Lints a compose file for the mistakes that matter when a container is run like a VM. Lines come
// from the YAML node ranges, so findings point at the exact list item or key.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import type { RuleMeta } from './types.ts';
import { cleanPath } from './words.ts';

export interface ComposeHit {
  code: string;
  line: number;
  message: string;
}

export const COMPOSE_RULES: readonly RuleMeta[] = [
  { code: 'DVM100', severity: 'error', message: 'The compose file is not valid YAML' },
  {
    code: 'DVM101',
    severity: 'warning',
    message: 'the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion',
  },
  { code: 'DVM102', severity: 'error', message: "A mount targets '/': the engine refuses it (destination can't be '/')" },
  { code: 'DVM103', severity: 'warning', message: 'A port is published on all interfaces; bind it to 127.0.0.1' },
  { code: 'DVM104', severity: 'warning', message: 'The container gets root-equivalent access to the host' },
];

const DOCKER_SOCKETS = new Set(['/var/run/docker.sock', '/run/docker.sock']);
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]', '']);

export function checkCompose(text: string): ComposeHit[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const lineOf = (node: Node | Pair | null | undefined): number => {
    const key = node && 'key' in node ? (node.key as Node | null) : (node as Node | null | undefined);
    const start = key?.range?.[0];
    return start === undefined ? 1 : lc.linePos(start).line;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    return [{ code: 'DVM100', line: e.linePos?.[0]?.line ?? 1, message: `The compose file is not valid YAML: ${e.message.split('\n')[0]}` }];
  }
  const root = doc.contents;
  if (!isMap(root)) return [];
  const hits: ComposeHit[] = [];
  const version = pairOf(root, 'version');
  if (version) hits.push({ code: 'DVM101', line: lineOf(version), message: COMPOSE_RULES[1]!.message });

  const services = pairOf(root, 'services')?.value;
  if (!isMap(services)) return hits;
  for (const svc of services.items) {
    const name = isScalar(svc.key) ? String(svc.key.value) : '?';
    const body = svc.value;
    if (!isMap(body)) continue;
    const privileged = pairOf(body, 'privileged');
    if (isScalar(privileged?.value) && privileged.value.value === true) {
      hits.push({
        code: 'DVM104',
        line: lineOf(privileged),
        message: `service "${name}": privileged: true gives the container every capability and all host devices`,
      });
    }
    for (const item of seqItems(body, 'volumes')) hits.push(...checkVolume(name, item, lineOf(item)));
    for (const item of seqItems(body, 'tmpfs')) {
      const target = isScalar(item) ? String(item.value).split(':')[0]! : '';
      if (target && cleanPath(target) === '/') hits.push(rootMount(name, 'tmpfs', target, lineOf(item)));
    }
    const tmpfs = pairOf(body, 'tmpfs')?.value;
    if (isScalar(tmpfs) && cleanPath(String(tmpfs.value).split(':')[0]!) === '/') {
      hits.push(rootMount(name, 'tmpfs', String(tmpfs.value), lineOf(tmpfs)));
    }
    for (const item of seqItems(body, 'ports')) {
      const open = openPort(item);
      if (open) {
        hits.push({
          code: 'DVM103',
          line: lineOf(item),
          message: `service "${name}": port ${open} is published on all interfaces, reachable by anyone who can reach this host (Docker's rules bypass ufw/firewalld); bind it to 127.0.0.1 unless it must be public`,
        });
      }
    }
  }
  return hits;
}

function pairOf(map: YAMLMap, key: string): Pair<unknown, unknown> | undefined {
  return (map.items as Pair<unknown, unknown>[]).find((p) => isScalar(p.key) && p.key.value === key);
}

function seqItems(map: YAMLMap, key: string): Node[] {
  const v = pairOf(map, key)?.value;
  return isSeq(v) ? (v.items as Node[]) : [];
}

function str(map: YAMLMap, key: string): string | undefined {
  const v = pairOf(map, key)?.value;
  return isScalar(v) && v.value !== null ? String(v.value) : undefined;
}

function rootMount(service: string, type: string, spec: string, line: number): ComposeHit {
  return {
    code: 'DVM102',
    line,
    message: `service "${service}": ${type} "${spec}" targets '/'; the engine refuses it: invalid mount config for type "${type}": invalid specification: destination can't be '/'`,
  };
}

/** Short `[SOURCE:]TARGET[:MODE]` or long `{type, source, target}` syntax. */
function checkVolume(service: string, item: Node, line: number): ComposeHit[] {
  let source: string | undefined;
  let target: string | undefined;
  let type: string;
  let spec: string;
  if (isScalar(item)) {
    spec = String(item.value);
    const parts = spec.split(':');
    [source, target] = parts.length === 1 ? [undefined, parts[0]] : [parts[0], parts[1]];
    type = source && /^[./~]/.test(source) ? 'bind' : 'volume';
  } else if (isMap(item)) {
    source = str(item, 'source');
    target = str(item, 'target');
    type = str(item, 'type') ?? 'volume';
    spec = `${source ?? ''}:${target ?? ''}`;
  } else return [];
  const hits: ComposeHit[] = [];
  if (target !== undefined && target !== '' && cleanPath(target) === '/') hits.push(rootMount(service, type, spec, line));
  if (source !== undefined && DOCKER_SOCKETS.has(cleanPath(source))) {
    hits.push({
      code: 'DVM104',
      line,
      message: `service "${service}": mounting ${source} lets the container control the Docker engine, which is root on the host`,
    });
  }
  return hits;
}

/** The port spec when it is published on every interface, otherwise undefined. */
function openPort(item: Node): string | undefined {
  if (isMap(item)) {
    const target = str(item, 'target') ?? '?';
    const hostIp = str(item, 'host_ip');
    return hostIp === undefined || ANY_ADDRESS.has(hostIp) ? `${str(item, 'published') ?? ''}:${target}`.replace(/^:/, '') : undefined;
  }
  if (!isScalar(item) || item.value === null) return undefined;
  const spec = String(item.value);
  const bare = spec.replace(/\/(?:tcp|udp|sctp)$/i, '');
  let ip: string | undefined;
  if (bare.startsWith('[')) ip = bare.slice(0, bare.indexOf(']') + 1);
  else {
    const parts = bare.split(':');
    // IP:HOST:CONTAINER has three parts; HOST:CONTAINER and CONTAINER have none.
    if (parts.length >= 3) ip = parts[0];
  }
  return ip === undefined || ANY_ADDRESS.has(ip) ? spec : undefined;
}
