// The Dockerfile from the generators' contributions. The template decides the layout; this module
// only turns contributions into the template's view: install command, RUN steps, labels.
import type { Contribution, Generated } from '../../generators/index.ts';
import { paths } from '../../generators/index.ts';
import type { Family, VmSpec } from '../vmspec/types.ts';
import { fromReference } from './image-reference.ts';
import type { RenderTemplate } from './templates.ts';
import { LABEL } from '../constants.ts';

interface InstallRecipe {
  /** Lines of the RUN, joined with && ; `PACKAGES` is replaced by the package list. */
  lines: string[];
  /** RUN flags (cache mounts). */
  flags: string[];
  /** Lint rules this RUN deliberately breaks (see the comment above it in the template). */
  ignore: string;
}

const INSTALL: Record<Exclude<Family, 'busybox'>, InstallRecipe> = {
  debian: {
    // Cache mounts keep downloaded packages and lists between builds without putting them in a layer.
    flags: ['--mount=type=cache,target=/var/cache/apt,sharing=locked', '--mount=type=cache,target=/var/lib/apt/lists,sharing=locked'],
    lines: [
      // Official images delete every download after install; the cache mount above is the better cache.
      'rm -f /etc/apt/apt.conf.d/docker-clean',
      'apt-get update',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends PACKAGES',
    ],
    ignore: 'DL3008',
  },
  fedora: {
    flags: [],
    lines: ['dnf install -y --setopt=install_weak_deps=False PACKAGES', 'dnf clean all'],
    ignore: 'DL3041',
  },
  alpine: {
    flags: [],
    lines: ['apk add --no-cache PACKAGES'],
    ignore: 'DL3018',
  },
};

const SHELL: Record<Family, string> = {
  debian: '["/bin/bash", "-o", "pipefail", "-c"]',
  fedora: '["/bin/bash", "-o", "pipefail", "-c"]',
  alpine: '["/bin/sh", "-o", "pipefail", "-c"]',
  busybox: '["/bin/sh", "-o", "pipefail", "-c"]',
};

/** RUN text: flags and commands one per line, joined with `&&`. */
function runText(flags: string[], lines: string[]): string {
  const parts = [...flags, ...lines.map((line, index) => (index === 0 ? line : `&& ${line}`))];
  return parts.join(' \\\n    ');
}

function packageList(family: Family, contributions: Contribution[]): string[] {
  const all = contributions.flatMap((c) => c.packages?.[family] ?? []);
  return [...new Set(all)].sort();
}

function installRun(spec: VmSpec, contributions: Contribution[]) {
  const family = spec.base.family;
  const packages = packageList(family, contributions);
  if (family === 'busybox' || packages.length === 0) return undefined;
  const recipe = INSTALL[family];
  const list = packages.join(' \\\n        ');
  const before = contributions.flatMap((c) => c.beforeInstall ?? []);
  const lines = recipe.lines.flatMap((line) => (line.includes('PACKAGES') ? [...before, line.replace('PACKAGES', `\\\n        ${list}`)] : [line]));
  const hooks = contributions.flatMap((c) => c.installHooks ?? []);
  return { run: runText(recipe.flags, [...lines, ...hooks]), ignore: recipe.ignore };
}

function labels(spec: VmSpec) {
  const entries: Record<string, string> = {
    'org.opencontainers.image.title': spec.name,
    'org.opencontainers.image.description': `${spec.name}: a lightweight VM (${spec.desktop} desktop, ${spec.persistence} persistence)`,
    'org.opencontainers.image.base.name': spec.base.reference,
    ...(spec.base.digest ? { 'org.opencontainers.image.base.digest': spec.base.digest } : {}),
    [LABEL.project]: spec.name,
    [LABEL.generator]: `create-dockervm ${spec.generatorVersion}`,
    [LABEL.persistence]: spec.persistence,
  };
  return Object.entries(entries).map(([key, value]) => ({ key, value: JSON.stringify(value) }));
}

/** JSON exec form, spaced the way people write it. */
function execForm(argv: string[]): string {
  return `[${argv.map((arg) => JSON.stringify(arg)).join(', ')}]`;
}

/** Why the image ends as root, for the comment above `USER root`. */
function rootReason(supervisor: string, rootPrograms: string[], allPrograms: number, user: string): string {
  const daemons = rootPrograms.join(', ');
  const rest = rootPrograms.length < allPrograms ? ` and starts everything else as ${user}` : '';
  if (supervisor === 'none') return `${daemons} must start as root; log in as ${user}.`;
  return `${daemons} must start as root: ${supervisor} runs as root${rest}.`;
}

export function renderDockerfile(spec: VmSpec, generated: Generated, render: RenderTemplate): string {
  const { contributions, supervision } = generated;
  const steps = contributions.flatMap((c) => c.steps ?? []);
  const stepView = (phase: 'before-files' | 'after-files') =>
    steps.filter((s) => s.phase === phase).map((s) => ({ comment: s.comment, run: runText([], s.lines) }));
  // Everything after COPY rootfs/ reruns whenever a file under rootfs/ changes: one RUN, one layer.
  const afterFiles = steps.filter((s) => s.phase === 'after-files');
  const afterView = afterFiles.length
    ? [
        {
          comment: afterFiles.map((s) => s.comment).join('\n# '),
          run: runText(
            [],
            afterFiles.flatMap((s) => s.lines),
          ),
        },
      ]
    : [];
  const programs = contributions.flatMap((c) => c.programs ?? []);
  const rootPrograms = programs.filter((p) => p.runAs === 'root');
  return render('Dockerfile.hbs', {
    name: spec.name,
    version: spec.generatorVersion,
    initStage: spec.initSource ? { from: fromReference(spec.initSource) } : false,
    unpinned: spec.base.digest ? false : (spec.base.unpinnedReason ?? 'not resolved'),
    from: fromReference(spec.base),
    labels: labels(spec),
    shell: SHELL[spec.base.family],
    install: installRun(spec, contributions) ?? false,
    stepsBeforeFiles: stepView('before-files'),
    stepsAfterFiles: afterView,
    init: paths.INIT,
    runsAsRoot: supervision.runsAsRoot,
    rootReason: rootReason(
      supervision.supervisor,
      rootPrograms.map((p) => p.name),
      programs.length,
      spec.user.name,
    ),
    user: spec.user.name,
    entrypoint: execForm([paths.INIT, '-g', '--', paths.ENTRYPOINT]),
    cmd: execForm(supervision.command),
  }).replace(/\n{3,}/g, '\n\n');
}
