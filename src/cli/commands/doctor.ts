import { spawnSync } from 'node:child_process';
import { existsSync, statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { composeVersion } from '../../docker/compose.ts';
import { publishedPorts } from '../../docker/containers.ts';
import { Engine } from '../../docker/engine.ts';
import { probeNetworkCreation } from '../../docker/networks.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import {
  buildxCheck,
  composeCheck,
  diskCheck,
  engineCheck,
  networkCheck,
  portCheck,
  xChecks,
  xSocket,
  type CheckLine,
  type PortState,
} from '../doctor/checks.ts';
import { loadProject, type Project } from '../project.ts';
import { snapshotHelperCheck, stuckVmCheck } from '../doctor/snapshots.ts';
import { findVm } from '../vm.ts';
import { LABEL, ROLE } from '../../constants.ts';

function tryProject(ctx: Context): Project | undefined {
  try {
    return loadProject({ projectDir: ctx.projectDir, cwd: ctx.cwd, env: ctx.env });
  } catch (error) {
    if (error instanceof CLIError && !ctx.projectDir) return undefined;
    throw error;
  }
}

function buildxVersion(env: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync('docker', ['buildx', 'version'], { env, encoding: 'utf8', timeout: 15_000 });
  return result.status === 0 ? (/\bv?(\d+\.\d+\.\d+)/.exec(result.stdout)?.[1] ?? 'unknown') : undefined;
}

async function portFree(ip: string, port: number): Promise<boolean | 'unknown'> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? false : 'unknown'));
    server.listen({ host: ip, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export const command: Command = {
  name: 'doctor',
  summary: 'check this machine for running the VM: engine, compose, buildx, disk, networks, ports, X display',
  usage: 'doctor',
  description: [
    'Each line says ok, warn or problem, and for a problem how to fix it. Exits 1 when there is a problem.',
    'Outside a project only the engine, compose, buildx, disk and networks are checked.',
    'The network check creates and removes one internal network.',
  ],
  options: {},
  async run(ctx) {
    const project = tryProject(ctx);
    const lines: CheckLine[] = [];
    const engine = new Engine(ctx.env);
    let version: string | undefined;
    let engineError: string | undefined;
    try {
      version = (await engine.version(5_000)).version;
    } catch (error) {
      if (!(error instanceof CLIError)) throw error;
      engineError = error.message;
    }
    lines.push(engineCheck(version, engine.address, project?.persistence, engineError));
    lines.push(composeCheck(composeVersion(engine.childEnv), project?.persistence));
    lines.push(buildxCheck(buildxVersion(engine.childEnv)));

    let identity: { id: string; name: string } | undefined;
    if (version) {
      const info = await engine.info();
      identity = { id: info.id, name: info.name };
      const root = info.rootDir;
      if (!engine.local) lines.push(diskCheck(root, undefined, 'the engine is remote'));
      else if (!existsSync(root)) lines.push(diskCheck(root, undefined, 'not visible from here (Docker Desktop keeps it in its VM)'));
      else {
        const fs = statfsSync(root);
        lines.push(diskCheck(root, fs.bavail * fs.bsize));
      }
      // Not named after the project: compose's own network for it must not be taken.
      lines.push(networkCheck(await probeNetworkCreation(engine, `dockervm-doctor-${process.pid}`, { [LABEL.role]: ROLE.doctorProbe })));
      lines.push(await snapshotHelperCheck(engine, project, ctx.env));
    }

    if (project) {
      if (version) lines.push(await stuckVmCheck(engine, project));
      const vm = version ? await findVm({ engine, project }) : undefined;
      const others = version ? await publishedPorts(engine) : [];
      for (const p of project.ports) {
        let state: PortState;
        if (vm?.ports.some((b) => b.hostPort === p.host)) state = { state: 'ours' };
        else {
          const free = await portFree(p.ip, p.host);
          const holder = others.find((o) => o.port === p.host);
          state = free === true ? { state: 'free' } : { state: 'taken', ...(holder ? { by: `container ${holder.container}` } : {}) };
        }
        lines.push(portCheck(p.ip, p.host, p.container, state, p.variable));
      }
      if (project.desktop === 'xterm') {
        const display = ctx.env.DISPLAY || undefined;
        const socket = display ? xSocket(display) : undefined;
        const xhost = display ? spawnSync('xhost', [], { env: ctx.env, encoding: 'utf8', timeout: 5_000 }) : undefined;
        lines.push(
          ...xChecks({
            display,
            socket,
            socketExists: socket ? existsSync(socket) : false,
            xhost: xhost && xhost.status === 0 ? xhost.stdout : undefined,
            user: userInfo().username,
          }),
        );
      }
    } else {
      lines.push({ check: 'project', status: 'skip', detail: 'not in a dockervm project: ports and display not checked' });
    }

    const problems = lines.filter((l) => l.status === 'problem').length;
    const width = Math.max(...lines.map((l) => l.check.length));
    return {
      data: {
        project: project?.name ?? null,
        engine: { address: engine.endpoint.host, context: engine.endpoint.context ?? null, id: identity?.id ?? null, name: identity?.name ?? null },
        checks: lines,
        problems,
      },
      text: [
        ...lines.flatMap((l) => [
          `${l.status.padEnd(7)} ${l.check.padEnd(width)}  ${l.detail}`,
          ...(l.fix && l.status !== 'ok' ? [`${''.padEnd(7)} ${''.padEnd(width)}  fix: ${l.fix}`] : []),
        ]),
        problems ? `${problems} problem${problems === 1 ? '' : 's'}` : 'no problems',
      ],
      exitCode: problems ? 1 : 0,
    };
  },
};
