// A lesson as data: what lessons/<id>/lesson.yaml holds once validated.
// Text fields are markdown already read from the lesson's .md files.
import type { ProbeOutcome, ProbeRequest } from '../probe/types.js';

export type StepKind = 'explain' | 'cluster' | 'certs' | 'apply' | 'delete' | 'secret' | 'wait' | 'probe' | 'restore' | 'restart' | 'tokens';
export const STEP_KINDS: readonly StepKind[] = ['explain', 'cluster', 'certs', 'apply', 'delete', 'secret', 'wait', 'probe', 'restore', 'restart', 'tokens'];

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Template; `${NAMESPACE}` by default for namespaced kinds. */
  namespace?: string;
}

export interface CertificateSpec {
  /** File stem in the work dir: `<name>.crt`, `<name>.key` (and `.csr` in the equivalent openssl commands). */
  name: string;
  subject: string;
  subjectAltNames: string[];
  usage: 'ca' | 'server' | 'client';
  /** Name of the signing certificate in the same lesson; absent → self-signed. */
  signer?: string;
  validityDays: number;
  keyType: 'rsa2048' | 'rsa3072' | 'rsa4096';
  serial?: number;
  /** Why this certificate differs from the lab text, if it does (shown to the learner). */
  note?: string;
}

export interface SecretSpec {
  name: string;
  namespace?: string;
  /** Name of a certificate from a certs step of this lesson: a `kubernetes.io/tls` Secret. */
  certificate?: string;
  /** Or an Opaque Secret of literal values (`kubectl create secret generic --from-literal`), as templates. */
  literals?: [string, string][];
}

/** How a test token is made from the lesson's signing key (steps/tokens.ts). */
export type TokenRecipe = 'signed' | 'alg-none' | 'hs256-public-key' | 'tampered';
export const TOKEN_RECIPES: readonly TokenRecipe[] = ['signed', 'alg-none', 'hs256-public-key', 'tampered'];

export interface TokenSpec {
  /** File stem in the work dir (`<name>.jwt`); `${TOKEN_<NAME>}` in probes (upper case, - as _). */
  name: string;
  recipe: TokenRecipe;
  /** Claims over the step's own (e.g. another iss). */
  claims: Record<string, unknown>;
  /** Seconds from now to `exp` (negative: already expired); absent: the step's default. */
  expiresInSeconds?: number;
  /** tampered: claims changed after signing, the signature kept. */
  tamper?: Record<string, unknown>;
}

/** A ConfigMap holding a lesson certificate (no key) under `ca.crt`: the CA bundle a BackendTLSPolicy or a Gateway's client validation reads. */
export interface CaConfigMapSpec {
  name: string;
  namespace?: string;
  /** Name of a certificate from a certs step of this lesson. */
  certificate: string;
}

/** What a probe step expects; compared field by field with what the probe observed. */
export interface LessonExpectation {
  outcome?: ProbeOutcome | ProbeOutcome[];
  curlExitCode?: number;
  certificate?: { subject?: string; issuer?: string; subjectAltNames?: string[] };
  alpn?: string;
  tlsVersion?: string;
  httpVersion?: '1.1' | '2';
  status?: number;
  bodyContains?: string;
  header?: Record<string, string>;
}

/** A probe as lesson data: the probe's own request fields (as templates), with certificate names instead of paths. */
export interface ProbeSpec
  extends Pick<ProbeRequest, 'url' | 'resolve' | 'sni' | 'insecure' | 'alpn' | 'httpVersion' | 'method' | 'headers' | 'body' | 'maxTimeMs'> {
  /** Name of a certificate of this lesson used as the CA bundle (curl --cacert). */
  cacert?: string;
  /** Name of a certificate of this lesson sent as the client certificate (curl --cert/--key). */
  clientCert?: string;
}

export interface WaitCondition {
  /** Condition type, e.g. Programmed, Available, Accepted. */
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
}

interface StepBase {
  /** Stable id, unique in the lesson (used by `catch-up lesson:step` and the journal). */
  id: string;
  kind: StepKind;
  title: string;
  /** Markdown shown for the step. */
  text: string;
  /** Instructor-only notes (`--presenter`). */
  notes?: string;
  /** Where this step was declared: `lessons/<id>/lesson.yaml:<line>`. */
  source: string;
  /** Hints for doing the step by hand, given one at a time (hands-on mode), after any targeted message. */
  hints?: string[];
}

