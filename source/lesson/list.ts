// The lessons with their progress. Its own module, importing load.js and
// state.js only, so the TUI's home screen can list lessons without pulling in
// the runner and client-node.
import { lessonIds, loadLesson } from './load.js';
import { LessonState } from './state.js';
import type { LessonSummary } from './types.js';

export async function listLessons(options: { home?: string } = {}): Promise<LessonSummary[]> {
  const out: LessonSummary[] = [];
  for (const id of await lessonIds()) {
    const lesson = await loadLesson(id);
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
