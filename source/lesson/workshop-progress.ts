// Progress over the whole workshop, and the lesson to take next: one pure
// function that the home screen, `list` and the end-of-lesson summary share,
// so they agree on counts and on the next lesson.
import { plural } from '../common/plural.js';

export interface WorkshopLesson {
  id: string;
  title: string;
  prerequisites: readonly string[];
  stepCount: number;
  completedSteps: number;
  done: boolean;
}

export interface NextLesson {
  id: string;
  title: string;
  /** Why this one, in a few words (e.g. "its prerequisite setup is done"). */
  reason: string;
}

export interface WorkshopProgress {
  lessonsDone: number;
  lessonCount: number;
  stepsDone: number;
  stepCount: number;
  /** Absent when every lesson is done. */
  next?: NextLesson;
}

/**
 * The next lesson: the first lesson not done, in the workshop's order, whose
 * prerequisites are all done; after `after` (the lesson just finished) when
 * one there qualifies. A lesson whose prerequisites are not done is never
 * proposed before them.
 */
export function nextLesson(lessons: readonly WorkshopLesson[], after?: string): NextLesson | undefined {
  const done = new Set(lessons.filter((l) => l.done).map((l) => l.id));
  const known = new Set(lessons.map((l) => l.id));
  const ready = (l: WorkshopLesson) => !l.done && l.prerequisites.every((p) => done.has(p) || !known.has(p));
  const start = after ? lessons.findIndex((l) => l.id === after) + 1 : 0;
  const pick = lessons.slice(start).find(ready) ?? lessons.find(ready);
  if (!pick) return undefined;
  const prerequisites = pick.prerequisites.filter((p) => known.has(p));
  const reason =
    pick.completedSteps > 0
      ? `in progress: ${pick.completedSteps}/${plural(pick.stepCount, 'step')} done`
      : prerequisites.length
        ? `${prerequisites.length === 1 ? 'its prerequisite' : 'its prerequisites'} ${prerequisites.join(', ')} ${prerequisites.length === 1 ? 'is' : 'are'} done`
        : 'first in the workshop order';
  return { id: pick.id, title: pick.title, reason };
}

export function workshopProgress(lessons: readonly WorkshopLesson[], after?: string): WorkshopProgress {
  const next = nextLesson(lessons, after);
  return {
    lessonsDone: lessons.filter((l) => l.done).length,
    lessonCount: lessons.length,
    stepsDone: lessons.reduce((sum, l) => sum + Math.min(l.completedSteps, l.stepCount), 0),
    stepCount: lessons.reduce((sum, l) => sum + l.stepCount, 0),
    ...(next ? { next } : {}),
  };
}
