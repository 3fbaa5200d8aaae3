// The commands a README tells its reader to type: the lines of its ```sh code blocks, split into words
// the way a shell would for the simple commands they are. The published-path test runs exactly these.

/** Every line of every sh/bash/shell code block, comments and blank lines dropped. */
export function commandLines(markdown: string): string[] {
  const lines: string[] = [];
  for (const [, body] of markdown.matchAll(/^```(?:sh|bash|shell|console)[^\n]*\n([\s\S]*?)^```/gm)) {
    for (const line of body!.split('\n')) {
      const command = stripComment(line).trim();
      if (command) lines.push(command);
    }
  }
  return lines;
}

/** A `#` that starts a word, outside quotes, starts a comment. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/**
 * The words of a simple command (quotes removed). Throws on what needs a real shell (pipes, `&&`,
 * redirections, substitutions): the caller runs words without one.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  for (const c of command) {
    if (quote) {
      if (c === quote) quote = '';
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if ('|&;<>$`()'.includes(c)) {
      throw new Error(`not a simple command (needs a shell for "${c}"): ${command}`);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote: ${command}`);
  if (inWord) words.push(word);
  return words;
}
