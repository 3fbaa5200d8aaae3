// Questions rules ask about split shell commands: which program, which flags, which operands.
// Flags are read the way getopt-style tools read them: `-yq` is two short flags, `--a=b` one
// long flag, and everything after `--` is an operand.
import type { Command, ShellScript } from './shell.ts';

/** `/usr/bin/apt-get` and `apt-get` are the same program. */
export function programName(cmd: Command): string {
  return cmd.name.slice(cmd.name.lastIndexOf('/') + 1);
}

export function commandsNamed(script: ShellScript, ...names: string[]): Command[] {
  return script.commands.filter((c) => names.includes(programName(c)));
}

/** True when any argument equals one of `words` (how hadolint spots `apt-get … install …`). */
export function hasArg(cmd: Command, ...words: string[]): boolean {
  return cmd.args.some((a) => words.includes(a));
}

function flagWords(cmd: Command): string[] {
  const end = cmd.args.indexOf('--');
  return (end < 0 ? cmd.args : cmd.args.slice(0, end)).filter((a) => a.startsWith('-') && a !== '-');
}

/** How often a short flag letter appears, so `-qq` and `-q -q` both count two. */
export function shortFlagCount(cmd: Command, letter: string): number {
  let n = 0;
  for (const w of flagWords(cmd)) {
    if (w.startsWith('--')) continue;
    // `-q=2` is one flag with a value, not the letters q, = and 2.
    const letters = w.includes('=') ? w.slice(1, w.indexOf('=')) : w.slice(1);
    for (const ch of letters) if (ch === letter) n++;
  }
  return n;
}

/** How often `--name` (or `--name=…`) is given, so `--quiet --quiet` counts two. */
export function longFlagCount(cmd: Command, name: string): number {
  return flagWords(cmd).filter((w) => w === `--${name}` || w.startsWith(`--${name}=`)).length;
}

export function hasLongFlag(cmd: Command, name: string): boolean {
  return flagWords(cmd).some((w) => w === `--${name}` || w.startsWith(`--${name}=`));
}

/** Short letters or long names; long names are given without dashes. */
export function hasAnyFlag(cmd: Command, short: string[], long: string[]): boolean {
  return short.some((s) => shortFlagCount(cmd, s) > 0) || long.some((l) => hasLongFlag(cmd, l));
}

export interface ValueFlags {
  /** Short letters that consume the next word when given alone (`-t bookworm`). */
  short?: string[];
  /** Long names that consume the next word when written without `=`. */
  long?: string[];
}

/** Operands: words that are neither flags nor the values of flags listed in `takesValue`. */
export function operands(cmd: Command, takesValue: ValueFlags = {}): string[] {
  const out: string[] = [];
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      if (!a.includes('=') && takesValue.long?.includes(a.slice(2))) i++;
    } else if (a.startsWith('-') && a.length > 1) {
      // Only a value flag written last in its group (`-yt x`) takes the next word.
      if (takesValue.short?.includes(a[a.length - 1]!)) i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** `set -o pipefail`, `set -eo pipefail`, or bash/zsh/ash started with `-o pipefail` (plain sh is not trusted to have it). */
export function setsPipefail(cmd: Command): boolean {
  const name = programName(cmd);
  if (name !== 'set' && !['bash', 'zsh', 'ash'].includes(name)) return false;
  return cmd.args.some((a, i) => a === 'pipefail' && i > 0 && /^-[a-zA-Z]*o$/.test(cmd.args[i - 1]!));
}
