// Interactive create refuses a non-empty directory as soon as it is named, not after every question;
// and shells and the desktop's programs start in the user's home even when a root daemon runs them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Prompter } from '../../src/create/ask.ts';
import { runCreate } from '../../src/create/main.ts';
import { templateRenderer } from '../../src/render/compile.ts';
import { loadTemplates } from '../../src/render/load-templates.ts';
import { renderFromArgs } from '../helpers/render.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dockervm-target-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

describe('interactive create and a non-empty directory', () => {
  it('fails right after the directory question, before any other', async () => {
    writeFileSync(join(scratch, 'notes.txt'), 'mine\n');
    const asked: string[] = [];
    const prompter = {
      input: async (config: { message: string }) => {
        asked.push(config.message);
        if (asked.length === 1) return scratch;
        throw new Error(`asked "${config.message}" after the directory`);
      },
      select: async (config: { message: string }) => {
        asked.push(config.message);
        throw new Error(`asked "${config.message}" after the directory`);
      },
      confirm: async () => false,
      checkbox: async () => [],
    } as unknown as Prompter;
    await expect(
      runCreate({
        argv: [],
        env: { HOME: scratch },
        stdinIsTTY: true,
        prompter,
        stdout: sink(),
        stderr: sink(),
        cwd: scratch,
        render: templateRenderer(loadTemplates()),
      }),
    ).rejects.toThrow(/is not empty: choose another directory, or add --overwrite/);
    expect(asked).toEqual(['Where should the project go?']);
  });
});

describe('working directory', () => {
  it("is the user's home in the image, for supervisord's and runit's user programs, also under a root daemon", async () => {
    const rooted = await renderFromArgs('rooted', ['--desktop', 'xterm', '--service', 'sshd', '--uid', '1000', '--gid', '1000']);
    const dockerfile = rooted.get('Dockerfile')!.content;
    expect(dockerfile).toMatch(/^USER root\n# .*\nWORKDIR \/home\/dev\n/m);
    expect(rooted.get('rootfs/.dockervm/supervisord.conf')!.content).toMatch(/\[program:xterm\][^[]*\nuser=dev\ndirectory=\/home\/dev\n/);
    const runit = await renderFromArgs('runit', ['--desktop', 'xterm', '--supervisor', 'runit', '--service', 'cron', '--uid', '1000', '--gid', '1000']);
    const run = [...runit].find(([path]) => path.endsWith('/xterm/run'))![1].content;
    expect(run).toContain('\ncd /home/dev 2>/dev/null || cd /\n');
  });
});
