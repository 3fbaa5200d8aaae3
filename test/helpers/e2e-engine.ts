// The real engine for the VM e2e suite: is one reachable, the base images the local mirror must
// serve, label-based cleanup, free ports. Talks only to the local engine and 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const MIRROR = 'http://127.0.0.1:5000';
/** Every project this suite creates is named with this prefix (compose project, image, labels). */
export const PREFIX = 'dvme2e-';
export const LABEL = 'dev.dockervm.project';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command (no shell), bounded in time; never throws. */
export function sh(command: string, args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const stderr = (result.stderr ?? '') + (result.error ? `\n${result.error.message}` : '');
  return { status: result.status, stdout: result.stdout ?? '', stderr, ms: Date.now() - started };
}

/** Like sh, but throws with the command's output when it fails. */
export function mustSh(command: string, args: string[], options: Parameters<typeof sh>[2] = {}): string {
  const result = sh(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${tail(result.stderr + result.stdout, 4000)}`);
  }
  return result.stdout;
}

export function tail(text: string, chars: number): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

/**
 * Undefined when the engine answers; otherwise why not. Under CI=true a missing engine is a failure
 * (the caller throws); locally the suite is skipped and says why.
 */
export function engineProblem(): string | undefined {
  const info = sh('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  if (info.status !== 0) return `no Docker Engine answers (docker info: ${info.stderr.trim().split('\n')[0] ?? 'failed'})`;
  const compose = sh('docker', ['compose', 'version', '--short'], { timeoutMs: 20_000 });
  if (compose.status !== 0) return 'docker compose (v2) is not installed';
  const mirror = sh('curl', ['-fsS', '--max-time', '5', `${MIRROR}/v2/`], { timeoutMs: 10_000 });
  if (mirror.status !== 0) return `the local registry mirror ${MIRROR} does not answer (scripts/engine/up.sh starts it)`;
  return undefined;
}

export function engineVersions(): string {
  const server = sh('docker', ['info', '--format', '{{.ServerVersion}}']).stdout.trim();
  const compose = sh('docker', ['compose', 'version', '--short']).stdout.trim();
  return `Docker Engine ${server}, Compose ${compose}`;
}

/**
 * The busybox preset is busybox:1.37; the mirror is filled with the busybox Debian ships (1.35).
 * Tag what is there as 1.37 in the mirror, once (idempotent), so the preset builds unchanged.
 */
export function ensureMirrorTag(repository: string, want: string, from: string): void {
  const url = (tag: string) => `${MIRROR}/v2/library/${repository}/manifests/${tag}`;
  const accept = ['-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json', '-H', 'Accept: application/vnd.oci.image.index.v1+json'];
  if (sh('curl', ['-fsS', '-o', '/dev/null', '--max-time', '10', ...accept, url(want)]).status === 0) return;
  const host = MIRROR.replace(/^https?:\/\//, '');
  const source = `${host}/library/${repository}:${from}`;
  const target = `${host}/library/${repository}:${want}`;
  mustSh('docker', ['pull', '-q', source], { timeoutMs: 300_000 });
  mustSh('docker', ['tag', source, target]);
  mustSh('docker', ['push', '-q', target], { timeoutMs: 300_000 });
  process.stdout.write(`e2e: the mirror had no ${repository}:${want}; pushed its ${repository}:${from} as ${want}\n`);
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/**
 * Removes everything labelled dev.dockervm.project=<name>: containers, volumes, networks, images.
 * Never throws: cleanup must go on after a failure.
 */
export function removeLabelled(name: string): string[] {
  const label = `label=${LABEL}=${name}`;
  const problems: string[] = [];
  const remove = (what: string, listArgs: string[], removeArgs: string[], filter = label) => {
    const ids = [...new Set(lines(sh('docker', [...listArgs, '--filter', filter]).stdout))];
    if (ids.length === 0) return;
    const result = sh('docker', [...removeArgs, ...ids], { timeoutMs: 120_000 });
    if (result.status !== 0) problems.push(`${what}: ${result.stderr.trim()}`);
  };
  remove('containers', ['ps', '-aq'], ['rm', '-f', '-v']);
  remove('volumes', ['volume', 'ls', '-q'], ['volume', 'rm', '-f']);
  remove('networks', ['network', 'ls', '-q'], ['network', 'rm']);
  // Compose's default network carries compose's project label, not ours. Left behind, such
  // networks use up the engine's 31 default address pools and later `up`s fail.
  remove('networks', ['network', 'ls', '-q'], ['network', 'rm'], `label=com.docker.compose.project=${name}`);
  remove('images', ['images', '-aq'], ['rmi', '-f']);
  return problems;
}

/** Every real-engine suite names its projects with one of these: the VM e2e suite, dockervm's, the published path's. */
export const TEST_PREFIXES = [PREFIX, 'dvmcli-', 'dvmpub-'];

/**
 * Test projects (by label value) still on the engine, each with the age of its newest container,
 * volume or image: an interrupted run's leftovers are old, another run's projects are not.
 */
export function leftoverProjects(): Array<{ name: string; ageMs: number }> {
  const newest = new Map<string, number>();
  const label = `{{.Label "${LABEL}"}}`;
  const listings: Array<[string[], string, string]> = [
    [['ps', '-a'], `${label} {{.ID}}`, 'container'],
    [['volume', 'ls'], `${label} {{.Name}}`, 'volume'],
    // Images have no .Label in --format; a VM's image is dockervm/<project>.
    [['images', '-a'], '{{.Repository}} {{.ID}}', 'image'],
  ];
  for (const [args, format, kind] of listings) {
    for (const line of lines(sh('docker', [...args, '--filter', `label=${LABEL}`, '--format', format]).stdout)) {
      const [listed = '', id = ''] = line.split(' ');
      const value = listed.replace(/^dockervm\//, '');
      if (!TEST_PREFIXES.some((prefix) => value.startsWith(prefix))) continue;
      const created = sh('docker', [kind, 'inspect', '--format', kind === 'volume' ? '{{.CreatedAt}}' : '{{.Created}}', id]).stdout.trim();
      const at = Date.parse(created) || Date.now();
      newest.set(value, Math.max(newest.get(value) ?? 0, at));
    }
  }
  return [...newest].map(([name, at]) => ({ name, ageMs: Date.now() - at }));
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export { freePort } from './ports.ts';
