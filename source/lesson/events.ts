// The lesson runner speaks only in these events. The TUI, the headless
// reporter and `--json` are subscribers; none of them drives the runner's logic.
// The verdict types are the probe's and the explainer's (source/probe/expectation.ts,
// source/explain/types.ts): they are produced there.
import type { ProbeVerdict } from '../explain/types.js';
import type { EndOfLesson } from './summary.js';

export type RunnerEvent =
  | { type: 'lesson-start'; lessonId: string; title: string; stepCount: number; fromStep: number }
  /** Before a prerequisite lesson runs (run, replay, catch-up, the TUI): which one, and why. Its own lesson-start follows. */
  | { type: 'prerequisite'; lessonId: string; prerequisite: string; reason: string }
  /**
   * The embedded cluster was not running and the run starts it (`starting`), then it answers (`ready`,
   * with how long it took). Its system pods are Ready then; the gateway's own pods may take seconds more.
   */
  | { type: 'cluster-start'; lessonId: string; phase: 'starting' | 'ready'; ms?: number }
  | { type: 'step-start'; lessonId: string; index: number; stepId: string; kind: string; title: string }
  | { type: 'progress'; lessonId: string; index: number; message: string }
  | { type: 'command'; lessonId: string; index: number; tool: 'kubectl' | 'curl' | 'openssl' | 'shell'; command: string }
  | { type: 'output'; lessonId: string; index: number; text: string }
  | ({ type: 'probe-result'; lessonId: string; index: number } & ProbeVerdict)
  /** `interrupted`: the learner stopped the run during this step (s, Ctrl-C); progress is saved and the next run resumes here. It is not a failure. */
  | { type: 'step-end'; lessonId: string; index: number; status: 'ok' | 'failed' | 'skipped' | 'interrupted'; ms: number; error?: string }
  /** Once every step of the lesson is done (this run or before, by hand or by the workshop), just before its lesson-end. */
  | { type: 'lesson-summary'; lessonId: string; summary: EndOfLesson }
  | { type: 'lesson-end'; lessonId: string; status: 'ok' | 'failed' | 'interrupted'; ms: number; failedSteps: number[] };
