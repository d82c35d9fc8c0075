// Check by effect: whether a step's effect is there, judged from the cluster,
// the certificate files, the Secrets and the gateway's access log. A check
// only reads; it never runs the step.
import type { ClusterClient } from '../../cluster/client.js';
import type { Lesson, StepKind } from '../types.js';
import type { AccessLine } from './gateway-log.js';

/**
 * - ok: the effect is there;
 * - missing: what the step makes does not exist (object, file, request);
 * - mismatch: it exists, but differs from what the lesson wants;
 * - superseded: a later step (in the range checked) changes the same object, so this step's effect is not expected to last;
 * - nothing: the step has no effect to check (explain);
 * - unobservable: the effect cannot be seen from outside (e.g. a refused connection never reaches the gateway).
 */
export type CheckStatus = 'ok' | 'missing' | 'mismatch' | 'superseded' | 'nothing' | 'unobservable';

export interface CheckFinding {
  ok: boolean;
  /** What was looked at, e.g. `HTTPRoute agentgateway-system/mock-openai-foo-route` or `Secret foo`. */
  subject: string;
  expected?: string;
  observed?: string;
  /** One sentence for the learner, e.g. "the Secret `foo` exists but its certificate is for mock-openai-bar…". */
  message: string;
  /** A later step changes this object again, so it was not judged here. */
  superseded?: boolean;
}

export interface StepCheck {
  index: number;
  stepId: string;
  kind: StepKind;
  title: string;
  status: CheckStatus;
  /** True for ok, superseded and nothing. */
  holds: boolean;
  /** The first problem, or a summary of what was seen when it holds. */
  message: string;
  findings: CheckFinding[];
}

export interface CheckEnvironment {
  lesson: Lesson;
  client: ClusterClient;
  namespace: string;
  gatewayName: string;
  workDir: string;
  /** Directories searched for certificate files (besides workDir), e.g. the learner's current directory. */
  certificateDirs: string[];
  /** Fills ${NAMESPACE}, ${WORK_DIR}, ${GATEWAY_NAME} (GATEWAY_IP is never needed to check). */
  fill(text: string, where: string): Promise<string>;
  /** The gateway's access log lines, oldest first (read once per check run and cached). */
  accessLog(): Promise<AccessLine[]>;
  /** Only requests at or after this time count for probe steps (ms since epoch); default: any. */
  since?: number;
}

export function holdsFor(status: CheckStatus): boolean {
  return status === 'ok' || status === 'superseded' || status === 'nothing';
}
