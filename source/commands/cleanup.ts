// agw-workshop cleanup <id>|--all [--yes] [--json] — undo exactly what a
// lesson created (journal, newest first), then its restore steps.
import { parseFlags } from '../report/parse-flags.js';
import { cleanupLesson, lessonIds, lessonsWithState, loadLesson, type RunStatus } from '../lesson/index.js';
import { clusterTargetOf, COMMON_OPTIONS, confirm, exitCodeFor, interruptSignal, reporterFor, usageError } from './command-support.js';

const USAGE = 'agw-workshop cleanup <lesson>|--all [--yes] [--json] [--context NAME] [--kubeconfig FILE]';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, { args: argv, options: { ...COMMON_OPTIONS, all: { type: 'boolean' } }, allowPositionals: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n\nDeletes what the lesson created, restores what it changed, then runs its restore steps.\nSafe to run twice and after a crash.\n`);
    return 0;
  }
  let ids: string[];
  if (values.all) {
    if (positionals.length) return usageError('give a lesson id or --all, not both', USAGE);
    const withState = new Set(await lessonsWithState());
    // Later lessons build on earlier ones: undo them first.
    ids = (await lessonIds()).filter((id) => withState.has(id)).reverse();
  } else {
    if (positionals.length !== 1) return usageError('cleanup needs one lesson id (or --all)', USAGE);
    ids = [(await loadLesson(positionals[0]!)).id];
  }
  if (!ids.length) {
    if (!values.json) process.stdout.write('nothing to clean up\n');
    return 0;
  }
  if (!(await confirm(`Clean up ${ids.join(', ')}: delete what ${ids.length > 1 ? 'they' : 'it'} created?`, values))) return 1;
  const interrupt = interruptSignal();
  const report = reporterFor(values);
  let worst: RunStatus = 'ok';
  try {
    for (const id of ids) {
      const status = await cleanupLesson(id, report, {
        signal: interrupt.signal,
        ...clusterTargetOf(values),
      });
      if (status === 'interrupted') return exitCodeFor(status);
      if (status === 'failed') worst = 'failed';
    }
    return exitCodeFor(worst);
  } finally {
    interrupt.dispose();
  }
}
