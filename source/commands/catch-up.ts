// agw-workshop catch-up <id>[:step] — for instructor-led sessions: run every
// step before the given one without stopping, so a learner lands where the
// class is. Without a step, the whole lesson.
import { parseFlags } from '../report/parse-flags.js';
import { createRunner, loadLesson } from '../lesson/index.js';
import { clusterTargetOf, COMMON_OPTIONS, exitCodeFor, interruptSignal, reporterFor, stepIndex, usageError } from './command-support.js';

const USAGE = 'agw-workshop catch-up <lesson>[:<step number or id>] [--yes] [--json] [--context NAME] [--kubeconfig FILE]';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, { args: argv, options: COMMON_OPTIONS, allowPositionals: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n\nRuns everything before that step (from the first unfinished one), without asking.\n`);
    return 0;
  }
  const target = positionals[0];
  if (!target || positionals.length > 1) return usageError('catch-up needs <lesson>[:step]', USAGE);
  const [lessonId, stepText] = target.split(':', 2) as [string, string | undefined];
  const lesson = await loadLesson(lessonId);
  const toStep = stepText ? stepIndex(lesson.steps, stepText, lesson.id) : undefined;
  const interrupt = interruptSignal();
  try {
    const runner = createRunner({
      lessonId,
      toStep,
      yes: true,
      signal: interrupt.signal,
      ...clusterTargetOf(values),
      runPrerequisites: true,
    });
    runner.on(reporterFor(values));
    const status = await runner.run();
    if (status === 'ok' && !values.json) process.stdout.write(`\n${caughtUpLine(lesson, toStep)}\n`);
    return exitCodeFor(status);
  } finally {
    interrupt.dispose();
  }
}

/** What catch-up says when it is done: the step you are ready at, or that the whole lesson ran. */
export function caughtUpLine(lesson: { id: string; steps: { title: string }[] }, toStep: number | undefined): string {
  return toStep !== undefined
    ? `caught up: ${lesson.id} is ready at step ${toStep + 1} (${lesson.steps[toStep]!.title})`
    : `caught up: every step of ${lesson.id} has run (no step was given, so catch-up ran the whole lesson)`;
}
