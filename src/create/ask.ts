// Answers from flags, then prompts for the rest (interactive), else defaults. Every question follows
// `flag ?? (interactive ? await ask() : default)`, so any run can be made non-interactive with flags.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Answers } from '../vmspec/answers.ts';
import { defaultAnswers } from '../vmspec/defaults.ts';
import { CLIError } from '../errors.ts';
import { projectNameFromDirectory } from '../vmspec/validate.ts';
import { isUbuntu, resolveBase } from '../vmspec/normalize.ts';
import type { Family } from '../vmspec/types.ts';
import type { Context } from './context.ts';
import { CUSTOM_BASE, questions, splitWords } from './questions.ts';
import { readTlsFiles } from './tls-files.ts';

/** The four prompt kinds used, shaped like @inquirer/prompts (tests pass @inquirer/testing-driven ones). */
export interface Prompter {
  input(config: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
  select<T>(config: { message: string; default?: T; choices: { name: string; value: T; description?: string; disabled?: boolean }[] }): Promise<T>;
  confirm(config: { message: string; default?: boolean }): Promise<boolean>;
  checkbox<T>(config: { message: string; choices: { name: string; value: T }[] }): Promise<T[]>;
}

type AskContext = Pick<Context, 'flags' | 'interactive' | 'host' | 'home'>;

/** `directoryChosen` runs as soon as the directory is known (main.ts refuses a non-empty one there). */
export async function collectAnswers(context: AskContext, prompt: Prompter, directoryChosen?: (directory: string) => Promise<void>): Promise<Answers> {
  const { flags, interactive } = context;
  const ask = async <T>(flag: T | undefined, question: () => Promise<T>, fallback: T): Promise<T> => flag ?? (interactive ? await question() : fallback);

  const directory = flags.directory ?? (interactive ? (await prompt.input(questions.directory('my-vm'))).trim() : 'my-vm');
  await directoryChosen?.(directory);
  const defaults = defaultAnswers(directory, context.host);
  // The name is asked only when it cannot be derived from the directory.
  const derived = projectNameFromDirectory(directory.split(/[\\/]/).filter(Boolean).pop() ?? '');
  const name = flags.name ?? (derived === undefined && interactive ? (await prompt.input(questions.name(undefined))).trim() : undefined);

  let base = flags.base;
  let family = flags.family;
  if (base === undefined && interactive) {
    const choice = await prompt.select(questions.base());
    base = choice === CUSTOM_BASE ? (await prompt.input(questions.customBase())).trim() : choice;
  }
  base ??= defaults.base;
  const resolved = resolveBase(base, family);
  if (typeof resolved === 'string' && family === undefined && interactive && resolved.startsWith('cannot tell')) {
    family = await prompt.select(questions.family());
  }
  const familyForQuestions: Family = typeof resolved === 'string' ? (family ?? 'debian') : resolved.family;

  const desktop = await ask(flags.desktop, () => prompt.select(questions.desktop(familyForQuestions)), undefined);
  const graphical = desktop ?? (familyForQuestions === 'busybox' ? 'shell' : 'novnc');
  const windowManager = await ask(
    flags.windowManager,
    () => (graphical === 'vnc' || graphical === 'novnc' ? prompt.select(questions.windowManager()) : Promise.resolve(undefined)),
    undefined,
  );
  // Ubuntu has its browsers only as snaps (normalize.ts says so to a flag): no question to ask there.
  const canRunApps = (graphical === 'vnc' || graphical === 'novnc') && !(typeof resolved !== 'string' && isUbuntu(resolved));
  const apps = await ask(flags.apps, () => (canRunApps ? prompt.checkbox(questions.apps()) : Promise.resolve([])), defaults.apps);
  const canRunServices = familyForQuestions !== 'busybox';
  const services = await ask(flags.services, () => (canRunServices ? prompt.checkbox(questions.services()) : Promise.resolve([])), defaults.services);
  const supervisor = await ask(flags.supervisor, () => prompt.select(questions.supervisor()), defaults.supervisor);
  const userName = await ask(flags.userName, async () => (await prompt.input(questions.userName(defaults.userName))).trim(), defaults.userName);
  const uid = await ask(flags.uid, async () => (await prompt.input(questions.uid(defaults.uid))).trim(), defaults.uid);
  const gid = await ask(flags.gid, async () => (await prompt.input(questions.gid(defaults.gid))).trim(), defaults.gid);
  const sudo = await ask(flags.sudo, () => (canRunServices ? prompt.confirm(questions.sudo()) : Promise.resolve(false)), undefined);
  const persistence = await ask(flags.persistence, () => prompt.select(questions.persistence()), defaults.persistence);
  const packages = await ask(
    flags.packages,
    async () => (canRunServices ? splitWords(await prompt.input(questions.packages(familyForQuestions))) : []),
    defaults.packages,
  );
  const audio = await ask(flags.audio, () => (graphical === 'novnc' ? prompt.confirm(questions.audio()) : Promise.resolve(false)), defaults.audio);
  const ports = await ask(flags.ports, async () => splitWords(await prompt.input(questions.ports())), defaults.ports);
  const sshPublicKey = services.includes('sshd') ? await readSshKey(flags.sshKeyFile, context.home) : undefined;
  const tls = await readTlsFiles(flags.certFile, flags.keyFile);

  return {
    ...defaults,
    directory,
    ...(name !== undefined ? { name } : {}),
    base,
    ...(family ? { family } : {}),
    ...(desktop ? { desktop } : {}),
    ...(windowManager ? { windowManager } : {}),
    apps,
    services,
    supervisor,
    userName,
    uid,
    gid,
    ...(sudo !== undefined ? { sudo } : {}),
    persistence,
    packages,
    ports,
    bindAll: flags.bindAll ?? false,
    audio,
    ...(sshPublicKey ? { sshPublicKey } : {}),
    ...(flags.share !== undefined ? { share: flags.share } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** The key named by --ssh-key, else the user's usual public key if there is one. */
async function readSshKey(file: string | undefined, home: string | undefined): Promise<string | undefined> {
  const candidates = file ? [file] : home ? ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'].map((f) => join(home, '.ssh', f)) : [];
  for (const candidate of candidates) {
    try {
      const key = (await readFile(candidate, 'utf8')).trim();
      if (!/^(ssh-|ecdsa-|sk-)[\w@.-]+ [A-Za-z0-9+/=]+( .*)?$/.test(key) || key.includes('\n')) {
        throw new CLIError(`${candidate} is not an OpenSSH public key (one line, e.g. "ssh-ed25519 AAAA… comment")`);
      }
      return key;
    } catch (error) {
      if (error instanceof CLIError) throw error;
      if (file) throw new CLIError(`cannot read --ssh-key ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return undefined;
}
