// The one list of dockervm commands, in the order --help shows them. Each loads on demand.
import type { AnyCommand } from './command.ts';

type Loader = () => Promise<{ command: AnyCommand }>;

export const COMMANDS: Readonly<Record<string, Loader>> = {
  new: () => import('./commands/new.ts'),
  up: () => import('./commands/up.ts'),
  down: () => import('./commands/down.ts'),
  destroy: () => import('./commands/destroy.ts'),
  status: () => import('./commands/status.ts'),
  logs: () => import('./commands/logs.ts'),
  shell: () => import('./commands/shell.ts'),
  open: () => import('./commands/open.ts'),
  save: () => import('./commands/save.ts'),
  snapshots: () => import('./commands/snapshots.ts'),
  restore: () => import('./commands/restore.ts'),
  rm: () => import('./commands/rm.ts'),
  squash: () => import('./commands/squash.ts'),
  push: () => import('./commands/push.ts'),
  import: () => import('./commands/import.ts'),
  pin: () => import('./commands/pin.ts'),
  lint: () => import('./commands/lint.ts'),
  doctor: () => import('./commands/doctor.ts'),
  fleet: () => import('./commands/fleet.ts'),
};

export async function loadCommand(name: string): Promise<AnyCommand | undefined> {
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return load ? (await load()).command : undefined;
}

export async function loadAll(): Promise<AnyCommand[]> {
  return Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).command));
}

/** The closest command name, for "did you mean". */
export function suggest(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of Object.keys(COMMANDS)) {
    const distance = editDistance(name, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}