export interface ExplainStep extends StepBase { kind: 'explain' }
export interface ClusterStep extends StepBase { kind: 'cluster' }
export interface CertsStep extends StepBase { kind: 'certs'; certificates: CertificateSpec[] }
export interface ManifestStep extends StepBase {
  kind: 'apply' | 'delete' | 'restore';
  /** Path relative to the repository root, e.g. manifests/lessons/sni-matching/gateway.yaml. */
  manifest?: string;
  /** Manifest text as written (variables not filled in), for display. */
  yaml?: string;
  /**
   * apply: the API server must refuse the manifest with an error containing
   * this text (a lab text's invalid object: the refusal is the observation).
   */
  rejectedWith?: string;
  /** delete: objects named directly (besides or instead of a manifest). */
  objects?: ObjectRef[];
}
export interface SecretStep extends StepBase { kind: 'secret'; secrets: SecretSpec[]; configMaps: CaConfigMapSpec[] }
export interface TokensStep extends StepBase {
  kind: 'tokens';
  /** Certificate of this lesson whose key signs (its public key is written as `<signer>.pub.pem`). */
  signer: string;
  /** Claims every token carries. */
  claims: Record<string, unknown>;
  expiresInSeconds: number;
  tokens: TokenSpec[];
}
export interface WaitStep extends StepBase {
  kind: 'wait';
  object: ObjectRef;
  /** Also looked for in status.parents[].conditions (routes) and status.listeners[].conditions. */
  condition: WaitCondition;
  timeoutSeconds: number;
  /** Print the object's status when the condition holds (e.g. to show a route that was not accepted). */
  showStatus: boolean;
}
export interface ProbeStep extends StepBase {
  kind: 'probe';
  probe: ProbeSpec;
  expect: LessonExpectation;
  /** Catalogue id of the explanation the lesson expects (e.g. sni-no-listener). */
  explanation?: string;
  /**
   * What to expect instead on a Node runtime whose TLS client never offers a session saved for
   * one name to another (measured, see runtime-facts.ts): there a shared session cache cannot fail.
   */
  whereSessionsBoundToNames?: { expect: LessonExpectation; explanation?: string };
  /** A question asked before the probe; judged against what is really observed. */
  predict?: Prediction;
}

export interface PredictionChoice {
  text: string;
  /** What this answer claims will be observed (the same fields as `expect`). */
  observed: LessonExpectation;
}

export interface Prediction {
  question: string;
  choices: PredictionChoice[];
}

/** restart: delete the pods a label selector picks (their controller makes new ones) and wait until a new one is Ready. */
export interface RestartStep extends StepBase {
  kind: 'restart';
  /** Label selector, e.g. `gateway.networking.k8s.io/gateway-name=agentgateway-proxy`. */
  selector: string;
  /** Template; `${NAMESPACE}` by default. */
  namespace?: string;
  timeoutSeconds: number;
}

export type Step = ExplainStep | ClusterStep | CertsStep | ManifestStep | SecretStep | WaitStep | ProbeStep | RestartStep | TokensStep;

/**
 * Something the lab text this lesson follows gets wrong, and what the lesson
 * shows instead: shown at the end of the lesson (`corrections:` in lesson.yaml).
 */
export interface LessonCorrection {
  /** What the lab text says (quoted or in short). */
  claim: string;
  /** What is true instead. */
  truth: string;
  /** Where the learner saw it: a step's observation, a status, a file. */
  evidence: string;
  /** Id of the step that shows it, when one does. */
  step?: string;
}

export interface Lesson {
  id: string;
  title: string;
  summary: string;
  prerequisites: string[];
  /** Default namespace (`${NAMESPACE}`). */
  namespace: string;
  /** The Gateway whose address is `${GATEWAY_IP}` and name `${GATEWAY_NAME}` (default agentgateway-proxy). */
  gateway?: string;
  /** Markdown introduction. */
  intro: string;
  steps: Step[];
  /** Steps `cleanup` runs after replaying the journal (restore kinds). */
  cleanup: ManifestStep[];
  /** What the lab text gets wrong (the end-of-lesson summary lists them). */
  corrections: LessonCorrection[];
  /** Absolute directory of lessons/<id>. */
  dir: string;
}

export interface LessonProgress {
  completedSteps: number;
  status: 'not-started' | 'in-progress' | 'completed' | 'failed' | 'interrupted';
}

export interface LessonSummary {
  id: string;
  title: string;
  summary: string;
  prerequisites: string[];
  stepCount: number;
  progress: LessonProgress;
}
