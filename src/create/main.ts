// create-dockervm: the steps, in order. Ask everything, decide everything, then write once.
import { closeSync, openSync, readSync } from 'node:fs';
import { relative } from 'node:path';
import { renderProject } from '../render/project.ts';
import type { RenderTemplate } from '../render/templates.ts';
import { targetState, writeProject } from '../render/write.ts';
import { CLIError } from '../errors.ts';
import { normalizeAnswers } from '../vmspec/normalize.ts';
import type { BaseImage, WindowManager } from '../vmspec/types.ts';
import { VERSION } from '../version.ts';
import { collectAnswers, type Prompter } from './ask.ts';
import { getContext, targetDirectory, type Context } from './context.ts';
import { createMessages, type Messages, type Streams } from './messages.ts';
import { loadDesktopPicture } from './pictures.ts';
import { decideInstall } from './install.ts';
import { helpText } from './options.ts';
import { realPortProbe } from './port-probe.ts';
import { tlsSecrets } from './tls-files.ts';
import { choosePorts, fixedPorts, type PortProbe } from './ports.ts';
import { installCommand } from './package-manager.ts';

export interface RunOptions extends Streams {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  prompter: Prompter;
  cwd?: string;
  /** compile.ts's templateRenderer from source, or precompiledRenderer in the published bundle. */
  render: RenderTemplate;
  /** The recorded picture of a window manager's desktop (default: the package's own, pictures.ts). */
  desktopPicture?: (windowManager: WindowManager) => Uint8Array | undefined;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Tests give their own: the engine's registry mirrors (default: docker info). */
  engineMirrors?: () => Promise<string[]>;
  /** Tests give their own: which host ports are free and which other VMs claim. */
  portProbe?: PortProbe;
  /** Name in --help: create-dockervm, or `dockervm new`. */
  command?: string;
}

/**
 * Fills `bytes` from the kernel's generator. Read directly, /dev/urandom costs microseconds, where the
 * first Web Crypto call costs about 5 ms of start-up, a seventh of a whole scaffold's own work.
 * Web Crypto where there is no /dev/urandom (Windows).
 */
function fillRandom(bytes: Uint8Array<ArrayBuffer>): void {
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, bytes) === bytes.length) return;
    } finally {
      closeSync(fd);
    }
  } catch {
    // no /dev/urandom here
  }
  globalThis.crypto.getRandomValues(bytes);
}

/** VNC authentication uses at most 8 characters; an unambiguous alphabet makes them easy to type. */
export function randomVncPassword(length = 8): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  // Bytes beyond the largest multiple of the alphabet's length are drawn again, so every character
  // is equally likely.
  const limit = 256 - (256 % alphabet.length);
  const chars: string[] = [];
  const bytes = new Uint8Array(16);
  while (chars.length < length) {
    fillRandom(bytes);
    for (const byte of bytes) if (byte < limit && chars.length < length) chars.push(alphabet.charAt(byte % alphabet.length));
  }
  return chars.join('');
}

