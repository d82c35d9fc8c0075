// Hands-on mode's view of the outside world: the checks by effect, what to
// watch, the real tools, the clipboard. Optional in WorkshopServices so a
// screen without it (tests of other screens, older fakes) still works.
import type { StepCommand } from '../../lesson/step-commands.js';
import type { ProbeResult } from '../../probe/types.js';
import type { EndOfLesson } from '../../lesson/summary.js';

export interface CheckFindingView {
  ok: boolean;
  subject: string;
  expected?: string;
  observed?: string;
  message: string;
}

export interface StepCheckView {
  index: number;
  stepId: string;
  status: 'ok' | 'missing' | 'mismatch' | 'superseded' | 'nothing' | 'unobservable';
  holds: boolean;
  message: string;
  findings: CheckFindingView[];
}

export interface HandsOnStepData {
  hints: string[];
  predict?: { question: string; choices: string[] };
}

export interface ToolRunView {
  command: string;
  tool: StepCommand['tool'];
  /** Set when the tool is not installed: what to type to install it. */
  missing?: { tool: string; hint: string };
  exitCode?: number;
  /** curl -v / openssl lines (stderr) and the body or kubectl output (stdout), bounded. */
  stdout: string;
  stderr: string;
  ms: number;
}

export interface PredictionVerdictView {
  matching: number[];
  right: boolean;
  observed: string;
}

export type WatchSource = 'cluster' | 'gateway' | 'files';

export interface HandsOnServices {
  steps(lessonId: string): Promise<HandsOnStepData[]>;
  /** Judges every step now; probe steps count requests at or after `since` (ms). */
  check(lessonId: string, since: number): Promise<StepCheckView[]>;
  /** Calls onChange when something a check reads may have changed; returns a function that stops watching. */
  watch(lessonId: string, onChange: (source: WatchSource, detail: string) => void): () => void;
  /** Runs the shown commands (one shell, in order) with the real tools. */
  runTool(commands: StepCommand[]): Promise<ToolRunView>;
  /** The prediction judged against the gateway's newest matching request since `since`, or the workshop's probe result. */
  judgePrediction(lessonId: string, stepIndex: number, answer: number, since: number, probe?: ProbeResult): Promise<PredictionVerdictView | undefined>;
  /** Undo what the lesson created (the `cleanup` command); resolves to a one-line summary. */
  cleanup(lessonId: string): Promise<string>;
  /** Put text on the terminal's clipboard (OSC 52). */
  copy(text: string): void;
  /**
   * Every step's effect holds: saves the steps not yet done as done by hand (with what the gateway
   * saw of the learner's requests) and returns the end-of-lesson summary.
   */
  finish?(lessonId: string, checks: StepCheckView[]): Promise<EndOfLesson>;
}
