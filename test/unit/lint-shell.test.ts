// The RUN shell splitter and the flag helpers the rules use.
import { describe, expect, it } from 'vitest';
import { hasAnyFlag, operands, setsPipefail, shortFlagCount } from '../../src/lint/commands.ts';
import { splitShell, type Command } from '../../src/lint/shell.ts';

const names = (text: string) => splitShell(text).commands.map((c) => c.name);
const one = (text: string): Command => splitShell(text).commands[0]!;

describe('splitShell', () => {
  it('splits on &&, ||, ;, |, & and newlines with the joining operator', () => {
    const s = splitShell('a && b || c; d | e & f\ng');
    expect(s.commands.map((c) => [c.name, c.op])).toEqual([
      ['a', ''],
      ['b', '&&'],
      ['c', '||'],
      ['d', ';'],
      ['e', '|'],
      ['f', '&'],
      ['g', '\n'],
    ]);
    expect(s.hasPipe).toBe(true);
  });

  it('does not see a pipe in || or inside quotes', () => {
    expect(splitShell('a || b').hasPipe).toBe(false);
    expect(splitShell("echo 'a | b' \"c | d\" && grep -E 'x|y' f").hasPipe).toBe(false);
    expect(names('echo \'a && b\'; echo "c; d"')).toEqual(['echo', 'echo']);
  });

  it('finds pipes and commands inside command substitutions', () => {
    const s = splitShell('V="$(curl -fsSL https://x | jq -r .tag)" && echo `id -u`');
    expect(s.hasPipe).toBe(true);
    expect(s.commands.filter((c) => c.nested).map((c) => c.name)).toEqual(['curl', 'jq', 'id']);
    expect(splitShell('echo $((1 | 2))').hasPipe).toBe(false);
  });

  it('unquotes words and drops redirections with their targets', () => {
    expect(one('apt-get install -y "a b" c\\ d 2>&1 >/dev/null </dev/null').args).toEqual(['install', '-y', 'a b', 'c d']);
    expect(one('cat >> /etc/x 2> err extra').args).toEqual(['extra']);
  });

  it('skips env assignments and compound-command keywords', () => {
    expect(one('DEBIAN_FRONTEND=noninteractive LANG=C apt-get install x').name).toBe('apt-get');
    expect(names('if [ -f x ]; then sudo rm x; else cd /; fi')).toEqual(['[', 'sudo', 'rm', 'cd']);
    expect(names('for p in a b; do pip install "$p"; done')).toEqual(['pip']);
    expect(names('( cd /src && make ) && { echo ok; }')).toEqual(['cd', 'make', 'echo']);
  });

  it('looks through env, sudo, time and other wrappers to the command they run', () => {
    const wrapped = (text: string) => splitShell(text).commands.map((c) => [c.name, c.wrappedBy ?? null, c.args.join(' ')]);
    expect(wrapped('env -u HOME X=1 apt-get install -y a')).toEqual([
      ['env', null, '-u HOME X=1 apt-get install -y a'],
      ['apt-get', 'env', 'install -y a'],
    ]);
    expect(wrapped('sudo -u bob -E time -p nice -n 5 make all').map((c) => c[0])).toEqual(['sudo', 'time', 'nice', 'make']);
    expect(wrapped('/usr/bin/sudo -- apt-get update')[1]).toEqual(['apt-get', 'sudo', 'update']);
    expect(wrapped('timeout -s KILL 30 curl -f x')[1]).toEqual(['curl', 'timeout', '-f x']);
    // Nothing runs: only options, or `command -v` which looks a name up.
    expect(names('sudo -l')).toEqual(['sudo']);
    expect(names('command -v curl')).toEqual(['command']);
    expect(names('env')).toEqual(['env']);
    // The joining operator and nesting carry over to the wrapped command.
    const s = splitShell('true && V="$(sudo id -u)"');
    expect(s.commands.map((c) => [c.name, c.nested])).toEqual([
      ['true', false],
      ['sudo', true],
      ['id', true],
    ]);
  });

  it('splits a very long RUN completely', () => {
    // Correctness at size, not a timing test (the speed and its growth are in bench/lint-bench.mjs).
    const n = 5_000;
    const text = Array.from({ length: n }, (_, i) => `echo "item ${i}" 'x' $((i + 1)) \${HOME}`).join(' && ');
    expect(splitShell(text).commands).toHaveLength(n);
  });

  it('skips shell comments and here-document bodies', () => {
    expect(names('set -e\n# sudo here is a comment\ncat <<EOF > /etc/motd\nsudo is text\nEOF\nls # trailing')).toEqual(['set', 'cat', 'ls']);
    expect(names('cat <<-END\n\tcd nowhere\n\tEND\necho done')).toEqual(['cat', 'echo']);
  });

  it('handles backslash-newline continuations inside heredoc scripts', () => {
    expect(one('apt-get install \\\n  -y curl').args).toEqual(['install', '-y', 'curl']);
  });

  it('keeps paths in command names', () => {
    expect(one('/usr/bin/apt-get update').name).toBe('/usr/bin/apt-get');
  });
});

describe('command helpers', () => {
  it('counts short flags and reads long flags', () => {
    const c = one('apt-get -qq --yes install --no-install-recommends x');
    expect(shortFlagCount(c, 'q')).toBe(2);
    expect(hasAnyFlag(c, ['y'], ['yes'])).toBe(true);
    expect(hasAnyFlag(one('apt-get install x -- -y'), ['y'], [])).toBe(false);
  });

  it('lists operands without flags or their values', () => {
    expect(operands(one('apt-get install -t bookworm-backports -o Foo=1 curl --target-release=x jq'), { short: ['t', 'o'], long: ['target-release'] })).toEqual(
      ['install', 'curl', 'jq'],
    );
    expect(operands(one('apk add --virtual .deps gcc -- -weird'), { long: ['virtual'] })).toEqual(['add', 'gcc', '-weird']);
  });

  it('recognises pipefail settings', () => {
    expect(setsPipefail(one('set -o pipefail'))).toBe(true);
    expect(setsPipefail(one('set -euxo pipefail'))).toBe(true);
    expect(setsPipefail(one('bash -o errexit -o pipefail -c x'))).toBe(true);
    expect(setsPipefail(one('sh -o pipefail -c x'))).toBe(false);
    expect(setsPipefail(one('echo -o pipefail'))).toBe(false);
  });
});
