// What a step executor gets: the lesson, where to write, how to reach the
// cluster, how to fill variables, and how to speak (events).
import type { ClusterClient } from '../cluster/client.js';
import type { RunnerEvent } from './events.js';
import type { ClusterTarget } from './cluster-target.js';
import type { LessonState } from './state.js';
import type { Lesson, Step } from './types.js';

export type Tool = 'kubectl' | 'curl' | 'openssl' | 'shell';

export interface StepContext {
  lesson: Lesson;
  step: Step;
  index: number;
  state: LessonState;
  workDir: string;
  target: ClusterTarget;
  signal: AbortSignal;
  /** True while cleanup runs restore steps: they must not journal what they restore. */
  cleanup?: boolean;
  /** `kubectl` with the flags that reach the same cluster. */
  kubectl: string;
  emit(event: RunnerEvent): void;
  progress(message: string): void;
  command(tool: Tool, command: string): void;
  output(text: string): void;
  /** The cluster, started first when it is the embedded one and not running. */
  client(): Promise<ClusterClient>;
  /** Fills ${VARS} in text; resolves only the variables the text uses (GATEWAY_IP waits for the address). */
  fill(text: string, where: string): Promise<string>;
}

export interface StepResult {
  ok: boolean;
  error?: string;
}

export type StepExecutor = (ctx: StepContext) => Promise<StepResult>;

export class StepFailure extends Error {}
