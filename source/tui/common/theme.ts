// One place that turns a role into Ink text props. With colour off (NO_COLOR)
// every role maps to no style at all, so frames carry no escape codes; the
// layout itself (markers, underlines, icons) still tells roles apart.
import type { Role } from './lines.js';

export interface TextStyle {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

const styles: Record<Role, TextStyle> = {
  plain: {},
  heading: { bold: true, color: 'cyan' },
  banner: { bold: true, color: 'magentaBright' },
  bold: { bold: true },
  code: { color: 'yellow' },
  dim: { dimColor: true },
  key: { bold: true, color: 'cyan' },
  accent: { color: 'magenta' },
  ok: { color: 'green' },
  fail: { color: 'red' },
  warn: { color: 'yellow' },
  yamlKey: { color: 'blue' },
  yamlValue: { color: 'green' },
  yamlString: { color: 'yellow' },
  yamlComment: { color: 'gray', italic: true },
  yamlPunct: { color: 'gray' },
};

export function roleStyle(role: Role | undefined, color: boolean): TextStyle {
  if (!color || !role) return {};
  return styles[role];
}

/** NO_COLOR (https://no-color.org): present and non-empty disables colour. */
export function colorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(typeof env.NO_COLOR === 'string' && env.NO_COLOR !== '');
}
