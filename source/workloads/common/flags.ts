// Flag parsing shared by the workloads that mimic Go programs: `--name value`,
// `--name=value`, `-name value` (Go's flag package takes one or two dashes),
// and list flags that take every following word up to the next flag
// (llm-d-inference-sim's `--lora-modules '{...}' '{...}'`).

export interface FlagSpec {
  /** Flags taking a single value. */
  values: string[];
  /** Flags taking one or more values (until the next flag); may also repeat. */
  lists?: string[];
  /** Flags without a value. */
  booleans?: string[];
}

export interface ParsedFlags {
  values: Map<string, string>;
  lists: Map<string, string[]>;
  booleans: Set<string>;
}

export class FlagError extends Error {}

export function parseFlags(argv: string[], spec: FlagSpec): ParsedFlags {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const booleans = new Set<string>();
  const isFlag = (word: string) => /^--?[A-Za-z]/.test(word);
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!isFlag(word)) throw new FlagError(`unexpected argument "${word}"`);
    const body = word.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (spec.booleans?.includes(name)) {
      if (inline === undefined || inline === 'true') booleans.add(name);
      else if (inline !== 'false') throw new FlagError(`flag --${name} takes true or false, got "${inline}"`);
    } else if (spec.lists?.includes(name)) {
      const list = lists.get(name) ?? [];
      if (inline !== undefined) list.push(inline);
      while (i + 1 < argv.length && !isFlag(argv[i + 1]!)) list.push(argv[++i]!);
      if (list.length === 0) throw new FlagError(`flag --${name} needs a value`);
      lists.set(name, list);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new FlagError(`flag --${name} needs a value`);
      values.set(name, value);
    } else {
      throw new FlagError(`unknown flag: --${name}`);
    }
  }
  return { values, lists, booleans };
}

export function intFlag(flags: ParsedFlags, name: string, fallback: number): number {
  const text = flags.values.get(name);
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text.trim())) throw new FlagError(`flag --${name}: "${text}" is not an integer`);
  return Number(text);
}
