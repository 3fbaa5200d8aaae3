// For the engine-selection suites: a VM project small enough for any engine, its image seeded on
// that engine only, and counts of what a project has on an engine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustSh } from './dockervm-engine.ts';
import type { SecondEngine } from './second-engine.ts';

export const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';

export interface Doctor {
  engine: { address: string; context: string | null; id: string | null };
  checks: { check: string; status: string; detail: string }[];
}

/** A VM project small enough for any engine: busybox, no network, one named volume. */
export function tinyProject(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'compose.yaml'),
    [
      `name: ${name}`,
      'services:',
      '  vm:',
      `    image: dockervm/${name}:latest`,
      '    pull_policy: never',
      '    network_mode: none',
      '    command: ["sleep", "3600"]',
      '    stop_grace_period: 1s',
      '    labels:',
      `      dev.dockervm.project: ${name}`,
      '    volumes:',
      '      - data:/data',
      'volumes:',
      '  data:',
      '    labels:',
      `      dev.dockervm.project: ${name}`,
      '',
    ].join('\n'),
  );
  return dir;
}

/** The VM image, on the second engine only (pulled from the local mirror through its own socket). */
export function seedImage(engine: SecondEngine, name: string): void {
  engine.docker(['pull', '-q', BUSYBOX], 300_000);
  engine.docker(['tag', BUSYBOX, `dockervm/${name}:latest`]);
}

export const onEngine = (engine: SecondEngine, name: string) => ({
  containers: engine
    .docker(['ps', '-aq', '--filter', `label=dev.dockervm.project=${name}`])
    .trim()
    .split('\n')
    .filter(Boolean).length,
  volumes: engine
    .docker(['volume', 'ls', '-q', '--filter', `label=dev.dockervm.project=${name}`])
    .trim()
    .split('\n')
    .filter(Boolean).length,
});
export const onMain = (name: string) => ({
  containers: mustSh('docker', ['ps', '-aq', '--filter', `label=dev.dockervm.project=${name}`])
    .trim()
    .split('\n')
    .filter(Boolean).length,
  volumes: mustSh('docker', ['volume', 'ls', '-q', '--filter', `label=dev.dockervm.project=${name}`])
    .trim()
    .split('\n')
    .filter(Boolean).length,
});
