// What the lesson screen knows about a run, folded from RunnerEvents by a pure
// reducer: the TUI is one more subscriber of the runner, like the headless reporter.
import type { RunnerEvent } from '../../lesson/events.js';
import type { EndOfLesson } from '../../lesson/summary.js';
import type { LessonView, ProbeVerdict } from '../model.js';
import type { StepCommand } from '../../lesson/step-commands.js';

/** `paused`: the learner stopped the run during the step (s); progress is saved, ⏎ resumes. */
export type StepStatus = 'pending' | 'running' | 'ok' | 'failed' | 'skipped' | 'paused';

export interface StepRun {
  status: StepStatus;
  /** Clock time the step started (ms since epoch), while it runs. */
  startedAt?: number;
  ms?: number;
  /** Latest progress message of the running step. */
  progress?: string;
  /** Commands the runner reported running (equivalent commands, as executed). */
  commands: StepCommand[];
  output: string[];
  probe?: ProbeVerdict;
  error?: string;
}

export interface LessonRunState {
  lessonId: string;
  steps: StepRun[];
  running: boolean;
  /** Step the runner is working on, if any. */
  currentIndex: number | null;
  /** How the last run ended. */
  outcome?: 'ok' | 'failed' | 'interrupted';
  /** Steps that ended during the last run, in order (for auto-advance). */
  lastEnded?: { index: number; status: StepStatus };
  /** Why the last run stopped, when it failed outside any step (e.g. the cluster could not start). */
  error?: string;
  /** The run found the embedded cluster stopped and starts it (`starting`), or started it (`started`, until the run ends). */
  cluster?: 'starting' | 'started';
  /** The latest line of `cluster up` while it starts. */
  clusterProgress?: string;
  /** The end-of-lesson summary, once every step is done (from the runner, or from hands-on checks). */
  summary?: EndOfLesson;
  /** A prerequisite lesson the runner is running first (its events carry its own lessonId). */
  prerequisite?: { lessonId: string; title: string; step?: string; index?: number };
}

/** Output kept per step: enough to read, bounded so a chatty step cannot grow memory. */
export const maxOutputLines = 200;

export function initialRunState(lesson: LessonView): LessonRunState {
  const done = new Set(lesson.completed);
  return {
    lessonId: lesson.id,
    steps: lesson.steps.map((_, i) => ({ status: done.has(i) ? 'ok' : 'pending', commands: [], output: [] })),
    running: false,
    currentIndex: null,
  };
}

function updateStep(state: LessonRunState, index: number, change: (step: StepRun) => StepRun): LessonRunState {
  if (index < 0 || index >= state.steps.length) return state;
  const steps = state.steps.slice();
  steps[index] = change(steps[index]!);
  return { ...state, steps };
}

export type RunAction =
  | { type: 'event'; event: RunnerEvent; now: number }
  | { type: 'run-requested' }
  | { type: 'run-finished'; error?: string }
  /** Hands-on mode: every step's effect holds; the summary comes from the lesson's saved state. */
  | { type: 'finished-by-hand'; summary: EndOfLesson };

