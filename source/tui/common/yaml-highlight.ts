// Colours YAML by role (keys, values, strings, comments, punctuation) without
// parsing it: a lesson's manifests are shown as written, comments included.
import type { Line, Segment } from './lines.js';

function splitComment(text: string): [string, string] {
  // A comment starts at '#' preceded by whitespace (or at the start), outside quotes.
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return [text.slice(0, i), text.slice(i)];
  }
  return [text, ''];
}

function valueSegments(value: string): Segment[] {
  if (value === '') return [];
  const trimmed = value.trim();
  const lead = value.slice(0, value.length - value.trimStart().length);
  const trail = value.slice(value.trimEnd().length);
  let role: Segment['role'] = 'yamlValue';
  if (/^["']/.test(trimmed)) role = 'yamlString';
  else if (/^[|>][-+]?$/.test(trimmed) || /^[{}[\],&*!]/.test(trimmed)) role = 'yamlPunct';
  return [{ text: lead }, { text: trimmed, role }, { text: trail }].filter((s) => s.text !== '');
}

export function highlightLine(raw: string, inBlock: boolean): Line {
  const [code, comment] = inBlock ? [raw, ''] : splitComment(raw);
  const out: Segment[] = [];
  if (inBlock) out.push({ text: code, role: 'yamlString' });
  else if (/^\s*(---|\.\.\.)\s*$/.test(code)) out.push({ text: code, role: 'yamlPunct' });
  else {
    const m = /^(\s*)((?:- +)*)((?:"[^"]*"|'[^']*'|[^\s#'"][^:#]*?)\s*:)(?=\s|$)(.*)$/.exec(code);
    if (m) {
      if (m[1]) out.push({ text: m[1] });
      if (m[2]) out.push({ text: m[2], role: 'yamlPunct' });
      out.push({ text: m[3]!.slice(0, -1), role: 'yamlKey' }, { text: ':', role: 'yamlPunct' });
      out.push(...valueSegments(m[4]!));
    } else {
      const item = /^(\s*)((?:- +)+)(.*)$/.exec(code);
      if (item) {
        if (item[1]) out.push({ text: item[1] });
        out.push({ text: item[2]!, role: 'yamlPunct' }, ...valueSegments(item[3]!));
      } else out.push(...valueSegments(code));
    }
  }
  if (comment) out.push({ text: comment, role: 'yamlComment' });
  return out.filter((s) => s.text !== '');
}

/** Highlight a YAML document (or several, separated by ---) line by line. */
export function highlightYaml(yaml: string): Line[] {
  const lines = yaml.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const out: Line[] = [];
  // Lines of a block scalar (`key: |`) are text, not YAML: a '#' there is not a comment.
  let blockIndent: number | null = null;
  for (const raw of lines) {
    const indent = raw.length - raw.trimStart().length;
    if (blockIndent !== null && (raw.trim() === '' || indent > blockIndent)) {
      out.push(highlightLine(raw, true));
      continue;
    }
    blockIndent = null;
    out.push(highlightLine(raw, false));
    if (/:\s*[|>][-+]?\s*(#.*)?$/.test(raw)) blockIndent = indent;
  }
  return out;
}
