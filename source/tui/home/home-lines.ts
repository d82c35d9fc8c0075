// The home screen's text as lines (pure, so 80-column layout is testable).
import type { ClusterStatus, LessonSummary } from '../model.js';
import { type Line, truncateLine, wrapLine } from '../common/lines.js';
import { plural } from '../../common/plural.js';
import { workshopProgress, type WorkshopProgress } from '../../lesson/workshop-progress.js';

/** The workshop's progress from the home screen's lessons (the same function as `list` and the end of a lesson). */
export function homeProgress(lessons: LessonSummary[]): WorkshopProgress {
  return workshopProgress(
    lessons.map((l) => ({ id: l.id, title: l.title, prerequisites: l.prerequisites ?? [], stepCount: l.stepCount, completedSteps: l.completedSteps, done: l.status === 'done' })),
  );
}

/** Progress over the whole workshop, and the lesson to take next. */
export function workshopLines(progress: WorkshopProgress, width: number): Line[] {
  const lines: Line[] = [
    truncateLine(
      [
        { text: 'Workshop ', role: 'dim' },
        { text: progressBar(progress.lessonsDone, progress.lessonCount) },
        { text: ` ${progress.lessonsDone}/${progress.lessonCount} lessons done · ${progress.stepsDone}/${plural(progress.stepCount, 'step')}` },
      ],
      width,
    ),
  ];
  lines.push(
    ...wrapLine(
      progress.next
        ? [{ text: 'Next     ', role: 'dim' }, { text: progress.next.title, role: 'bold' }, { text: ` (${progress.next.reason})`, role: 'dim' }]
        : [{ text: 'Next     ', role: 'dim' }, { text: 'nothing: every lesson is done', role: 'ok' }],
      width,
      [{ text: '         ' }],
    ),
  );
  return lines;
}

export function progressBar(done: number, total: number, width = 10): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

const statusText: Record<LessonSummary['status'], string> = {
  'not-started': 'not started',
  'in-progress': 'in progress',
  paused: 'paused',
  done: 'done',
  failed: 'failed',
};

export function lessonRow(lesson: LessonSummary, selected: boolean, width: number): Line {
  // The count has a fixed width (up to 99/99) so every row's bar starts in the same column.
  const progress = `${progressBar(lesson.completedSteps, lesson.stepCount)} ${`${lesson.completedSteps}/${lesson.stepCount}`.padEnd(5)}`;
  const status = statusText[lesson.status];
  const right = `${progress}  ${status.padEnd(11)}`;
  const titleWidth = Math.max(width - right.length - 4, 10);
  const title = lesson.title.length > titleWidth ? `${lesson.title.slice(0, titleWidth - 1)}…` : lesson.title.padEnd(titleWidth);
  const role = lesson.status === 'done' ? 'ok' : lesson.status === 'failed' ? 'fail' : lesson.status === 'in-progress' || lesson.status === 'paused' ? 'warn' : 'dim';
  return truncateLine(
    [
      { text: selected ? '› ' : '  ', role: 'key' },
      { text: title, role: selected ? 'bold' : undefined },
      { text: '  ' },
      { text: progress },
      { text: '  ' },
      { text: status, role },
    ],
    width,
  );
}

export function clusterLines(cluster: ClusterStatus | undefined, checking: boolean, error: string | undefined, width: number): Line[] {
  if (!cluster) {
    const text = error ? `Cluster: could not check (${error})` : 'Cluster: checking…';
    return wrapLine([{ text, role: error ? 'fail' : 'dim' }], width);
  }
  const lines: Line[] = [];
  lines.push(
    ...wrapLine(
      [
        { text: 'Cluster  ', role: 'dim' },
        { text: cluster.reachable ? '● ' : '○ ', role: cluster.reachable ? 'ok' : 'fail' },
        { text: cluster.description },
        { text: cluster.reachable || /not started/.test(cluster.description) ? '' : ' (not reachable)', role: 'fail' },
      ],
      width,
      [{ text: '         ' }],
    ),
  );
  lines.push(
    ...wrapLine(
      [
        { text: 'Gateway  ', role: 'dim' },
        { text: cluster.gateway.ready ? '● ready' : '○ not ready', role: cluster.gateway.ready ? 'ok' : 'warn' },
        { text: ` ${cluster.gateway.detail}${checking ? ' (checking…)' : ''}`, role: 'dim' },
      ],
      width,
      [{ text: '         ' }],
    ),
  );
  return lines;
}
