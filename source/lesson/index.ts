// The lesson API the TUI, the headless commands and tests use.
//   listLessons()          lessons with progress
//   loadLesson(id)         a validated lesson (steps with text, YAML, expectations)
//   createRunner(options)  run steps → RunnerEvents (events iterator or on(listener)), run() → 'ok'|'failed'|'interrupted'
//   cleanupLesson(id, onEvent)  undo what the lesson created, then restore
//   runProbeStep(options)  re-run a probe step with the learner's edits (ProbeEdits)
//   stepCommands(...)      the equivalent commands of a step, for display before it runs
export type * from './types.js';
export type { RunnerEvent } from './events.js';
export { loadLesson, lessonIds, packageRoot } from './load.js';
export { LessonError } from './yaml-reader.js';
export { createRunner, type RunnerOptions, type LessonRunner, type RunStatus } from './runner.js';
export { cleanupLesson, type CleanupOptions } from './cleanup.js';
export { runProbeStep, lessonEdits, type ProbeStepOptions, type ProbeStepReport } from './probe-rerun.js';
export { resolveTarget, kubectlPrefix, type ClusterTarget } from './cluster-target.js';
export { lessonsWithState, LessonState } from './state.js';
export { listLessons } from './list.js';
export { stepCommands } from './step-commands.js';
