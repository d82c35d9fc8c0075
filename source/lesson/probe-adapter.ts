// The probe library (source/probe) as the runner uses it: send the request,
// compare with the lesson's expectation, and ask the explainer why.
import type { ProbeRequest, ProbeResult } from '../probe/types.js';
import type { Explanation, FieldVerdict } from './events.js';
import type { LessonExpectation } from './types.js';
import { evaluateLessonExpectation } from './verdicts.js';

interface ProbeLibrary {
  probe(request: ProbeRequest): Promise<ProbeResult>;
  explain?(result: ProbeResult, expectation?: unknown): Explanation | undefined;
}

let library: Promise<ProbeLibrary> | undefined;

function loadProbeLibrary(): Promise<ProbeLibrary> {
  // A variable specifier keeps this building while source/probe/index.ts is being written by its owner.
  const specifier = '../probe/index.js';
  library ??= import(specifier) as Promise<ProbeLibrary>;
  return library;
}

export interface ProbeOutcomeReport {
  result: ProbeResult;
  verdicts: FieldVerdict[];
  explanation?: Explanation;
  ok: boolean;
}

export async function probeAndJudge(request: ProbeRequest, expect: LessonExpectation, expectedExplanation?: string): Promise<ProbeOutcomeReport> {
  const lib = await loadProbeLibrary();
  const result = await lib.probe(request);
  const verdicts = evaluateLessonExpectation(result, expect);
  let explanation: Explanation | undefined;
  try {
    explanation = lib.explain?.(result, toProbeExpectation(expect)) ?? undefined;
  } catch {
    explanation = undefined; // an explainer bug must not hide the observation
  }
  if (expectedExplanation) {
    const observed = explanation?.id ?? '(none)';
    verdicts.push({ field: 'explanation', expected: expectedExplanation, observed, ok: observed === expectedExplanation });
  }
  return { result, verdicts, explanation, ok: verdicts.every((v) => v.ok) };
}

/** The lesson's expectation in the probe library's terms. */
function toProbeExpectation(expect: LessonExpectation): unknown {
  return expect;
}
