// Condition values, built the same way everywhere.
import type { Condition } from '../ir/status-types.js';

export function condition(
  type: string,
  status: boolean | 'Unknown',
  reason: string,
  message: string,
  observedGeneration: number,
  now: string,
): Condition {
  return {
    type,
    status: status === 'Unknown' ? 'Unknown' : status ? 'True' : 'False',
    reason,
    message,
    observedGeneration,
    lastTransitionTime: now,
  };
}

/** A problem found while resolving something: the reason and message a condition carries. */
export interface Problem {
  reason: string;
  message: string;
}
