// A prediction asked before a probe step, judged against what really
// happened: the gateway's record of the learner's own request, or the
// workshop's probe result. The right answers are the choices whose claims
// the observation satisfies; none is decided in advance.
import type { ProbeResult } from '../../probe/types.js';
import { judge } from '../probe-adapter.js';
import { normalizeName } from '../steps/certs.js';
import type { Prediction } from '../types.js';
import { describeObservation, judgeObservation, type CertificateSeen, type GatewayObservation } from './gateway-log.js';

export type PredictionEvidence =
  | { from: 'gateway'; observation: GatewayObservation; certificate?: CertificateSeen }
  | { from: 'probe'; result: ProbeResult };

export interface PredictionVerdict {
  /** Indexes of the choices the observation satisfies. */
  matching: number[];
  right: boolean;
  /** What was observed, in one line. */
  observed: string;
}

function choiceHolds(claim: Prediction['choices'][number]['observed'], evidence: PredictionEvidence): boolean {
  if (evidence.from === 'probe') return judge(evidence.result, claim).ok;
  const { findings } = judgeObservation(evidence.observation, claim, evidence.certificate, normalizeName);
  // A claim the gateway cannot see at all (only body or header) is not confirmed by it.
  return findings.length > 0 && findings.every((f) => f.ok);
}

export function judgePrediction(prediction: Prediction, answer: number, evidence: PredictionEvidence): PredictionVerdict {
  const matching = prediction.choices.map((c, i) => (choiceHolds(c.observed, evidence) ? i : -1)).filter((i) => i >= 0);
  const observed =
    evidence.from === 'gateway'
      ? describeObservation(evidence.observation)
      : `${evidence.result.outcome}${evidence.result.http ? `, HTTP ${evidence.result.http.status}` : ''}, curl exit ${evidence.result.curlExitCode}`;
  return { matching, right: matching.includes(answer), observed };
}
