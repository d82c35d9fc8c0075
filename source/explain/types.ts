import type { FieldVerdict } from '../lesson/events.js';
import type { ProbeExpectation } from '../probe/expectation.js';
import type { ProbeResult } from '../probe/types.js';

export interface ExplainContext {
  expectation?: ProbeExpectation;
  /** The verdicts that failed, when an expectation was given. */
  failed: FieldVerdict[];
}

/** One failure mode: when it applies, and what to tell the learner. */
export interface FailureMode {
  id: string;
  title: string;
  matches(result: ProbeResult, context: ExplainContext): boolean;
  explain(result: ProbeResult, context: ExplainContext): { cause: string; fix?: string };
}
