// main() in-process with swapped streams: argv parsing, help, and the one error path.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadAll } from '../../src/cli/commands.ts';
import { main } from '../../src/cli/main.ts';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdinIsTTY: false,
    env: { NO_COLOR: '1', PATH: process.env.PATH, HOME: '/nonexistent', ...env },
    cwd: '/',
    confirm: async () => {
      throw new Error('no questions in tests');
    },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('dockervm main', () => {
  it('lists every command in --help, each with its own help', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    const commands = await loadAll();
    for (const c of commands) expect(help.stdout).toContain(`  ${c.name}`);
    for (const c of commands.filter((c) => !('passthrough' in c))) {
      const own = await run([c.name, '--help']);
      expect(own.code, c.name).toBe(0);
      expect(own.stdout).toContain(`Usage: dockervm ${c.usage}`);
      expect(own.stdout).toContain('--json');
    }
  });

  it('describes every option in the same table style as the scaffolder', async () => {
    for (const c of await loadAll()) {
      for (const [name, option] of Object.entries(c.options)) {
        expect(option.description, `${c.name} --${name}`).toMatch(/\S/);
        if (option.type === 'string') expect(option.value, `${c.name} --${name}`).toMatch(/\S/);
      }
    }
  });

  it('turns every user mistake into one line and exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [['snapshot'], /unknown command "snapshot": did you mean `npx dockervm snapshots`\?/],
      [['save', '--bogus'], /Unknown option '--bogus' \(see npx dockervm save --help\)/],
      [['restore'], /missing argument: usage: npx dockervm restore <snapshot>/],
      [['rm', 'a', 'b'], /unexpected argument "b"/],
      [['status'], /no dockervm project in \/ or its parents/],
      [['lint', '--format', 'xml', '--project-dir', '/nonexistent'], /--format must be one of tty, json, sarif|no such directory/],
      [['import', '/nonexistent/file.tar'], /no such file or directory/],
      [['push', 'no registry'], /invalid image reference/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr, argv.join(' ')).toMatch(message);
      expect(result.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });

  it('with --json, an error is one JSON object on stdout too', async () => {
    const result = await run(['restore', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, error: expect.stringMatching(/missing argument/), exitCode: 1 });
  });

  it('an unreachable engine is one clear line', async () => {
    const result = await run(['doctor', '--json'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { checks: { check: string; status: string; detail: string }[] };
    expect(report.checks[0]).toMatchObject({
      check: 'engine',
      status: 'problem',
      detail: 'cannot reach the Docker engine at unix:///nonexistent/docker.sock: is it running? (docker info)',
    });
  });
});
