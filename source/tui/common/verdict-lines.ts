// Observed vs expected as a table that fits the width (cells wrap, nothing is
// cut), followed by the explanation. Shared by the lesson and the playground.
import type { FieldVerdict } from '../../probe/expectation.js';
import type { Explanation } from '../../explain/types.js';
import { type Line, wrapLine } from './lines.js';

/** Wrap a cell's text, breaking after - . / , = ; or spaces before cutting inside a word. */
export function wrapCell(text: string, width: number): string[] {
  const size = Math.max(width, 1);
  const tokens = text.match(/[^\s\-./,=;]*[\-./,=;]+|[^\s\-./,=;]+|\s+/g) ?? [''];
  const lines: string[] = [];
  let line = '';
  for (let token of tokens) {
    if (/^\s+$/.test(token)) {
      if (line && line.length < size) line += ' ';
      continue;
    }
    if (line.length + token.length > size && line.trim()) {
      lines.push(line.trimEnd());
      line = '';
    }
    while (token.length > size) {
      lines.push(token.slice(0, size));
      token = token.slice(size);
    }
    line += token;
  }
  if (line.trim() || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** A cell shows at most this many lines (a whole response body is not a verdict). */
export const maxCellLines = 3;

function limitCell(lines: string[]): string[] {
  if (lines.length <= maxCellLines) return lines;
  const kept = lines.slice(0, maxCellLines);
  kept[maxCellLines - 1] = `${kept[maxCellLines - 1]!.slice(0, -1)}…`;
  return kept;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(width - text.length, 0));
}

export function verdictTableLines(verdicts: FieldVerdict[], width: number): Line[] {
  if (verdicts.length === 0) return [[{ text: 'No expectation for this probe.', role: 'dim' }]];
  // Columns: mark(2) field expected observed, separated by two spaces.
  const usable = Math.max(width - 2 - 4, 24);
  const fieldWidth = Math.min(Math.max(...verdicts.map((v) => v.field.length), 5), Math.floor(usable * 0.3));
  const rest = usable - fieldWidth;
  const expectedWidth = Math.floor(rest / 2);
  const observedWidth = rest - expectedWidth;
  const out: Line[] = [
    [{ text: `  ${pad('field', fieldWidth)}  ${pad('expected', expectedWidth)}  observed`, role: 'dim' }],
  ];
  for (const v of verdicts) {
    const mark: Line[0] = v.ok ? { text: '✔ ', role: 'ok' } : { text: '✘ ', role: 'fail' };
    const f = limitCell(wrapCell(v.field, fieldWidth));
    const e = limitCell(wrapCell(v.expected, expectedWidth));
    const o = limitCell(wrapCell(v.observed, observedWidth));
    const height = Math.max(f.length, e.length, o.length);
    for (let i = 0; i < height; i++) {
      out.push([
        i === 0 ? mark : { text: '  ' },
        { text: pad(f[i] ?? '', fieldWidth), role: 'bold' },
        { text: '  ' },
        { text: pad(e[i] ?? '', expectedWidth) },
        { text: '  ' },
        { text: o[i] ?? '', role: v.ok ? undefined : 'fail' },
      ]);
    }
  }
  return out;
}

export function explanationLines(explanation: Explanation | undefined, width: number): Line[] {
  if (!explanation) return [];
  const out: Line[] = [[{ text: 'Why: ', role: 'heading' }, { text: explanation.title, role: 'bold' }]];
  out.push(...wrapLine([{ text: explanation.cause }], width));
  if (explanation.fix) out.push(...wrapLine([{ text: 'Fix: ', role: 'bold' }, { text: explanation.fix }], width, [{ text: '     ' }]));
  return out.flatMap((l) => (l.reduce((n, s) => n + s.text.length, 0) > width ? wrapLine(l, width) : [l]));
}
