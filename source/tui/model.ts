// What the screens show, independent of where it comes from. The live
// services adapt the lesson runner and the probe to these shapes; tests feed
// fixtures. Runner progress arrives only as RunnerEvents (source/lesson/events.ts).
import type { RunnerEvent } from '../lesson/events.js';
import type { ProbeVerdict } from '../explain/types.js';
import type { ProbeRequest } from '../probe/types.js';
import type { ProbeEdits } from '../probe/request-edits.js';
import type { TracePaneState } from './traces/trace-lines.js';
import type { HandsOnServices } from './hands-on/model.js';
import type { StepCommand } from '../lesson/step-commands.js';

/** `paused`: stopped by the learner (progress saved, the next run resumes); not a failure. */
export type LessonStatus = 'not-started' | 'in-progress' | 'paused' | 'done' | 'failed';

export interface LessonSummary {
  id: string;
  title: string;
  summary?: string;
  stepCount: number;
  /** Steps completed (saved progress). */
  completedSteps: number;
  status: LessonStatus;
  /** Lessons to finish first (the next lesson to take respects them). */
  prerequisites?: string[];
}

export interface StepView {
  id: string;
  kind: string;
  title: string;
  /** Markdown. */
  text?: string;
  /** The manifests this step applies or deletes, as YAML. */
  yaml?: string;
  commands: StepCommand[];
  presenterNotes?: string;
  /** Present on probe steps: the request the lesson sends (the playground starts from it). */
  probe?: ProbeRequest;
}

export interface LessonView {
  id: string;
  title: string;
  summary?: string;
  presenterNotes?: string;
  steps: StepView[];
  /** Indices of steps already done (saved progress). */
  completed: number[];
}

export interface ClusterStatus {
  /** 'embedded' or the kube context name in use. */
  kind: 'embedded' | 'context';
  /** e.g. 'embedded cluster at https://127.0.0.1:6443' or 'context kind-workshop'. */
  description: string;
  reachable: boolean;
  gateway: { ready: boolean; detail: string };
}

/** Declared where verdicts are produced (source/explain/types.ts). */
export type { ProbeVerdict };

export interface RunHandle {
  /** Ask the run to stop after the step in progress; resolves when it has. */
  stop(): Promise<void>;
  /** Resolves when the run is over (events have all been delivered). */
  done: Promise<void>;
}

export interface RunOptions {
  lessonId: string;
  /** 0-based index of the first step to run. */
  fromStep: number;
  /** 0-based index of the last step to run (inclusive); absent runs to the end. */
  toStep?: number;
  onEvent(event: RunnerEvent): void;
}

/** Everything the screens need from the outside world; injected through context. */
export interface WorkshopServices {
  listLessons(): Promise<LessonSummary[]>;
  loadLesson(id: string): Promise<LessonView>;
  clusterStatus(): Promise<ClusterStatus>;
  runLesson(options: RunOptions): RunHandle;
  /**
   * Re-run a probe step against its expectation, with the learner's changes: the runner builds
   * the step's request from the lesson (filling e.g. the gateway's address) and applies `edits`.
   */
  probe(lessonId: string, stepIndex: number, edits: ProbeEdits): Promise<ProbeVerdict>;
  /** The last requests' traces from the cluster's trace service (the lesson screen's trace view, key t). */
  recentTraces?(limit: number): Promise<TracePaneState>;
  /** Hands-on mode (checks by effect, watches, real tools); absent: the mode is not offered. */
  handsOn?: HandsOnServices;
}
