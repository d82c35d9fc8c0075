// Shell commands folded to a width so that what is shown can be pasted: lines
// break only between arguments, each broken line ends with ` \` (bash and zsh
// join it to the next). An argument longer than a whole line is split with a
// backslash-newline where the shell removes it (outside quotes and inside
// double quotes; a single-quoted part is closed and reopened), with no indent
// on the next line since spaces there would become part of the argument.
// A here-document's body is never folded: backslashes are literal in it.

interface Token {
  text: string;
}

/**
 * Splits one line of shell at unquoted blanks, keeping quoted parts whole.
 * Blanks inside an unquoted $(...) count too: a backslash-newline there is a
 * continuation of the inner command, as anywhere else.
 */
function tokens(line: string): Token[] {
  const out: Token[] = [];
  let current = '';
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      current += c;
      if (c === "'") quote = null;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      current += c + line[++i];
      continue;
    }
    if (quote === '"') {
      current += c;
      if (c === '"') quote = null;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      current += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (current) out.push({ text: current });
      current = '';
      continue;
    }
    current += c;
  }
  if (current) out.push({ text: current });
  return out;
}

/** Splits an argument longer than `width` into pieces joined by backslash-newline, each at most `width` wide. */
function splitLong(text: string, width: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let quote: "'" | '"' | null = null;
  const room = Math.max(width - 2, 4); // the piece, then `'\` or `\`
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    // Never break right after a backslash: it escapes what follows.
    const escaping = c === '\\' && quote !== "'";
    const chunk = escaping && i + 1 < text.length ? c + text[++i] : c;
    if (current.length + chunk.length > room) {
      if (quote === "'") {
        pieces.push(`${current}'\\`);
        current = "'";
      } else {
        pieces.push(`${current}\\`);
        current = '';
      }
    }
    current += chunk;
    if (!escaping) {
      if (quote === null && (c === "'" || c === '"')) quote = c;
      else if (quote === c) quote = null;
    }
  }
  pieces.push(current);
  return pieces;
}

/**
 * The command as lines of at most `width` columns (an argument that cannot fit
 * is split where the shell joins it again). Continuation lines are indented
 * by `indent` spaces; pasting all lines runs exactly `command`.
 */
export function foldCommand(command: string, width: number, indent = 2): string[] {
  const [first = '', ...body] = command.split('\n');
  const out: string[] = [];
  // A trailing comment cannot be continued with ` \` (the backslash would belong to it): when the line
  // is too wide, it goes above the command as comment lines of its own.
  const all = tokens(first);
  const commentAt = all.findIndex((t) => t.text.startsWith('#'));
  let words = all;
  if (commentAt > 0 && first.length > width) {
    words = all.slice(0, commentAt);
    let comment = '#';
    for (const word of all.slice(commentAt).map((t) => t.text).join(' ').replace(/^#\s*/, '').split(/\s+/)) {
      if (comment.length > 1 && comment.length + 1 + word.length > width) {
        out.push(comment);
        comment = '#';
      }
      comment += ` ${word}`;
    }
    out.push(comment);
  }
  let line = '';
  for (const { text } of words) {
    const lead = line ? ' ' : '';
    if (line && line.length + lead.length + text.length + 2 <= width) {
      line += lead + text;
      continue;
    }
    if (line) {
      out.push(`${line} \\`);
      line = ' '.repeat(indent);
    }
    if (line.length + text.length + 2 <= width) {
      line += text;
      continue;
    }
    // Too long for a line of its own: it starts at column 0 and goes on there.
    if (line.trim() !== '') out.push(`${line} \\`);
    const pieces = splitLong(text, width);
    out.push(...pieces.slice(0, -1));
    line = pieces.at(-1)!;
  }
  out.push(line);
  return [...out, ...body];
}
