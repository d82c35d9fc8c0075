import type { FieldVerdict, ProbeExpectation } from '../probe/expectation.js';
import type { ProbeResult } from '../probe/types.js';

/** What the explainer tells the learner about one observation. */
export interface Explanation {
  /** Catalogue id, e.g. 'sni-no-listener'. */
  id: string;
  title: string;
  /** What happened and why, in plain words. */
  cause: string;
  fix?: string;
}

/** A probe's result judged against an expectation and explained: what the runner reports, the TUI shows and the playground re-runs. */
export interface ProbeVerdict {
  result: ProbeResult;
  verdicts: FieldVerdict[];
  explanation?: Explanation;
  ok: boolean;
}

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
