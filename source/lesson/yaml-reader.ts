// Reads fields out of a parsed YAML document while remembering where each one
// was written, so a bad lesson is reported as `file:line: field.path: problem`.
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';

export type FieldPath = (string | number)[];

export class LessonError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'LessonError';
  }
}

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

export class YamlReader {
  private readonly lines = new LineCounter();
  private readonly doc: Document;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false });
    const first = this.doc.errors[0];
    if (first) {
      const line = first.linePos?.[0]?.line ?? this.lines.linePos(first.pos[0]).line;
      throw new LessonError(file, line, '', `invalid YAML: ${first.message.split('\n')[0]}`);
    }
  }

  /** The value at `path` as plain JS (undefined when absent). */
  get(path: FieldPath): unknown {
    const node = this.node(path);
    if (node === undefined) return undefined;
    return isScalar(node) ? node.value : (node as { toJSON(): unknown }).toJSON();
  }

  has(path: FieldPath): boolean {
    return this.node(path) !== undefined;
  }

  /** Line of the field, or of its nearest present ancestor. */
  line(path: FieldPath): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (node?.range) return this.lines.linePos(node.range[0]).line;
    }
    return 1;
  }

  fail(path: FieldPath, problem: string): never {
    throw new LessonError(this.file, this.line(path), formatPath(path), problem);
  }

  keys(path: FieldPath): string[] {
    const node = this.node(path);
    if (node === undefined) return [];
    if (!isMap(node)) this.fail(path, 'must be a mapping');
    return node.items.map((item) => String(isScalar(item.key) ? item.key.value : item.key));
  }

  length(path: FieldPath): number {
    const node = this.node(path);
    if (node === undefined) return 0;
    if (!isSeq(node)) this.fail(path, 'must be a list');
    return node.items.length;
  }

  /** Rejects fields the schema does not know (catches typos like `expcet`). */
  onlyKeys(path: FieldPath, allowed: readonly string[]): void {
    const node = this.node(path);
    if (node === undefined) return;
    if (!isMap(node)) this.fail(path, 'must be a mapping');
    for (const item of node.items) {
      const key = String(isScalar(item.key) ? item.key.value : item.key);
      if (allowed.includes(key)) continue;
      // Name the line of the key itself (its value may start on the next line).
      const range = (item.key as Node | null)?.range;
      const line = range ? this.lines.linePos(range[0]).line : this.line(path);
      throw new LessonError(this.file, line, formatPath([...path, key]), `unknown field (expected one of: ${allowed.join(', ')})`);
    }
  }

  string(path: FieldPath, options: { required: true; pattern?: RegExp }): string;
  string(path: FieldPath, options?: { required?: boolean; pattern?: RegExp }): string | undefined;
  string(path: FieldPath, options: { required?: boolean; pattern?: RegExp } = {}): string | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) {
      if (options.required) this.fail(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') this.fail(path, 'must be a string');
    const text = String(value);
    if (options.pattern && !options.pattern.test(text)) this.fail(path, `"${text}" does not match ${options.pattern}`);
    return text;
  }

  number(path: FieldPath, options: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || Number.isNaN(value)) this.fail(path, 'must be a number');
    if (options.integer && !Number.isInteger(value)) this.fail(path, 'must be an integer');
    if (options.min !== undefined && value < options.min) this.fail(path, `must be at least ${options.min}`);
    if (options.max !== undefined && value > options.max) this.fail(path, `must be at most ${options.max}`);
    return value;
  }

  boolean(path: FieldPath): boolean | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value;
  }

  oneOf<T extends string>(path: FieldPath, allowed: readonly T[], what: string, required = false): T | undefined {
    const value = this.string(path, { required });
    if (value === undefined) return undefined;
    if (!allowed.includes(value as T)) this.fail(path, `unknown ${what} "${value}" (expected one of: ${allowed.join(', ')})`);
    return value as T;
  }

  stringList(path: FieldPath): string[] | undefined {
    const n = this.node(path);
    if (n === undefined) return undefined;
    const count = this.length(path);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.string([...path, i], { required: true }));
    return out;
  }

  private node(path: FieldPath): Node | undefined {
    if (path.length === 0) return (this.doc.contents as Node | null) ?? undefined;
    try {
      const found = this.doc.getIn(path, true) as Node | undefined | null;
      return found ?? undefined;
    } catch {
      return undefined; // a scalar where a mapping was expected: the caller reports the field
    }
  }
}
