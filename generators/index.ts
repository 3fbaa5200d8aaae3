// All layers of a VM, in the order their parts appear in the Dockerfile. Pure: spec in, data out.
import type { VmSpec } from '../src/vmspec/types.ts';
import { appsLayer } from './apps.ts';
import { audioLayer } from './audio.ts';
import { baseLayer } from './base.ts';
import type { Contribution, Program } from './contribution.ts';
import { desktopLayer } from './desktop.ts';
import { extraPackagesLayer } from './packages.ts';
import { persistenceLayer } from './persistence.ts';
import { runtimeLayer } from './runtime.ts';
import { desktopWebLayer } from './desktop-web.ts';
import { serviceLayers } from './services.ts';
import { shareLayer } from './share.ts';
import { supervisionLayer, type Supervision } from './supervision.ts';
import { userLayer } from './user.ts';
import { windowManagerLayer } from './window-manager.ts';

export interface Generated {
  contributions: Contribution[];
  supervision: Supervision;
  /** The VM's long-running programs (src/vmspec/processes.ts names them beforehand). */
  programs: Program[];
}

export function generate(spec: VmSpec): Generated {
  const layers = [
    baseLayer(spec),
    userLayer(spec),
    shareLayer(spec),
    desktopWebLayer(spec),
    desktopLayer(spec),
    windowManagerLayer(spec),
    appsLayer(spec),
    audioLayer(spec),
    ...serviceLayers(spec),
    extraPackagesLayer(spec),
    persistenceLayer(spec),
  ];
  const programs = layers.flatMap((layer) => layer.programs ?? []);
  const supervision = supervisionLayer(spec, programs);
  const runtime = runtimeLayer(spec, {
    listens: layers.flatMap((layer) => layer.listens ?? []),
    healthProbe: supervision.healthProbe,
    runsAsRoot: supervision.runsAsRoot,
  });
  // runtime last: its build-id step must follow every other step.
  return { contributions: [...layers, supervision.contribution, runtime], supervision, programs };
}

export type { Contribution, Program, ProjectFile } from './contribution.ts';
export { persistedTargets, SEED_MOUNT } from './persistence.ts';
export * as paths from './paths.ts';
