// The generated project's package.json, the create-* way: the project carries the dockervm CLI that
// made it, pinned to that exact version, so `npx dockervm …` runs the same code on every machine and
// offline, whatever newer dockervm the registry has by then.
import type { VmSpec } from '../vmspec/types.ts';

/** `npm run <script>` for the everyday commands; each is only the CLI command, nothing hidden. */
export const PROJECT_SCRIPTS: Readonly<Record<string, string>> = {
  up: 'dockervm up',
  down: 'dockervm down',
  status: 'dockervm status',
  shell: 'dockervm shell',
  open: 'dockervm open',
  save: 'dockervm save',
  snapshots: 'dockervm snapshots',
  restore: 'dockervm restore',
  logs: 'dockervm logs',
};

export function renderPackageJson(spec: Pick<VmSpec, 'name' | 'generatorVersion'>): string {
  const manifest = {
    // A project name is lowercase letters, digits, "-" and "_" (spec/validate.ts): a valid npm name.
    name: spec.name,
    private: true,
    description: `${spec.name}: a lightweight VM in a Docker container (npx dockervm --help)`,
    scripts: PROJECT_SCRIPTS,
    // Exact, not a range: a project made today must not pick up a different CLI tomorrow.
    devDependencies: { dockervm: spec.generatorVersion },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
