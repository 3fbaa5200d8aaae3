import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { CREATE_OPTIONS } from '../../create/options.ts';
import type { PassthroughCommand } from '../command.ts';
import type { Io } from '../context.ts';

/**
 * With --json the scaffolder's human output must not reach stdout: it runs as a child whose stdout
 * goes to our stderr, and one JSON object says how it went.
 */
async function asJson(argv: string[], io: Pick<Io, 'stdout' | 'cwd'> & { self: string }): Promise<number> {
  const rest = argv.filter((a) => a !== '--json');
  const child = spawn(process.execPath, [io.self, 'new', ...rest], { cwd: io.cwd, stdio: ['ignore', 2, 2] });
  const code = await new Promise<number>((done) => child.on('close', (status) => done(status ?? 1)));
  // The first positional: not a flag, and not the value of the string flag before it.
  const takesValue = (flag: string | undefined) => flag?.startsWith('--') && CREATE_OPTIONS[flag.slice(2) as keyof typeof CREATE_OPTIONS]?.type === 'string';
  const directory = rest.find((a, i) => !a.startsWith('-') && !takesValue(rest[i - 1]));
  io.stdout.write(`${JSON.stringify({ ok: code === 0, exitCode: code, directory: directory ? resolve(io.cwd, directory) : null })}\n`);
  return code;
}

export const command: PassthroughCommand = {
  name: 'new',
  summary: 'create a VM project (the create-dockervm scaffolder)',
  usage: 'new [directory] [options]',
  options: {
    ...CREATE_OPTIONS,
    json: { type: 'boolean', description: "print one JSON object (ok, directory) on stdout; the scaffolder's messages go to stderr" },
  },
  async passthrough(argv, io) {
    if (argv.includes('--json') && io.self) return asJson(argv, { ...io, self: io.self });
    // The templates are precompiled into the bundle by scripts/build.mjs, as for create-dockervm.
    const [{ main }, { precompiledRenderer }, templates] = await Promise.all([
      import('../../create/cli.ts'),
      import('../../render/templates.ts'),
      import('virtual:dockervm-templates'),
    ]);
    return main(argv, 'dockervm new', precompiledRenderer(templates.default));
  },
};
