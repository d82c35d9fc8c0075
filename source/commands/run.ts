// agw-workshop run <id> [--step N] [--yes] [--json] [--report FILE.md] [--context C] [--kubeconfig F]
// Runs a lesson headless; exit 0 only when every step and expectation held.
import { parseFlags } from '../report/parse-flags.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import { createRunner, loadLesson } from '../lesson/index.js';
import { MarkdownReport } from '../report/markdown.js';
import { clusterTargetOf, COMMON_OPTIONS, confirm, exitCodeFor, interruptSignal, reporterFor, stepIndex, usageError } from './command-support.js';

const USAGE = 'agw-workshop run <lesson> [--step N|ID] [--yes] [--json] [--report FILE.md] [--context NAME] [--kubeconfig FILE] [--namespace NS]';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, {
    args: argv,
    options: { ...COMMON_OPTIONS, step: { type: 'string' }, report: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n\nRuns every step of a lesson (from the first unfinished one; --step to choose).\nWithout a TTY no confirmation is asked. Exit status 0 only when every expectation held.\n`);
    return 0;
  }
  const lessonId = positionals[0];
  if (!lessonId || positionals.length > 1) return usageError('run needs one lesson id', USAGE);
  const lesson = await loadLesson(lessonId);
  const fromStep = values.step !== undefined ? stepIndex(lesson.steps, values.step, lesson.id) : undefined;
  if (!(await confirm(`Run "${lesson.title}": it creates certificates and Kubernetes objects. Continue?`, values))) return 1;

  const report = values.report ? new MarkdownReport() : undefined;
  const interrupt = interruptSignal();
  try {
    const runner = createRunner({
      lessonId,
      fromStep,
      yes: values.yes,
      signal: interrupt.signal,
      ...clusterTargetOf(values),
      runPrerequisites: true,
    });
    runner.on(reporterFor(values));
    if (report) runner.on(report.listener);
    const status = await runner.run();
    if (report && values.report) await writeFileAtomic(values.report, report.render());
    return exitCodeFor(status);
  } finally {
    interrupt.dispose();
  }
}
