// The lesson runner's data (source/lesson) in the shapes the screens show.
import type { Lesson, LessonSummary as RunnerLessonSummary, Step } from '../../lesson/types.js';
import type { ProbeRequest } from '../../probe/types.js';
import { displayedProbeRequest } from '../../lesson/probe-display.js';
import { DEFAULT_GATEWAY_NAME } from '../../lesson/variables-resolver.js';
import type { LessonStatus, LessonSummary, LessonView, StepView } from '../model.js';
import type { StepCommand } from '../../lesson/step-commands.js';

const statusOf: Record<RunnerLessonSummary['progress']['status'], LessonStatus> = {
  'not-started': 'not-started',
  'in-progress': 'in-progress',
  interrupted: 'paused',
  completed: 'done',
  failed: 'failed',
};

export function toLessonSummary(summary: RunnerLessonSummary): LessonSummary {
  return {
    id: summary.id,
    title: summary.title,
    summary: summary.summary,
    stepCount: summary.stepCount,
    completedSteps: summary.progress.completedSteps,
    status: statusOf[summary.progress.status],
    prerequisites: summary.prerequisites,
  };
}

export interface ViewContext {
  /** Where the lesson's certificates are written. */
  workDir: string;
  namespace: string;
  commands(step: Step): StepCommand[];
}

/** Lesson variables known without a cluster, filled as the equivalent commands fill them (${GATEWAY_IP} stays for the shell). */
function fillShown(text: string, context: ViewContext): string {
  return text.replace(/\$\{NAMESPACE\}/g, context.namespace).replace(/\$\{WORK_DIR\}/g, context.workDir).replace(/\$\{GATEWAY_NAME\}/g, DEFAULT_GATEWAY_NAME);
}

/** The probe step's request as the lesson would send it (addresses still as variables). */
export function displayProbeRequest(step: Step, context: ViewContext): ProbeRequest | undefined {
  if (step.kind !== 'probe') return undefined;
  return displayedProbeRequest(step.probe, context.workDir, (text) => fillShown(text, context));
}

export function toLessonView(lesson: Lesson, completedStepIds: readonly string[], context: ViewContext): LessonView {
  const done = new Set(completedStepIds);
  const steps: StepView[] = lesson.steps.map((step, i) => ({
    id: step.id,
    kind: step.kind,
    title: step.title,
    // The lesson's introduction opens its first step, unless that step already shows it (its text is intro.md).
    text: i === 0 && lesson.intro && !(step.text ?? '').includes(lesson.intro.trim()) ? `${lesson.intro.trim()}\n\n${step.text ?? ''}` : step.text,
    // As it will be applied: the values the commands beside it show, not ${NAMESPACE}.
    yaml: 'yaml' in step && step.yaml ? fillShown(step.yaml, context) : undefined,
    commands: context.commands(step),
    presenterNotes: step.notes,
    probe: displayProbeRequest(step, context),
  }));
  return {
    id: lesson.id,
    title: lesson.title,
    summary: lesson.summary,
    steps,
    completed: lesson.steps.flatMap((s, i) => (done.has(s.id) ? [i] : [])),
  };
}
