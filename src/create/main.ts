// create-dockervm: the steps, in order. Ask everything, decide everything, then write once.
import { randomInt } from 'node:crypto';
import { relative } from 'node:path';
import { renderProject } from '../render/project.ts';
import { loadTemplates, type TemplateSources } from '../render/templates.ts';
import { targetState, writeProject } from '../render/write.ts';
import { CLIError } from '../spec/errors.ts';
import { normalizeAnswers } from '../spec/normalize.ts';
import { VERSION } from '../version.ts';
import { collectAnswers, type Prompter } from './ask.ts';
import { getContext, targetDirectory } from './context.ts';
import { createMessages, type Streams } from './messages.ts';
import { helpText } from './options.ts';
import { pinImage } from './pin.ts';

export interface RunOptions extends Streams {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  prompter: Prompter;
  cwd?: string;
  templates?: TemplateSources;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Name in --help: create-dockervm, or `dockervm new`. */
  command?: string;
}

/** VNC authentication uses at most 8 characters; an unambiguous alphabet makes them easy to type. */
export function randomVncPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

export async function runCreate(options: RunOptions): Promise<void> {
  const context = getContext(options.argv, options.env, options.stdinIsTTY, options.cwd);
  const messages = createMessages(options, context.color && Boolean((options.stderr as { isTTY?: boolean }).isTTY));
  if (context.showHelp) return void options.stdout.write(`${helpText(options.command ?? 'create-dockervm', VERSION)}\n`);
  if (context.showVersion) return void options.stdout.write(`${VERSION}\n`);
  if (!context.interactive && !context.yes) {
    throw new CLIError('no terminal to ask questions on: add --yes to take the defaults (every question is also a flag, see --help)');
  }

  const answers = await collectAnswers(context, options.prompter);
  const target = targetDirectory(context, answers.directory);
  // Refuse a non-empty target before any network work, so the error comes at once.
  if (!context.overwrite && (await targetState(target)) === 'non-empty') {
    throw new CLIError(`${target} is not empty: choose another directory, or add --overwrite to write into it`);
  }
  const draft = normalizeAnswers(answers, VERSION);
  const pinOptions = {
    enabled: context.pin,
    registryMirror: context.registryMirror,
    timeoutMs: context.pinTimeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const base = await pinImage(draft.base, pinOptions, messages);
  const initSource = draft.initSource ? await pinImage(draft.initSource, pinOptions, messages) : undefined;
  const spec = { ...draft, base, ...(initSource ? { initSource } : {}) };
  if (spec.bindAddress === '0.0.0.0') {
    messages.warn('ports are published on all interfaces (--bind-all): anyone who can reach this machine can reach the VM');
  }

  const files = renderProject(spec, {
    templates: options.templates ?? loadTemplates(),
    secrets: { vnc_password: randomVncPassword() },
  });
  if (context.dryRun) return messages.plan(target, files);

  await writeProject(target, files, { overwrite: context.overwrite, ...(options.signal ? { signal: options.signal } : {}) });
  const ownUid = process.getuid?.();
  if (files.has('secrets/vnc_password') && ownUid !== undefined && ownUid !== 0 && ownUid !== spec.user.uid) {
    messages.warn(`secrets/vnc_password belongs to you (UID ${ownUid}) but the VM user has UID ${spec.user.uid}: run \`sudo chown ${spec.user.uid} ${relative(context.cwd, target) || '.'}/secrets/vnc_password\``);
  }
  messages.done(target, relative(context.cwd, target) || '.', spec);
}
