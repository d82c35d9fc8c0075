// The lessons with their progress. Its own module, importing load.js and
// state.js only, so the TUI's home screen can list lessons without pulling in
// the runner and client-node.
import { lessonIds, loadLesson, packageRoot } from './load.js';
import { LessonState } from './state.js';
import type { LessonSummary } from './types.js';
import type { WorkshopLesson } from './workshop-progress.js';

export async function listLessons(options: { home?: string; root?: string } = {}): Promise<LessonSummary[]> {
  const root = options.root ?? packageRoot();
  const out: LessonSummary[] = [];
  for (const id of await lessonIds(root)) {
    const lesson = await loadLesson(id, root);
    const state = await LessonState.open(id, options.home);
    const completedSteps = lesson.steps.filter((s) => state.completedSteps.includes(s.id)).length;
    out.push({
      id,
      title: lesson.title,
      summary: lesson.summary,
      prerequisites: lesson.prerequisites,
      stepCount: lesson.steps.length,
      progress: { completedSteps, status: state.status },
    });
  }
  return out;
}

/** A listed lesson as the workshop's progress counts it: done when completed. */
export function workshopLesson(summary: LessonSummary): WorkshopLesson {
  return {
    id: summary.id,
    title: summary.title,
    prerequisites: summary.prerequisites,
    stepCount: summary.stepCount,
    completedSteps: summary.progress.completedSteps,
    done: summary.progress.status === 'completed',
  };
}
