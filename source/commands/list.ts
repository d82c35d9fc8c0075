// agw-workshop list [--json] — the lessons and your progress in each.
import { parseFlags } from '../report/parse-flags.js';
// list.js, not the lesson API's index.js: listing must not load the runner.
import { listLessons, workshopLesson } from '../lesson/list.js';
import { plural } from '../common/plural.js';
import { workshopProgress } from '../lesson/workshop-progress.js';
import type { LessonSummary } from '../lesson/types.js';

/** The same words as the home screen (source/tui/home/home-lines.ts). */
const statusWords: Record<LessonSummary['progress']['status'], string> = {
  'not-started': 'not started',
  'in-progress': 'in progress',
  interrupted: 'paused',
  completed: 'done',
  failed: 'failed',
};

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags('agw-workshop list [--json]', { args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('agw-workshop list [--json]\n');
    return 0;
  }
  const lessons = await listLessons();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(lessons, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...lessons.map((l) => l.id.length));
  for (const l of lessons) {
    const progress = l.progress.status === 'not-started' ? 'not started' : `${l.progress.completedSteps}/${plural(l.stepCount, 'step')}, ${statusWords[l.progress.status]}`;
    process.stdout.write(`${l.id.padEnd(width)}  ${l.title}  [${progress}]\n${' '.repeat(width)}  ${l.summary}\n`);
  }
  // The same totals and next lesson as the home screen.
  const workshop = workshopProgress(lessons.map(workshopLesson));
  process.stdout.write(`\nWorkshop: ${workshop.lessonsDone}/${workshop.lessonCount} lessons done, ${workshop.stepsDone}/${plural(workshop.stepCount, 'step')}.\n`);
  process.stdout.write(workshop.next ? `Next: ${workshop.next.title} (${workshop.next.reason}): agw-workshop run ${workshop.next.id}\n` : 'Next: nothing, every lesson is done.\n');
  process.stdout.write(`\nRun one: agw-workshop run <id>   ·   open the workshop: agw-workshop\n`);
  return 0;
}