export function runReducer(state: LessonRunState, action: RunAction): LessonRunState {
  if (action.type === 'run-requested') return { ...state, running: true, outcome: undefined, lastEnded: undefined, prerequisite: undefined, error: undefined, summary: undefined, cluster: undefined, clusterProgress: undefined };
  if (action.type === 'finished-by-hand') {
    // Saved as done by hand: the lesson screen counts them as home and `list` now do, with the mode on or off.
    const done = new Set(action.summary.did.map((d) => d.index));
    return { ...state, summary: action.summary, steps: state.steps.map((s, i) => (done.has(i) && s.status !== 'running' ? { ...s, status: 'ok' } : s)) };
  }
  if (action.type === 'run-finished') {
    if (!state.running) return state;
    const current = state.currentIndex;
    let next: LessonRunState = {
      ...state,
      running: false,
      currentIndex: null,
      prerequisite: undefined,
      error: action.error,
      outcome: state.outcome ?? (action.error ? 'failed' : 'interrupted'),
    };
    // A run that ended without step-end leaves no step spinning forever: stopped is paused, an error is a failure.
    if (current !== null && state.steps[current]?.status === 'running') {
      next = updateStep(next, current, (s) =>
        action.error ? { ...s, status: 'failed', startedAt: undefined, error: s.error ?? action.error } : { ...s, status: 'paused', startedAt: undefined },
      );
    }
    return next;
  }
  const { event, now } = action;
  if (event.lessonId !== state.lessonId) return prerequisiteEvent(state, event);
  switch (event.type) {
    case 'lesson-start':
      return { ...state, running: true, outcome: undefined };
    case 'step-start':
      return {
        ...updateStep(state, event.index, () => ({ status: 'running', startedAt: now, commands: [], output: [] })),
        currentIndex: event.index,
        running: true,
      };
    case 'progress':
      return { ...updateStep(state, event.index, (s) => ({ ...s, progress: event.message })), ...(state.cluster === 'starting' ? { clusterProgress: event.message } : {}) };
    case 'command':
      return updateStep(state, event.index, (s) =>
        s.commands.some((c) => c.command === event.command) ? s : { ...s, commands: [...s.commands, { tool: event.tool, command: event.command }] },
      );
    case 'output':
      return updateStep(state, event.index, (s) => ({
        ...s,
        output: [...s.output, ...event.text.replace(/\n$/, '').split('\n')].slice(-maxOutputLines),
      }));
    case 'probe-result':
      return updateStep(state, event.index, (s) => ({
        ...s,
        probe: { result: event.result, verdicts: event.verdicts, explanation: event.explanation, ok: event.ok },
      }));
    case 'step-end':
      return {
        ...updateStep(state, event.index, (s) => ({ ...s, status: stepStatusOf(event.status), ms: event.ms, startedAt: undefined, progress: undefined, error: event.error })),
        currentIndex: state.currentIndex === event.index ? null : state.currentIndex,
        lastEnded: { index: event.index, status: stepStatusOf(event.status) },
        // "Just started" explains the first step after the start; once one ends well it is old news.
        cluster: state.cluster === 'started' && event.status === 'ok' ? undefined : state.cluster,
      };
    case 'lesson-summary':
      return { ...state, summary: event.summary };
    case 'prerequisite':
      // The prerequisite's own lesson-start names it on the status line.
      return state;
    case 'cluster-start':
      return { ...state, cluster: event.phase === 'starting' ? 'starting' : 'started' };
    case 'lesson-end':
      return { ...state, running: false, currentIndex: null, outcome: event.status };
  }
}

function stepStatusOf(status: Extract<RunnerEvent, { type: 'step-end' }>['status']): StepStatus {
  return status === 'interrupted' ? 'paused' : status;
}

/** Steps done, as the home screen and `list` count them (saved progress plus this session's run). */
export function doneCount(state: LessonRunState): number {
  return state.steps.filter((s) => s.status === 'ok').length;
}

/** Events of another lesson during our run: a prerequisite the runner runs first. */
function prerequisiteEvent(state: LessonRunState, event: RunnerEvent): LessonRunState {
  if (!state.running) return state;
  switch (event.type) {
    case 'lesson-start':
      return { ...state, prerequisite: { lessonId: event.lessonId, title: event.title } };
    case 'step-start':
      return state.prerequisite ? { ...state, prerequisite: { ...state.prerequisite, step: event.title, index: event.index } } : state;
    case 'lesson-end':
      return { ...state, prerequisite: undefined };
    case 'progress':
      return state.cluster === 'starting' ? { ...state, clusterProgress: event.message } : state;
    case 'cluster-start':
      return { ...state, cluster: event.phase === 'starting' ? 'starting' : 'started' };
    default:
      return state;
  }
}

export const statusIcons: Record<StepStatus, string> = {
  pending: '○',
  running: '◐',
  ok: '✔',
  failed: '✘',
  skipped: '–',
  paused: '‖',
};
