// The end of a lesson: what you did (each step, done by hand or by the
// workshop), what you saw (each probe's observed against expected), what the
// lab text gets wrong (the lesson's `corrections:`), and the next lesson.
// Built from the lesson's saved state, so the runner (a headless or TUI run)
// and hands-on mode (the learner's own commands) give the same summary.
import { listLessons, workshopLesson } from './list.js';
import { loadLesson } from './load.js';
import { LessonState, type StepObservation } from './state.js';
import type { LessonCorrection } from './types.js';
import { workshopProgress, type WorkshopProgress } from './workshop-progress.js';

export interface StepDone {
  index: number;
  id: string;
  title: string;
  /** `workshop`: run for you (⏎, `run`, `catch-up`); `by-hand`: your own commands, checked by effect. */
  how: 'workshop' | 'by-hand';
}

export interface StepSeen extends StepObservation {
  index: number;
  id: string;
  title: string;
}

/** A correction with the step that shows it, numbered as the lesson shows it. */
export interface CorrectionShown extends LessonCorrection {
  /** 1-based step number of `step`, and its title. */
  stepNumber?: number;
  stepTitle?: string;
}

export interface EndOfLesson {
  lessonId: string;
  title: string;
  stepCount: number;
  did: StepDone[];
  saw: StepSeen[];
  corrections: CorrectionShown[];
  /** The whole workshop after this lesson, with the next lesson to take. */
  workshop: WorkshopProgress;
}

export interface SummaryOptions {
  home?: string;
  /** Package root holding lessons/ (tests use their own). */
  root?: string;
}

/** The summary of a lesson from its saved progress (call it once the lesson is complete). */
export async function summarizeLesson(lessonId: string, options: SummaryOptions = {}): Promise<EndOfLesson> {
  const lesson = await loadLesson(lessonId, options.root);
  const state = await LessonState.open(lessonId, options.home);
  const done = new Set(state.completedSteps);
  const byHand = new Set(state.byHand);
  const did: StepDone[] = lesson.steps.flatMap((step, index) =>
    done.has(step.id) ? [{ index, id: step.id, title: step.title, how: byHand.has(step.id) ? ('by-hand' as const) : ('workshop' as const) }] : [],
  );
  const saw: StepSeen[] = lesson.steps.flatMap((step, index) => {
    const observation = state.observations[step.id];
    return step.kind === 'probe' && done.has(step.id) && observation ? [{ index, id: step.id, title: step.title, ...observation }] : [];
  });
  const lessons = (await listLessons(options)).map(workshopLesson);
  return {
    lessonId: lesson.id,
    title: lesson.title,
    stepCount: lesson.steps.length,
    did,
    saw,
    corrections: lesson.corrections.map((c) => {
      const index = c.step ? lesson.steps.findIndex((s) => s.id === c.step) : -1;
      return index < 0 ? c : { ...c, stepNumber: index + 1, stepTitle: lesson.steps[index]!.title };
    }),
    workshop: workshopProgress(lessons, lesson.id),
  };
}
