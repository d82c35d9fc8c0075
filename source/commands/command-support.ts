// What the headless lesson commands share: flags, the reporter for --json or
// plain lines, confirmation (only on a TTY), and Ctrl-C → a clean stop.
import { createInterface } from 'node:readline/promises';
import type { RunnerEvent } from '../lesson/events.js';
import { createHeadlessReporter, createJsonReporter } from '../report/headless.js';

export const COMMON_OPTIONS = {
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  namespace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CommonFlags {
  yes?: boolean;
  json?: boolean;
  context?: string;
  kubeconfig?: string;
  namespace?: string;
}

/** The cluster a command talks to (--kubeconfig, --context, --namespace), as the runner and cleanup take it. */
export function clusterTargetOf(flags: CommonFlags): { kubeconfig?: string; context?: string; namespace?: string } {
  return { kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace };
}

export function reporterFor(flags: CommonFlags): (event: RunnerEvent) => void {
  const out = { write: (text: string) => process.stdout.write(text) };
  return flags.json ? createJsonReporter(out) : createHeadlessReporter(out);
}

/** Asks on a TTY unless --yes; without a TTY (CI, pipes) it proceeds. `io`: the terminal (tests give their own). */
export async function confirm(
  question: string,
  flags: CommonFlags,
  io: { input: NodeJS.ReadableStream & { isTTY?: boolean }; output: NodeJS.WritableStream } = { input: process.stdin, output: process.stderr },
): Promise<boolean> {
  if (flags.yes || !io.input.isTTY || flags.json) return true;
  const rl = createInterface({ input: io.input, output: io.output });
  try {
    const answer = (await rl.question(`${question} [Y/n] `)).trim().toLowerCase();
    const yes = answer === '' || answer === 'y' || answer === 'yes';
    // A refusal is said, not silent: the learner sees that nothing happened and why.
    if (!yes) io.output.write(`Nothing done (answered "${answer}"); nothing was changed.\n`);
    return yes;
  } finally {
    rl.close();
  }
}

/** An AbortSignal that Ctrl-C (SIGINT) and SIGTERM abort; a second Ctrl-C exits at once. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const onSignal = () => {
    count++;
    if (count > 1) process.exit(130);
    process.stderr.write('\ninterrupted: stopping after saving state (Ctrl-C again to quit now)\n');
    controller.abort(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export function exitCodeFor(status: 'ok' | 'failed' | 'interrupted'): number {
  return status === 'ok' ? 0 : status === 'interrupted' ? 130 : 1;
}

/** `3` (1-based, as shown) or a step id → 0-based index. */
export function stepIndex(steps: { id: string }[], value: string, lessonId: string): number {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1 || n > steps.length) throw new Error(`${lessonId} has steps 1 to ${steps.length}, not ${n}`);
    return n - 1;
  }
  const found = steps.findIndex((s) => s.id === value);
  if (found < 0) throw new Error(`${lessonId} has no step "${value}" (steps: ${steps.map((s) => s.id).join(', ')})`);
  return found;
}

export function usageError(message: string, usage: string): number {
  process.stderr.write(`agw-workshop: ${message}\nusage: ${usage}\n`);
  return 2;
}
