// Text is prepared as lines of styled segments before it reaches Ink, so
// scrolling, wrapping at the terminal's width and NO_COLOR are plain data
// operations that tests check without a terminal.

export type Role =
  | 'plain'
  | 'heading'
  | 'banner'
  | 'bold'
  | 'code'
  | 'dim'
  | 'key'
  | 'accent'
  | 'ok'
  | 'fail'
  | 'warn'
  | 'yamlKey'
  | 'yamlValue'
  | 'yamlString'
  | 'yamlComment'
  | 'yamlPunct';

export interface Segment {
  text: string;
  role?: Role;
}

export type Line = Segment[];

export function plain(text: string, role?: Role): Line {
  return [{ text, role }];
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}

export function lineWidth(line: Line): number {
  return line.reduce((n, s) => n + s.text.length, 0);
}

/** Cut a line to `width` characters, marking the cut with an ellipsis. */
export function truncateLine(line: Line, width: number): Line {
  if (width <= 0) return [];
  if (lineWidth(line) <= width) return line;
  const out: Line = [];
  let room = width - 1;
  for (const segment of line) {
    if (room <= 0) break;
    const text = segment.text.slice(0, room);
    out.push({ ...segment, text });
    room -= text.length;
  }
  out.push({ text: '…', role: 'dim' });
  return out;
}

interface Word {
  segments: Segment[];
  width: number;
  space: boolean;
}

/** Split a line into words (runs of non-spaces, keeping their styles) and spaces. */
function toWords(line: Line): Word[] {
  const words: Word[] = [];
  let current: Word | null = null;
  for (const segment of line) {
    for (const piece of segment.text.split(/( +)/)) {
      if (piece === '') continue;
      const space = piece.startsWith(' ');
      if (space) {
        if (current) words.push(current);
        words.push({ segments: [{ text: piece, role: segment.role }], width: piece.length, space: true });
        current = null;
      } else {
        if (!current) current = { segments: [], width: 0, space: false };
        current.segments.push({ text: piece, role: segment.role });
        current.width += piece.length;
      }
    }
  }
  if (current) words.push(current);
  return words;
}

/** Split styled segments after `count` characters. */
function takeChars(segments: Segment[], count: number): [Segment[], Segment[]] {
  const head: Segment[] = [];
  const tail: Segment[] = [];
  let room = count;
  for (const segment of segments) {
    if (room >= segment.text.length) {
      head.push(segment);
      room -= segment.text.length;
    } else if (room > 0) {
      head.push({ ...segment, text: segment.text.slice(0, room) });
      tail.push({ ...segment, text: segment.text.slice(room) });
      room = 0;
    } else {
      tail.push(segment);
    }
  }
  return [head, tail];
}

/**
 * Word-wrap a styled line to `width`. Continuation lines start with `indent`
 * (hanging indent for list items). Words longer than a line are split.
 */
export function wrapLine(line: Line, width: number, indent: Segment[] = []): Line[] {
  const max = Math.max(width, 8);
  const indentWidth = Math.min(lineWidth(indent), max - 4);
  const out: Line[] = [];
  let current: Line = [];
  let currentWidth = 0;
  let hasWord = false;
  const flush = () => {
    while (current.length && current[current.length - 1]!.text.trim() === '') current.pop();
    out.push(current);
    current = [...indent];
    currentWidth = indentWidth;
    hasWord = false;
  };
  for (const word of toWords(line)) {
    if (word.space) {
      // Leading spaces of the first line are indentation; elsewhere only between words.
      if (hasWord || out.length === 0) {
        current.push(...word.segments);
        currentWidth += word.width;
      }
      continue;
    }
    // A word that fits on no line is split where it stands; others move to the next line.
    if (hasWord && currentWidth + word.width > max && word.width <= max - indentWidth) flush();
    let rest = word.segments;
    let restWidth = word.width;
    while (restWidth > 0) {
      if (currentWidth >= max) flush();
      const take = Math.min(max - currentWidth, restWidth);
      const [head, tail] = takeChars(rest, take);
      current.push(...head);
      currentWidth += take;
      hasWord = true;
      rest = tail;
      restWidth -= take;
    }
  }
  if (hasWord || out.length === 0) flush();
  return out;
}

export function wrapLines(lines: Line[], width: number): Line[] {
  return lines.flatMap((line) => (lineWidth(line) <= width ? [line] : wrapLine(line, width)));
}

/** Hard-wrap lines that must keep their layout (YAML, commands): cut at width, continue marked. */
export function hardWrap(line: Line, width: number, continuation = '  ↪ '): Line[] {
  const max = Math.max(width, 8);
  if (lineWidth(line) <= max) return [line];
  const out: Line[] = [];
  let [head, rest] = takeChars(line, max);
  out.push(head);
  const size = Math.max(max - continuation.length, 4);
  while (lineWidth(rest) > 0) {
    [head, rest] = takeChars(rest, size);
    out.push([{ text: continuation, role: 'dim' }, ...head]);
  }
  return out;
}