async function pinIfAsked(image: BaseImage, context: Context, options: RunOptions, messages: Messages): Promise<BaseImage> {
  if (!context.pin) return { ...image, unpinnedReason: 'pinning turned off with --no-pin' };
  // The registry client is loaded only when there is something to resolve.
  const { pinImage } = await import('./pin.ts');
  return pinImage(
    image,
    {
      registryMirror: context.registryMirror,
      engineMirrors: await engineMirrorsOnce(options),
      timeoutMs: context.pinTimeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
    messages,
  );
}

const mirrorsAsked = new WeakMap<RunOptions, Promise<string[]>>();

/** The engine's registry mirrors, asked once per run (a bounded docker info) and only when pinning. */
function engineMirrorsOnce(options: RunOptions): Promise<string[]> {
  let pending = mirrorsAsked.get(options);
  if (!pending) {
    pending = options.engineMirrors ? options.engineMirrors() : import('./engine-mirrors.ts').then((m) => m.engineMirrors(options.env));
    mirrorsAsked.set(options, pending);
  }
  return pending;
}

export async function runCreate(options: RunOptions): Promise<void> {
  const context = getContext(options.argv, options.env, options.stdinIsTTY, options.cwd);
  const messages = createMessages(options, context.color && Boolean((options.stderr as { isTTY?: boolean }).isTTY));
  if (context.showHelp) return void options.stdout.write(`${helpText(options.command ?? 'create-dockervm', VERSION)}\n`);
  if (context.showVersion) return void options.stdout.write(`${VERSION}\n`);
  if (!context.interactive && !context.yes) {
    throw new CLIError('no terminal to ask questions on: add --yes to take the defaults (every question is also a flag, see --help)');
  }

  // Refuse a non-empty target as soon as the directory is known (before the other questions and any
  // network work), so the error comes at once.
  const checkTarget = async (directory: string) => {
    const target = targetDirectory(context, directory);
    if (!context.overwrite && (await targetState(target)) === 'non-empty') {
      throw new CLIError(`${target} is not empty: choose another directory, or add --overwrite to write into it`);
    }
  };
  // docker info takes a while (the CLI scans its plugins): asked now, it is answered by the time the
  // base image is pinned.
  if (context.pin) void engineMirrorsOnce(options);
  const answers = await collectAnswers(context, options.prompter, checkTarget);
  const install = await decideInstall(context, options.prompter);
  const target = targetDirectory(context, answers.directory);
  const draft = normalizeAnswers(answers, VERSION, context.cwd);
  const fixed = fixedPorts(draft.ports, context.flags.hostPorts);
  // The engine is asked which ports other VMs use while the base image is being pinned.
  const probe = options.portProbe ?? realPortProbe(options.env, draft.name, target);
  const claims = probe.claimed();
  const base = await pinIfAsked(draft.base, context, options, messages);
  const initSource = draft.initSource ? await pinIfAsked(draft.initSource, context, options, messages) : undefined;
  await claims;
  const chosen = await choosePorts(draft, fixed, probe);
  for (const warning of chosen.warnings) messages.warn(warning);
  const spec = { ...draft, base, ...(initSource ? { initSource } : {}), ports: chosen.ports };
  if (spec.bindAddress === '0.0.0.0') {
    messages.warn('ports are published on all interfaces (--bind-all): anyone who can reach this machine can reach the VM');
  }

  const desktopPicture = (options.desktopPicture ?? loadDesktopPicture)(spec.windowManager);
  const files = renderProject(spec, {
    render: options.render,
    ...(desktopPicture ? { desktopPicture } : {}),
    // The desktop password guards the browser desktop on the network: not VNC's 8 characters but 24.
    secrets: { vnc_password: randomVncPassword(), desktop_password: randomVncPassword(24), ...tlsSecrets(answers.tls) },
  });
  const installText = installCommand(context.packageManager).text;
  if (context.dryRun) return messages.plan(target, files, install ? [`${installText} (in ${target})`] : []);

  await writeProject(target, files, { overwrite: context.overwrite, ...(options.signal ? { signal: options.signal } : {}) });
  const ownUid = process.getuid?.();
  if (files.has('secrets/vnc_password') && ownUid !== undefined && ownUid !== 0 && ownUid !== spec.user.uid) {
    messages.warn(
      `secrets/vnc_password belongs to you (UID ${ownUid}) but the VM user has UID ${spec.user.uid}: run \`sudo chown ${spec.user.uid} ${relative(context.cwd, target) || '.'}/secrets/vnc_password\``,
    );
  }
  const shownDir = relative(context.cwd, target) || '.';
  // The one side effect after the write: the project is complete before it starts, so a failed
  // install costs nothing but a command to run by hand.
  if (install) {
    const { installDependencies } = await import('./install.ts');
    await installDependencies(context, { dir: target, shownDir, env: options.env, ...(options.signal ? { signal: options.signal } : {}) }, messages);
  }
  messages.done(target, shownDir, spec, install ? undefined : installText);
}
