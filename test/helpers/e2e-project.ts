// One generated VM project on the real engine: scaffolded by the built create-dockervm bin, driven with
// `docker compose`, inspected with `docker`. Every command is bounded; failures carry the output.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadProject, type ProjectPort } from '../../src/cli/project.ts';
import { CREATE_BIN } from './cli.ts';
import { MIRROR, freePort, mustSh, portIsFree, removeLabelled, sh, tail, type Run } from './e2e-engine.ts';

const BUILD_TIMEOUT_MS = 15 * 60_000;

export class VmProject {
  /** Environment for every compose call (e.g. DISPLAY for the xterm desktop). */
  env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  /** Host ports changed because the generated ones were taken on this machine (printed, rare). */
  readonly remapped: string[] = [];

  readonly name: string;
  readonly dir: string;

  constructor(name: string, dir: string) {
    this.name = name;
    this.dir = dir;
  }

  /** Scaffolds with the real CLI into `parent/name`, digest-pinned through the local mirror. */
  static scaffold(parent: string, name: string, args: string[]): VmProject {
    const dir = join(parent, name);
    const result = spawnSync(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install', ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: parent, NO_COLOR: '1', DOCKERVM_REGISTRY_MIRROR: MIRROR },
    });
    if (result.status !== 0) throw new Error(`create-dockervm ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
    return new VmProject(name, dir);
  }

  file(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  get vncPassword(): string {
    return this.file('secrets/vnc_password').trim();
  }

  /** Published ports of the vm service, as compose substitutes them from .env (the way dockervm reads them). */
  ports(): Pick<ProjectPort, 'host' | 'container'>[] {
    return loadProject({ projectDir: this.dir, cwd: this.dir, env: {} }).ports.map((p) => ({ host: p.host, container: p.container }));
  }

  hostPort(container: number): number {
    const found = this.ports().find((p) => p.container === container);
    if (!found) throw new Error(`${this.name} publishes no port for ${container}`);
    return found.host;
  }

  /**
   * A program that started after the scaffolder chose the ports may hold one: move only those to free
   * ports (in .env). Under CI nothing else runs, so this is a no-op.
   */
  async freeHostPorts(): Promise<void> {
    // The host ports are .env lines (compose.yaml reads them from there): move only the taken ones.
    let env = this.file('.env');
    for (const port of loadProject({ projectDir: this.dir, cwd: this.dir, env: {} }).ports) {
      if (!port.variable || (await portIsFree(port.host))) continue;
      const replacement = await freePort();
      env = env.replace(new RegExp(`^${port.variable}=.*$`, 'm'), `${port.variable}=${replacement}`);
      this.remapped.push(`${port.variable}=${port.host} → ${replacement}`);
    }
    if (this.remapped.length) writeFileSync(join(this.dir, '.env'), env);
  }

  compose(args: string[], timeoutMs = 180_000): Run {
    return sh('docker', ['compose', ...args], { cwd: this.dir, env: this.env, timeoutMs });
  }

  mustCompose(args: string[], timeoutMs = 180_000): string {
    const result = this.compose(args, timeoutMs);
    if (result.status !== 0) {
      throw new Error(`docker compose ${args.join(' ')} (${this.name}) exited ${result.status}:\n${tail(result.stderr + result.stdout, 6000)}`);
    }
    return result.stdout + result.stderr;
  }

  /** `up -d --build`; returns the milliseconds it took. */
  async upBuild(): Promise<number> {
    const started = Date.now();
    const args = ['up', '--detach', '--build', '--quiet-pull'];
    const first = this.compose(args, BUILD_TIMEOUT_MS);
    if (first.status !== 0 && /port is already allocated/.test(first.stderr)) {
      // Another project on this engine took a port after freeHostPorts looked: move it, once.
      await this.freeHostPorts();
      this.mustCompose(args, BUILD_TIMEOUT_MS);
    } else if (first.status !== 0) {
      throw new Error(`docker compose ${args.join(' ')} (${this.name}) exited ${first.status}:\n${tail(first.stderr + first.stdout, 6000)}`);
    }
    return Date.now() - started;
  }

  up(): void {
    this.mustCompose(['up', '--detach']);
  }

  /** `down` keeps the volumes (the VM's disk), like shutting a VM down. */
  down(): void {
    this.mustCompose(['down']);
  }

  /** A shell script in the VM as `user` (undefined: the image's default user), no TTY; never throws. */
  exec(user: string | undefined, script: string, timeoutMs = 120_000): Run {
    return this.compose(['exec', '-T', ...(user === undefined ? [] : ['-u', user]), 'vm', 'sh', '-c', script], timeoutMs);
  }

  mustExec(user: string | undefined, script: string, timeoutMs = 120_000): string {
    const result = this.exec(user, script, timeoutMs);
    if (result.status !== 0) {
      throw new Error(`in ${this.name} as ${user ?? 'the default user'}: ${script}\nexited ${result.status}:\n${tail(result.stderr + result.stdout, 4000)}`);
    }
    return result.stdout;
  }

  /** The id of the running vm container. */
  container(): string {
    const id = this.mustCompose(['ps', '-q', 'vm']).trim().split('\n')[0] ?? '';
    if (!id) throw new Error(`${this.name}: no vm container`);
    return id;
  }

  inspect<T = Record<string, unknown>>(kind: 'container' | 'image', id: string): T {
    return (JSON.parse(mustSh('docker', [kind, 'inspect', id])) as T[])[0]!;
  }

  restartCount(): number {
    return this.inspect<{ RestartCount: number }>('container', this.container()).RestartCount;
  }

  logs(): string {
    const result = sh('docker', ['logs', this.container()], { timeoutMs: 30_000 });
    return result.stdout + result.stderr;
  }

  /** Waits (bounded) until the vm container's healthcheck says healthy; returns how long it took. */
  async waitHealthy(timeoutMs = 150_000): Promise<number> {
    const started = Date.now();
    let status = '';
    for (let polls = 0; Date.now() - started < timeoutMs && polls < 2000; polls++) {
      const id = this.compose(['ps', '-q', 'vm']).stdout.trim();
      if (id) {
        status = sh('docker', ['inspect', '--format', '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}', id]).stdout.trim();
        if (status.endsWith('/healthy')) return Date.now() - started;
      }
      await sleep(250);
    }
    const log = this.compose(['logs', '--no-color', '--tail', '60']);
    throw new Error(`${this.name}: vm not healthy within ${timeoutMs} ms (last state ${status || 'no container'})\n${tail(log.stdout, 5000)}`);
  }

  /** compose down with volumes and local images, then everything still labelled with the project. */
  cleanup(): string[] {
    const problems: string[] = [];
    const down = this.compose(['down', '--volumes', '--rmi', 'local', '--remove-orphans', '--timeout', '5'], 180_000);
    if (down.status !== 0) problems.push(`compose down: ${tail(down.stderr, 500)}`);
    return [...problems, ...removeLabelled(this.name)];
  }
}
