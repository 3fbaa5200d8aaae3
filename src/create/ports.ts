// Host ports for a new VM, so that several VMs run side by side: --port-base and the per-port flags
// when given, otherwise the first "slot" (6080+k, 5901+k, 2222+k) whose ports are all free here and
// not claimed by another dockervm project. What this decides goes to .env, never into compose.yaml.
import { CLIError } from '../errors.ts';
import { SERVICE_PORTS } from '../vmspec/normalize.ts';
import type { PublishedPort, VmSpec } from '../vmspec/types.ts';
import type { Flags } from './context.ts';

type Key = 'novnc' | 'vnc' | 'ssh';

/** In this order --port-base numbers them: N for noVNC, N+1 for VNC, N+2 for SSH (those the VM has). */
const ORDER: { key: Key; variable: string; flag: string; needs: string }[] = [
  { key: 'novnc', variable: SERVICE_PORTS.novnc.variable, flag: '--novnc-port', needs: 'the novnc desktop (--desktop novnc)' },
  { key: 'vnc', variable: SERVICE_PORTS.vnc.variable, flag: '--vnc-port', needs: 'a VNC desktop (--desktop vnc or novnc)' },
  { key: 'ssh', variable: SERVICE_PORTS.sshd.variable, flag: '--ssh-port', needs: 'sshd (--service sshd)' },
];

/** How many slots to try before giving up and keeping the usual ports (with a warning). */
const SLOTS = 100;

export interface PortProbe {
  /** Nothing listens on the port at that address right now. */
  isFree(port: number, address: string): Promise<boolean>;
  /** Host ports published by other dockervm projects on the engine (port → project), empty without one. */
  claimed(): Promise<Map<number, string>>;
}

function portNumber(flag: string, text: string): number {
  const value = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(value >= 1 && value <= 65535)) throw new CLIError(`${flag} must be a port number from 1 to 65535 (got "${text}")`);
  return value;
}

/**
 * Pure: the host ports the flags fix, by .env variable, or one CLIError for a flag that does not
 * apply to this VM. Checked before any probing or network work.
 */
export function fixedPorts(ports: readonly PublishedPort[], flags: Flags['hostPorts']): Map<string, number> {
  const fixed = new Map<string, number>();
  const present = ORDER.filter((o) => ports.some((p) => p.variable === o.variable));
  if (flags.base !== undefined) {
    const base = portNumber('--port-base', flags.base);
    if (base + Math.max(present.length - 1, 0) > 65535) throw new CLIError(`--port-base ${base}: the VM needs ${present.length} ports from there, past 65535`);
    for (const [i, o] of present.entries()) fixed.set(o.variable, base + i);
  }
  for (const o of ORDER) {
    const text = flags[o.key];
    if (text === undefined) continue;
    const port = portNumber(o.flag, text);
    if (!present.includes(o)) throw new CLIError(`${o.flag}: this VM has no such port; it needs ${o.needs}`);
    fixed.set(o.variable, port);
  }
  for (const p of ports) if (!ORDER.some((o) => o.variable === p.variable)) fixed.set(p.variable, p.host);
  const seen = new Map<number, string>();
  for (const [variable, port] of fixed) {
    const other = seen.get(port);
    if (other) throw new CLIError(`host port ${port} is given twice (${other} and ${variable}): choose different ports`);
    seen.set(port, variable);
  }
  return fixed;
}

export interface ChosenPorts {
  ports: PublishedPort[];
  warnings: string[];
}

/** Who holds a port, for a warning; undefined when it is free for us. */
async function holder(port: number, address: string, probe: PortProbe, claimed: Map<number, string>): Promise<string | undefined> {
  const project = claimed.get(port);
  if (project) return `the dockervm project "${project}"`;
  return (await probe.isFree(port, address)) ? undefined : 'another program';
}

export async function choosePorts(spec: Pick<VmSpec, 'ports' | 'bindAddress'>, fixed: Map<string, number>, probe: PortProbe): Promise<ChosenPorts> {
  const claimed = await probe.claimed();
  const warnings: string[] = [];
  const automatic = spec.ports.filter((p) => !fixed.has(p.variable));
  const taken = new Set(fixed.values());
  let offset: number | undefined;
  for (let k = 0; k < SLOTS && automatic.length > 0; k++) {
    const candidates = automatic.map((p) => p.host + k);
    if (candidates.some((c) => c > 65535 || taken.has(c))) continue;
    const holders = await Promise.all(candidates.map((c) => holder(c, spec.bindAddress, probe, claimed)));
    if (holders.every((h) => h === undefined)) {
      offset = k;
      break;
    }
  }
  if (automatic.length > 0 && offset === undefined) {
    warnings.push(`no free set of ports near ${automatic.map((p) => p.host).join(', ')}: kept them; change them in .env before \`docker compose up\``);
  }
  const ports = spec.ports.map((p) => ({ ...p, host: fixed.get(p.variable) ?? p.host + (offset ?? 0) }));
  for (const p of ports.filter((q) => fixed.has(q.variable))) {
    const who = await holder(p.host, spec.bindAddress, probe, claimed);
    if (who) warnings.push(`port ${p.host} (${p.purpose}) is in use by ${who}: the VM cannot start while it is; ${p.variable} in .env changes it`);
  }
  return { ports, warnings };
}
