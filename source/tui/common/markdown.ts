// A small markdown renderer for lesson text: headings, paragraphs, bold,
// code spans, links, bullet and numbered lists, fenced code (YAML highlighted).
// Enough for lesson prose; anything else shows as plain text.
import { hardWrap, type Line, type Role, type Segment, wrapLine } from './lines.js';
import { highlightYaml } from './yaml-highlight.js';

export interface MarkdownOptions {
  /** Presenter mode: headings become big banners with space around them. */
  presenter?: boolean;
}

/** Inline markup to segments: **bold**, `code`, [text](url). */
export function parseInline(text: string, base: Role = 'plain'): Segment[] {
  const out: Segment[] = [];
  const pattern = /(\*\*[^*]+\*\*|__[^_]+__|`[^`]+`|\[[^\]]+\]\([^)]+\))/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at), role: base });
    const token = match[0];
    if (token.startsWith('`')) out.push({ text: token.slice(1, -1), role: 'code' });
    else if (token.startsWith('[')) {
      const [, label, url] = /^\[([^\]]+)\]\(([^)]+)\)$/.exec(token) ?? [];
      out.push({ text: label ?? token, role: 'accent' });
      if (url) out.push({ text: ` (${url})`, role: 'dim' });
    } else out.push({ text: token.slice(2, -2), role: base === 'heading' ? 'heading' : 'bold' });
    last = at + token.length;
  }
  if (last < text.length) out.push({ text: text.slice(last), role: base });
  return out.filter((s) => s.text.length > 0);
}

export function headingLines(text: string, level: number, width: number, options: MarkdownOptions = {}): Line[] {
  if (options.presenter) {
    const title = text.replace(/[*`]/g, '').toUpperCase();
    const bar = '━'.repeat(Math.max(Math.min(width, title.length + 4), 8));
    return [[], [{ text: bar, role: 'banner' }], ...wrapLine([{ text: `  ${title}`, role: 'banner' }], width), [{ text: bar, role: 'banner' }], []];
  }
  const lines = wrapLine(parseInline(text, 'heading'), width);
  if (level <= 2) {
    const longest = Math.min(Math.max(...lines.map((l) => l.reduce((n, s) => n + s.text.length, 0))), width);
    lines.push([{ text: (level === 1 ? '═' : '─').repeat(Math.max(longest, 1)), role: 'heading' }]);
  }
  return lines;
}

export function markdownToLines(markdown: string, width: number, options: MarkdownOptions = {}): Line[] {
  const out: Line[] = [];
  const source = markdown.replace(/\r\n/g, '\n').split('\n');
  let paragraph: string[] = [];
  const blank = () => {
    if (out.length > 0 && out[out.length - 1]!.length > 0) out.push([]);
  };
  const flushParagraph = () => {
    if (paragraph.length === 0) return;
    out.push(...wrapLine(parseInline(paragraph.join(' ')), width));
    paragraph = [];
  };
  for (let i = 0; i < source.length; i++) {
    const raw = source[i]!;
    const fence = /^\s*(```|~~~)\s*([\w-]*)/.exec(raw);
    if (fence) {
      flushParagraph();
      const body: string[] = [];
      for (i++; i < source.length && !source[i]!.trimStart().startsWith(fence[1]!); i++) body.push(source[i]!);
      const language = fence[2]!.toLowerCase();
      const lines = language === 'yaml' || language === 'yml' ? highlightYaml(body.join('\n')) : body.map((l) => [{ text: l, role: 'code' as Role }]);
      for (const line of lines) out.push(...hardWrap([{ text: '  ' }, ...line], width));
      blank();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(raw);
    if (heading) {
      flushParagraph();
      blank();
      out.push(...headingLines(heading[2]!.trim(), heading[1]!.length, width, options));
      continue;
    }
    const item = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(raw);
    // As in CommonMark, only an ordered list starting at 1 may interrupt a paragraph
    // ("mode\n0600. Running…" is prose, not a list).
    const interrupts = item && (!/\d/.test(item[2]!) || paragraph.length === 0 || /^1[.)]$/.test(item[2]!));
    if (item && interrupts) {
      flushParagraph();
      const depth = Math.min(Math.floor(item[1]!.length / 2), 3);
      const marker = /\d/.test(item[2]!) ? `${item[2]} ` : '• ';
      const lead = '  '.repeat(depth);
      // Continuation lines of the item (indented, not a new item) join it.
      let text = item[3]!;
      while (i + 1 < source.length && /^\s{2,}\S/.test(source[i + 1]!) && !/^\s*([-*+]|\d+[.)])\s+/.test(source[i + 1]!)) {
        text += ` ${source[++i]!.trim()}`;
      }
      const indent: Segment[] = [{ text: ' '.repeat(lead.length + marker.length) }];
      out.push(...wrapLine([{ text: lead }, { text: marker, role: 'accent' }, ...parseInline(text)], width, indent));
      continue;
    }
    if (raw.trim() === '') {
      flushParagraph();
      blank();
      continue;
    }
    paragraph.push(raw.trim());
  }
  flushParagraph();
  while (out.length > 0 && out[out.length - 1]!.length === 0) out.pop();
  return out;
}
