// What a variant's VM should do, from the same spec the CLI builds from its flags: which checks
// apply (desktop, services, supervisor, persistence) and with which values (user, UID, GID, sudo).
import { generate } from '../../generators/index.ts';
import type { VmSpec } from '../../src/vmspec/types.ts';
import { specFromArgs } from './render.ts';

export interface Expectations {
  spec: VmSpec;
  user: { name: string; uid: number; gid: number; sudo: boolean };
  /** supervisord, runit, or none (tini runs the one program, or idles). */
  supervisor: string;
  programs: string[];
  /** PID 1's supervisor runs as root (a root daemon such as sshd): the image's USER is root. */
  runsAsRoot: boolean;
  vnc: boolean;
  novnc: boolean;
  xterm: boolean;
  sshd: boolean;
  /** apt is the package manager inside the VM. */
  apt: boolean;
  persistence: VmSpec['persistence'];
  /** /etc and /usr (installed packages) survive down + up. */
  systemSurvives: boolean;
  /** /home survives down + up. */
  homeSurvives: boolean;
}

export async function expectationsFor(name: string, args: string[]): Promise<Expectations> {
  const spec = await specFromArgs(name, args);
  const generated = generate(spec);
  const programs = generated.contributions.flatMap((c) => c.programs ?? []).map((p) => p.name);
  const persistence = spec.persistence;
  return {
    spec,
    user: spec.user,
    supervisor: generated.supervision.supervisor,
    programs,
    runsAsRoot: generated.supervision.runsAsRoot,
    vnc: spec.desktop === 'vnc' || spec.desktop === 'novnc',
    novnc: spec.desktop === 'novnc',
    xterm: spec.desktop === 'xterm',
    sshd: spec.services.includes('sshd'),
    apt: spec.base.family === 'debian',
    persistence,
    systemSurvives: persistence === 'rootfs' || persistence === 'volumes',
    homeSurvives: persistence !== 'none',
  };
}

/** The process to kill to show supervision works, and how to recognise it with pgrep -x. */
export function restartTarget(expect: Expectations): { program: string; process: string } | undefined {
  const known: Array<[string, string]> = [
    ['vnc-server', 'Xtigervnc'],
    ['xterm', 'xterm'],
    ['cron', 'cron'],
  ];
  for (const [program, process] of known) if (expect.programs.includes(program)) return { program, process };
  return undefined;
}
