// What most commands start with: the project (from compose.yaml) and a connection to an engine that
// answers. An unreachable engine ends the command here with one line.
import { Engine, type EngineVersion } from '../docker/engine.ts';
import type { Context } from './context.ts';
import { loadProject, type Project } from './project.ts';

export interface Session {
  engine: Engine;
  engineVersion: EngineVersion;
  project: Project;
  out: Context['out'];
  checkpoint: () => void;
  signal: AbortSignal;
  /** The environment dockervm was started with (read here, never from process.env). */
  env: NodeJS.ProcessEnv;
}

export async function openSession(ctx: Context): Promise<Session> {
  const project = loadProject({ projectDir: ctx.projectDir, cwd: ctx.cwd, env: ctx.env });
  const engine = new Engine(ctx.env);
  const engineVersion = await engine.version();
  return { engine, engineVersion, project, out: ctx.out, checkpoint: ctx.checkpoint, signal: ctx.signal, env: ctx.env };
}

export async function openEngine(ctx: Context): Promise<{ engine: Engine; engineVersion: EngineVersion }> {
  const engine = new Engine(ctx.env);
  return { engine, engineVersion: await engine.version() };
}
