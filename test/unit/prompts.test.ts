// The interactive path, on the real @inquirer/prompts rendered by @inquirer/testing: each question
// shows what we configured, refuses what the flag path refuses, and answers flow into the spec.
import { checkbox, confirm, input, select } from '@inquirer/prompts';
import { render } from '@inquirer/testing';
import { describe, expect, it } from 'vitest';
import { collectAnswers, type Prompter } from '../../src/create/ask.ts';
import { getContext } from '../../src/create/context.ts';
import { questions } from '../../src/create/questions.ts';
import { normalizeAnswers } from '../../src/vmspec/normalize.ts';

type Events = Awaited<ReturnType<typeof render>>['events'];
type Step = { expect: RegExp; act: (events: Events) => void };

/** A Prompter that renders every question with the real prompt and answers it from a script. */
function scripted(steps: Step[]): Prompter & { screens: string[] } {
  const screens: string[] = [];
  const next = async <T>(prompt: unknown, config: unknown): Promise<T> => {
    const step = steps.shift();
    if (!step) throw new Error(`unexpected question: ${JSON.stringify((config as { message: string }).message)}`);
    const { answer, events, getScreen } = await render(prompt as never, config as never);
    const screen = getScreen();
    screens.push(screen);
    expect(screen).toMatch(step.expect);
    step.act(events);
    return (await answer) as T;
  };
  return {
    screens,
    input: (config) => next(input, config),
    select: (config) => next(select, config),
    confirm: (config) => next(confirm, config),
    checkbox: (config) => next(checkbox, config),
  } as Prompter & { screens: string[] };
}

const enter = (events: Events) => events.keypress('enter');
const typeThen = (text: string) => (events: Events) => {
  events.type(text);
  events.keypress('enter');
};
const down = (times: number) => (events: Events) => {
  for (let i = 0; i < times; i++) events.keypress('down');
  events.keypress('enter');
};

describe('interactive questions', () => {
  it('asks everything not given as a flag and builds the spec from the answers', async () => {
    const prompter = scripted([
      { expect: /Where should the project go\?/, act: typeThen('lab') },
      { expect: /Base image/, act: enter },
      { expect: /Desktop/, act: down(1) }, // vnc
      { expect: /Window manager or desktop/, act: enter },
      {
        expect: /Web browsers/,
        act: (e) => {
          e.keypress('space');
          e.keypress('enter');
        },
      }, // firefox
      {
        expect: /Services/,
        act: (e) => {
          e.keypress('space');
          e.keypress('enter');
        },
      }, // sshd
      { expect: /Process supervision/, act: enter },
      { expect: /Login user/, act: enter },
      { expect: /UID/, act: enter },
      { expect: /GID/, act: enter },
      { expect: /Passwordless sudo/, act: typeThen('n') },
      { expect: /What should survive/, act: down(1) }, // volumes
      { expect: /Extra packages/, act: typeThen('curl htop') },
      { expect: /Extra ports/, act: typeThen('8080') },
    ]);
    const context = getContext([], { HOME: '/nonexistent' }, true);
    const answers = await collectAnswers({ ...context, host: { uid: 1234, gid: 1234, userName: 'me' } }, prompter);
    const spec = normalizeAnswers(answers, '0.0.0');
    expect(spec).toMatchObject({
      name: 'lab',
      base: { reference: 'debian:bookworm-slim', family: 'debian' },
      desktop: 'vnc',
      windowManager: 'pekwm',
      apps: ['firefox'],
      services: ['sshd'],
      // Automatic, made concrete: Xvnc, xterm, pekwm and sshd.
      supervisor: 'supervisord',
      user: { name: 'dev', uid: 1234, gid: 1234, sudo: false },
      persistence: 'volumes',
      packages: ['curl', 'htop'],
    });
    expect(spec.ports.map((p) => p.host)).toEqual([5901, 2222, 8080]);
  });

  it('asks only what the flags leave open', async () => {
    const prompter = scripted([
      { expect: /Login user/, act: typeThen('ada') },
      { expect: /Extra packages/, act: enter },
      { expect: /Extra ports/, act: enter },
    ]);
    const context = getContext(
      [
        'vm',
        '--desktop',
        'shell',
        '--service',
        'cron',
        '--supervisor',
        'auto',
        '--uid',
        '1000',
        '--gid',
        '1000',
        '--sudo',
        '--persistence',
        'home',
        '--base',
        'debian',
      ],
      {},
      true,
    );
    const answers = await collectAnswers(context, prompter);
    expect(answers.userName).toBe('ada');
    expect(answers.services).toEqual(['cron']);
  });

  it('a custom image whose name does not tell its family asks for the family', async () => {
    const prompter = scripted([
      { expect: /Base image/, act: down(7) }, // the last choice: another image
      { expect: /Image reference/, act: typeThen('ghcr.io/acme/os:1') },
      { expect: /package manager/, act: down(2) }, // alpine
    ]);
    const context = getContext(
      [
        'vm',
        '--desktop',
        'shell',
        '--service',
        'cron',
        '--supervisor',
        'auto',
        '--user',
        'dev',
        '--uid',
        '1000',
        '--gid',
        '1000',
        '--sudo',
        '--persistence',
        'none',
        '--package',
        'curl',
        '--port',
        '8080',
      ],
      {},
      true,
    );
    const answers = await collectAnswers(context, prompter);
    expect(answers.base).toBe('ghcr.io/acme/os:1');
    expect(answers.family).toBe('alpine');
  });
});

describe("question validation shows the flag path's message", () => {
  const cases: [string, { message: string; validate?: (v: string) => true | string }, string, RegExp][] = [
    ['project name', questions.name(undefined), 'Bad Name', /must be lowercase letters and digits/],
    ['user name', questions.userName('dev'), 'root', /reserved for the system/],
    ['UID', questions.uid('1000'), 'abc', /not a whole number/],
    ['packages', questions.packages('debian'), 'ok $(evil)', /not a valid debian package name/],
    ['ports', questions.ports(), '99999', /ports are whole numbers from 1 to 65535/],
    ['custom image', questions.customBase(), 'UPPER/case', /invalid image reference/],
  ];
  it.each(cases)('%s', async (_name, config, typed, message) => {
    const { answer, events, getScreen } = await render(input, { ...config, default: '' });
    events.type(typed);
    events.keypress('enter');
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 20));
    expect(getScreen()).toMatch(message);
    // Still waiting for a valid answer: clear and give one.
    events.keypress({ name: 'u', ctrl: true });
    answer.catch(() => undefined);
  });
});
