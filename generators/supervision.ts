// Who runs the VM's processes: supervisord, runit, or tini alone when there is at most one.
// This layer comes last among the generators because it needs every other layer's programs.
import { SUPERVISOR_PACKAGES } from '../src/vmspec/processes.ts';
import type { Supervisor, VmSpec } from '../src/vmspec/types.ts';
import type { Contribution, Program, ProjectFile } from './contribution.ts';
import { RUNTIME_BIN, RUNTIME_DIR, rootfsPath } from './paths.ts';

export interface Supervision {
  supervisor: Supervisor;
  /** The image's final USER: root only when a program must start as root. */
  runsAsRoot: boolean;
  /** CMD of the image, run by tini through the entrypoint. */
  command: string[];
  /** Shell condition that holds when every supervised program runs (empty: nothing to check). */
  healthProbe?: string;
  contribution: Contribution;
}

const SUPERVISORD_CONF = `${RUNTIME_DIR}/supervisord.conf`;
/** Where rootfs/supervisord.conf.hbs puts supervisord's control socket. */
const SUPERVISORD_SOCKET = '/tmp/supervisor.sock';
const RUNIT_SERVICES = `${RUNTIME_DIR}/service`;

/** The supervisor was chosen and checked by normalizeAnswers (src/vmspec/processes.ts). */
export function supervisionLayer(spec: VmSpec, programs: Program[]): Supervision {
  const { supervisor } = spec;
  const runsAsRoot = programs.some((p) => p.runAs === 'root');
  if (supervisor === 'none') return alone(programs, runsAsRoot);
  const packages = SUPERVISOR_PACKAGES[supervisor][spec.base.family];
  if (!packages) throw new Error(`${supervisor} for ${spec.base.family} should have been refused by normalizeAnswers`);
  const base = { layer: `supervisor:${supervisor}`, packages: { [spec.base.family]: packages } };
  const sorted = [...programs].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  return supervisor === 'supervisord' ? supervisord(spec, sorted, runsAsRoot, base) : runit(spec, sorted, runsAsRoot, base);
}

function alone(programs: Program[], runsAsRoot: boolean): Supervision {
  if (programs.length > 1) throw new Error(`${programs.map((p) => p.name).join(', ')} without a supervisor should have been refused by normalizeAnswers`);
  const only = programs[0];
  return {
    supervisor: 'none',
    runsAsRoot,
    // Nothing to run: a shell VM idles until stopped, and users log in with `docker compose exec`.
    command: only ? only.command : [`${RUNTIME_BIN}/idle`],
    contribution: {
      layer: 'supervisor:none',
      files: [{ path: rootfsPath(`${RUNTIME_BIN}/idle`), mode: 0o755, template: 'rootfs/idle.sh.hbs', data: {} }],
    },
  };
}

function userEnvironment(spec: VmSpec, program: Program): Record<string, string> {
  const user: Record<string, string> = program.runAs === 'user' ? { HOME: `/home/${spec.user.name}`, USER: spec.user.name, LOGNAME: spec.user.name } : {};
  return { ...user, ...program.environment };
}

function supervisord(spec: VmSpec, programs: Program[], runsAsRoot: boolean, base: Contribution): Supervision {
  const entries = programs.map((program) => ({
    name: program.name,
    command: program.command.map(shellQuote).join(' '),
    user: runsAsRoot && program.runAs === 'user' ? spec.user.name : undefined,
    // supervisord as root would start the user's programs (xterm) in its own directory.
    directory: program.runAs === 'user' ? `/home/${spec.user.name}` : undefined,
    priority: program.priority,
    environment: Object.entries(userEnvironment(spec, program))
      .map(([key, value]) => `${key}="${value}"`)
      .join(','),
  }));
  const start = `${RUNTIME_BIN}/start-supervisord`;
  const files: ProjectFile[] = [
    { path: rootfsPath(SUPERVISORD_CONF), mode: 0o644, template: 'rootfs/supervisord.conf.hbs', data: { runsAsRoot, programs: entries } },
    // Saves the second supervisord idles before it starts anything (the desktop's first pixels come sooner).
    { path: rootfsPath(start), mode: 0o755, template: 'rootfs/start-supervisord.sh.hbs', data: { conf: SUPERVISORD_CONF, socket: SUPERVISORD_SOCKET } },
  ];
  return {
    supervisor: 'supervisord',
    runsAsRoot,
    command: [start],
    healthProbe: `supervisorctl -c ${SUPERVISORD_CONF} status >/dev/null`,
    contribution: { ...base, files },
  };
}

function runit(spec: VmSpec, programs: Program[], runsAsRoot: boolean, base: Contribution): Supervision {
  const files: ProjectFile[] = programs.map((program) => ({
    path: rootfsPath(`${RUNIT_SERVICES}/${program.name}/run`),
    mode: 0o755,
    template: 'rootfs/runit-run.sh.hbs',
    data: {
      name: program.name,
      environment: Object.entries(userEnvironment(spec, program)).map(([key, value]) => ({ key, value })),
      // chpst -u takes names, not numbers: the user's own entry gives its UID and primary GID.
      chpst: runsAsRoot && program.runAs === 'user' ? `chpst -u ${spec.user.name} ` : '',
      directory: program.runAs === 'user' ? `/home/${spec.user.name}` : undefined,
      command: program.command.map(shellQuote).join(' '),
    },
  }));
  const steps = runsAsRoot
    ? []
    : [
        {
          comment: "runit keeps its control files in the service directories: they must be the user's",
          lines: [`chown -R ${spec.user.uid}:${spec.user.gid} ${RUNIT_SERVICES}`],
          phase: 'after-files' as const,
        },
      ];
  return {
    supervisor: 'runit',
    runsAsRoot,
    command: ['runsvdir', '-P', RUNIT_SERVICES],
    healthProbe: `! sv status ${RUNIT_SERVICES}/* | grep -v '^run:'`,
    contribution: { ...base, files, steps },
  };
}

/** Quote a word for a POSIX shell unless it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
