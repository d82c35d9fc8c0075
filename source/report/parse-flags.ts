// Command-line flags for every command: node:util parseArgs, with its errors
// turned into what a learner can act on — the flag named, the nearest known
// flag suggested, the usage — and exit status 2, as for an unknown command.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_USAGE, UserError } from '../common/errors.js';

/** A mistake in how a command was typed: a user error the CLI prints with the usage, exit 2. */
export class UsageError extends UserError {
  constructor(message: string, readonly usage: string) {
    super(message, { hint: `usage: ${usage.replace(/^Usage: /, '')}`, exitCode: EXIT_USAGE });
    this.name = 'UsageError';
  }
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known flag nearest to what was typed, when it is near enough to be a typo. */
export function nearestFlag(typed: string, known: string[]): string | undefined {
  const bare = typed.replace(/^-+/, '').split('=')[0]!;
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(bare, name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.name.length / 3)) ? `--${best.name}` : undefined;
}

export function parseFlags<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    const known = Object.keys(config.options ?? {});
    const unknown = /Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    if (unknown) {
      const suggestion = nearestFlag(unknown, known);
      throw new UsageError(`unknown option ${unknown}${suggestion ? ` — did you mean ${suggestion}?` : ''}`, usage);
    }
    const needsValue = /Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument missing/.exec((error as Error).message)?.[1];
    if (needsValue) throw new UsageError(`${needsValue} needs a value`, usage);
    const positional = /Unexpected argument '([^']+)'/.exec((error as Error).message)?.[1];
    if (positional) throw new UsageError(`unexpected argument "${positional}"`, usage);
    throw new UsageError((error as Error).message.split('.')[0]!, usage);
  }
}
