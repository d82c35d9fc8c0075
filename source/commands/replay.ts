// agw-workshop replay <id> [--yes] [--json] — clean the lesson up, then run it
// from its first step.
import { parseFlags } from '../report/parse-flags.js';
import { cleanupLesson, createRunner, loadLesson } from '../lesson/index.js';
import { clusterTargetOf, COMMON_OPTIONS, confirm, exitCodeFor, interruptSignal, reporterFor, usageError } from './command-support.js';

const USAGE = 'agw-workshop replay <lesson> [--yes] [--json] [--context NAME] [--kubeconfig FILE]';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, { args: argv, options: COMMON_OPTIONS, allowPositionals: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n\nCleanup, then run from the first step. Prerequisite lessons not completed on this cluster run first, as with run (it says so).\n`);
    return 0;
  }
  if (positionals.length !== 1) return usageError('replay needs one lesson id', USAGE);
  const lesson = await loadLesson(positionals[0]!);
  if (!(await confirm(`Replay "${lesson.title}": clean it up, then run it again?`, values))) return 1;
  const interrupt = interruptSignal();
  const report = reporterFor(values);
  const connection = clusterTargetOf(values);
  try {
    const cleaned = await cleanupLesson(lesson.id, report, { signal: interrupt.signal, ...connection });
    if (cleaned !== 'ok') return exitCodeFor(cleaned);
    const runner = createRunner({ lessonId: lesson.id, fromStep: 0, yes: true, signal: interrupt.signal, runPrerequisites: true, ...connection });
    runner.on(report);
    return exitCodeFor(await runner.run());
  } finally {
    interrupt.dispose();
  }
}
