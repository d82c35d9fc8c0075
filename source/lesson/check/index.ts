// Check by effect, per step kind. Used by `agw-workshop check` and by the
// TUI's hands-on mode (which re-checks when the cluster, the gateway's access
// log or the work directory change). Generic by kind: any lesson's steps are
// checkable without lesson-specific code.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClusterClient, type ClusterClient, type KubeObject, type ObjectRef } from '../../cluster/client.js';
import { ClusterObserver } from '../../cluster/observe.js';
import { oneLineName } from '../../pki/index.js';
import { homePaths } from '../../state/home.js';
import { resolveTarget } from '../cluster-target.js';
import { loadLesson } from '../load.js';
import { lessonCertificates, normalizeName, sanNames } from '../steps/certs.js';
import { tokenFile } from '../steps/tokens.js';
import type { Lesson, ProbeStep, Step } from '../types.js';
import { DEFAULT_GATEWAY_NAME } from '../variables-resolver.js';
import { fillVariables } from '../variables.js';
import { certificateDirsDefault, checkCertificateFiles, checkSecrets, findCertificateFiles } from './certificates.js';
import { describeObservation, judgeObservation, lineIsFor, observationOf, parseAccessLines, probeTarget, type AccessLine, type CertificateSeen, type GatewayObservation } from './gateway-log.js';
import { checkAbsent, checkPresent, checkWait, deletedRefs, manifestObjects, objectName, refOfObject, waitRef } from './objects.js';
import { holdsFor, type CheckEnvironment, type CheckFinding, type CheckStatus, type StepCheck } from './types.js';

export type { CheckEnvironment, CheckFinding, CheckStatus, StepCheck } from './types.js';
export { parseAccessLines, observationOf, describeObservation, type AccessLine } from './gateway-log.js';

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** Outcomes that never reach the gateway: nothing in its log can confirm them. */
const UNSEEN_OUTCOMES = new Set(['refused', 'timeout', 'dns-failure', 'local-error']);

export interface CheckOptions {
  lessonId: string;
  /** Check steps 0..upTo (0-based, inclusive); default: every step. */
  upTo?: number;
  home?: string;
  root?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  workDir?: string;
  /** Extra directories to look for certificate files in (the current directory is always searched). */
  certificateDirs?: string[];
  since?: number;
  /** Test seams. */
  clientFactory?: () => ClusterClient;
  readLogs?: (namespace: string, selector: string) => Promise<{ pod: string; text: string }[]>;
}

export interface LessonCheck {
  lesson: Lesson;
  steps: StepCheck[];
  /** The first step whose effect is missing, if any. */
  firstFailing?: StepCheck;
}

/** Everything the checks of one lesson read: the cluster client, variables, where files may be, the gateway's log. */
export async function createCheckEnvironment(options: CheckOptions, lesson?: Lesson): Promise<CheckEnvironment> {
  const l = lesson ?? (await loadLesson(options.lessonId, options.root));
  const target = resolveTarget({ kubeconfig: options.kubeconfig, context: options.context, home: options.home });
  const client = options.clientFactory?.() ?? createClusterClient({ kubeconfig: target.kubeconfig, context: target.context });
  const namespace = options.namespace ?? l.namespace;
  const workDir = options.workDir ?? path.join(homePaths(options.home).work, l.id);
  const gatewayName = DEFAULT_GATEWAY_NAME;
  const readLogs = options.readLogs ?? ((ns: string, selector: string) => new ClusterObserver({ kubeconfig: target.kubeconfig, context: target.context }).podLogs(ns, selector));
  return {
    lesson: l,
    client,
    namespace,
    gatewayName,
    workDir,
    certificateDirs: [...certificateDirsDefault(workDir), ...(options.certificateDirs ?? [])],
    fill: async (text, where) => fillVariables(text, { NAMESPACE: namespace, WORK_DIR: workDir, GATEWAY_NAME: gatewayName }, where),
    accessLog: async () => {
      const logs = await readLogs(namespace, `${GATEWAY_NAME_LABEL}=${gatewayName}`);
      return logs.flatMap((l) => parseAccessLines(l.text, l.pod)).sort((a, b) => a.time - b.time);
    },
    ...(options.since !== undefined ? { since: options.since } : {}),
  };
}

function keyText(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** Objects each step touches (for superseding: a later step changing the same object). */
async function touchedBy(env: CheckEnvironment, step: Step): Promise<string[]> {
  switch (step.kind) {
    case 'apply':
    case 'restore':
      return (await manifestObjects(env, step)).map((o) => keyText(refOfObject(o)));
    case 'delete':
      return (await deletedRefs(env, step)).map(keyText);
    case 'secret':
      return Promise.all(step.secrets.map(async (s) => keyText({ apiVersion: 'v1', kind: 'Secret', name: s.name, namespace: await env.fill(s.namespace ?? '${NAMESPACE}', step.source) })));
    default:
      return [];
  }
}

/** For step `index`: which later step (≤ upTo) touches the object again, if one does. */
async function supersedingMap(env: CheckEnvironment, upTo: number): Promise<Map<string, number>[]> {
  const touched = await Promise.all(env.lesson.steps.slice(0, upTo + 1).map((s) => touchedBy(env, s)));
  const lastTouch = new Map<string, number>();
  touched.forEach((keys, i) => keys.forEach((k) => lastTouch.set(k, i)));
  return touched.map(() => lastTouch);
}

function summarize(step: Step, index: number, status: CheckStatus, findings: CheckFinding[], message?: string): StepCheck {
  const failing = findings.find((f) => !f.ok);
  return {
    index,
    stepId: step.id,
    kind: step.kind,
    title: step.title,
    status,
    holds: holdsFor(status),
    message: message ?? failing?.message ?? findings.map((f) => f.message).join('; '),
    findings,
  };
}

function statusOf(findings: CheckFinding[]): CheckStatus {
  const failing = findings.find((f) => !f.ok);
  if (!failing) return 'ok';
  return failing.observed === 'not found' || failing.observed === 'no file' || failing.observed === 'exists' ? 'missing' : 'mismatch';
}

/** Every object of the step is changed again later: superseded; otherwise judged by its findings. */
function supersededOr(findings: CheckFinding[]): CheckStatus {
  return findings.length && findings.every((f) => f.superseded) ? 'superseded' : statusOf(findings);
}

/** The certificate a listener of the Gateway serves, read from its first certificateRef's Secret (as it is now). */
async function listenerCertificate(env: CheckEnvironment, listener: string | undefined): Promise<CertificateSeen | undefined> {
  if (!listener) return undefined;
  const gateway = await env.client.get({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: env.gatewayName, namespace: env.namespace });
  const spec = gateway?.spec as { listeners?: { name: string; tls?: { certificateRefs?: { name: string; namespace?: string; kind?: string }[] } }[] } | undefined;
  const ref = spec?.listeners?.find((l) => l.name === listener)?.tls?.certificateRefs?.[0];
  if (!ref || (ref.kind && ref.kind !== 'Secret')) return undefined;
  const secret = await env.client.get({ apiVersion: 'v1', kind: 'Secret', name: ref.name, namespace: ref.namespace ?? env.namespace });
  const pem = (secret?.data as Record<string, string> | undefined)?.['tls.crt'];
  if (!pem) return undefined;
  try {
    const cert = new crypto.X509Certificate(Buffer.from(pem, 'base64').toString('utf8'));
    return { subject: oneLineName(cert.subject), issuer: oneLineName(cert.issuer), subjectAltNames: sanNames((cert.subjectAltName ?? '').split(',').map((s) => s.trim()).filter(Boolean)) };
  } catch {
    return undefined;
  }
}

/** Probe: among the requests the gateway logged for this SNI/port/Host, one whose outcome is what the lesson expects. */
export async function checkProbe(env: CheckEnvironment, step: ProbeStep, lines?: AccessLine[]): Promise<{ status: CheckStatus; findings: CheckFinding[]; message: string }> {
  const wanted = step.expect.outcome === undefined ? [] : Array.isArray(step.expect.outcome) ? step.expect.outcome : [step.expect.outcome];
  const fillSync = (text: string) => fillVariables(text, { NAMESPACE: env.namespace, WORK_DIR: env.workDir, GATEWAY_NAME: env.gatewayName }, step.source);
  const target = probeTarget(step.probe, fillSync);
  // A Host that differs from the SNI is part of what the step asks for (421, 404): name it, or a learner who sent the plain request is told nothing was seen.
  const otherHost = target.host !== undefined && target.host !== target.sni ? ` and Host ${target.host}` : '';
  const who = `${target.sni ? `SNI ${target.sni}` : 'no SNI'}${otherHost} on port ${target.port}`;
  if (wanted.length && wanted.every((o) => UNSEEN_OUTCOMES.has(o))) {
    const message = `a ${wanted.join('/')} never reaches the gateway, so its log cannot confirm this step; run the curl command and compare its exit code`;
    return { status: 'unobservable', findings: [{ ok: false, subject: 'the gateway', message }], message };
  }
  const all = lines ?? (await env.accessLog());
  const seen = all.filter((l) => (env.since === undefined || l.time >= env.since)).map((l) => ({ line: l, o: observationOf(l) })).filter(({ o }) => lineIsFor(o, target));
  if (!seen.length) {
    const message = `the gateway has not seen a request with ${who} yet (run the curl command shown)`;
    return { status: 'missing', findings: [{ ok: false, subject: 'the gateway', expected: who, observed: 'no request', message }], message };
  }
  const certificates = new Map<string, CertificateSeen | undefined>();
  let newest: { findings: CheckFinding[]; text: string } | undefined;
  for (const { o } of [...seen].reverse()) {
    const key = o.listener ?? '';
    if (!certificates.has(key)) certificates.set(key, await listenerCertificate(env, o.listener));
    const { findings, unseen } = judgeObservation(o, step.expect, o.outcomes.includes('established') ? certificates.get(key) : undefined, normalizeName);
    if (!findings.length) findings.push({ ok: o.outcomes.includes('established'), subject: 'the gateway', expected: 'a request', observed: o.outcomes.join(' or ') || 'none', message: `outcome ${o.outcomes.join(' or ') || 'unknown'}` });
    const text = describeObservation(o);
    if (findings.every((f) => f.ok)) {
      const note = unseen.length ? ` (${unseen.join(', ')}: not visible to the gateway; the workshop's probe judges those)` : '';
      return { status: 'ok', findings, message: `We saw your request: ${text}${note}` };
    }
    newest ??= { findings, text };
  }
  const failing = newest!.findings.find((f) => !f.ok)!;
  return { status: 'mismatch', findings: newest!.findings, message: `We saw your request: ${newest!.text}; but ${failing.message}` };
}

/** The newest request the gateway logged for a probe step's target (since env.since), with the listener's certificate. */
export async function latestObservation(env: CheckEnvironment, step: ProbeStep): Promise<{ observation: GatewayObservation; certificate?: CertificateSeen } | undefined> {
  const fillSync = (text: string) => fillVariables(text, { NAMESPACE: env.namespace, WORK_DIR: env.workDir, GATEWAY_NAME: env.gatewayName }, step.source);
  const target = probeTarget(step.probe, fillSync);
  const lines = (await env.accessLog()).filter((l) => env.since === undefined || l.time >= env.since);
  for (const line of [...lines].reverse()) {
    const observation = observationOf(line);
    if (!lineIsFor(observation, target)) continue;
    const certificate = observation.outcomes.includes('established') ? await listenerCertificate(env, observation.listener) : undefined;
    return { observation, ...(certificate ? { certificate } : {}) };
  }
  return undefined;
}

/** Judges one step (the range 0..upTo decides which later steps supersede it). */
export async function checkStep(env: CheckEnvironment, index: number, upTo = env.lesson.steps.length - 1, lastTouch?: Map<string, number>, lines?: AccessLine[]): Promise<StepCheck> {
  const step = env.lesson.steps[index]!;
  const touches = lastTouch ?? (await supersedingMap(env, upTo))[0] ?? new Map<string, number>();
  const later = (ref: ObjectRef): string | undefined => {
    const last = touches.get(keyText(ref));
    return last !== undefined && last > index ? `step ${last + 1}, ${env.lesson.steps[last]!.id}` : undefined;
  };
  try {
    switch (step.kind) {
      case 'explain':
        return summarize(step, index, 'nothing', [], 'nothing to do: read it');
      case 'cluster': {
        const version = await env.client.version();
        return summarize(step, index, 'ok', [{ ok: true, subject: 'the cluster', observed: version, message: `the API at ${env.client.server} answers: Kubernetes ${version}` }]);
      }
      case 'certs': {
        const found = await findCertificateFiles(env.certificateDirs);
        const findings = checkCertificateFiles(step, found, lessonCertificates(env.lesson));
        return summarize(step, index, statusOf(findings), findings);
      }
      case 'secret': {
        const findings = await checkSecrets(env, step, lessonCertificates(env.lesson), later);
        return summarize(step, index, supersededOr(findings), findings);
      }
      case 'apply':
      case 'restore': {
        // A manifest the API server must refuse leaves nothing behind: there is nothing to find.
        if (step.rejectedWith) return summarize(step, index, 'nothing', [], `nothing to check: the API server refuses this manifest ("${step.rejectedWith}")`);
        const findings = await checkPresent(env, await manifestObjects(env, step), later);
        return summarize(step, index, supersededOr(findings), findings);
      }
      case 'delete': {
        const findings = await checkAbsent(env, await deletedRefs(env, step), later);
        return summarize(step, index, supersededOr(findings), findings);
      }
      case 'wait': {
        const ref = await waitRef(env, step);
        const again = later(ref);
        if (again) return summarize(step, index, 'superseded', [], `${objectName(ref)} is changed again by a later step (${again}); not checked here`);
        const finding = await checkWait(env, step);
        return summarize(step, index, finding.ok ? 'ok' : finding.observed === 'not found' ? 'missing' : 'mismatch', [finding]);
      }
      case 'probe': {
        const { status, findings, message } = await checkProbe(env, step, lines);
        return summarize(step, index, status, findings, message);
      }
      case 'tokens': {
        // The tokens are files in the work dir, each a JWT of three parts; their signatures are the gateway's to judge.
        const findings = step.tokens.map((spec) => {
          const file = tokenFile(env.workDir, spec.name);
          let text: string | undefined;
          try {
            text = fs.readFileSync(file, 'utf8').trim();
          } catch {
            text = undefined;
          }
          const ok = text !== undefined && text.split('.').length === 3;
          return { ok, subject: `${spec.name}.jwt`, observed: text === undefined ? 'not found' : ok ? 'a JWT' : 'not a JWT', message: `${file}: ${text === undefined ? 'not found' : ok ? 'a JWT (header.payload.signature)' : 'not a JWT'}` };
        });
        return summarize(step, index, findings.every((f) => f.ok) ? 'ok' : 'missing', findings);
      }
      case 'restart': {
        // A restart's lasting effect is a ready pod behind the selector (which pod it is cannot be told apart afterwards).
        const namespace = fillVariables(step.namespace ?? '${NAMESPACE}', { NAMESPACE: env.namespace, WORK_DIR: env.workDir, GATEWAY_NAME: env.gatewayName }, step.source);
        const pods = await env.client.list('v1', 'Pod', namespace, step.selector);
        const ready = pods.filter((pod) => ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
        const subject = `pods -l ${step.selector} -n ${namespace}`;
        return ready.length > 0
          ? summarize(step, index, 'ok', [{ ok: true, subject, observed: `${ready.length} ready`, message: `${subject}: ${ready.length} ready` }])
          : summarize(step, index, 'missing', [{ ok: false, subject, observed: `${pods.length} pods, none ready`, message: `${subject}: no ready pod` }]);
      }
    }
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    return summarize(step, index, 'missing', [{ ok: false, subject: step.kind, message }], message);
  }
}

/** Every step 0..upTo, in order; each is judged even after a failing one (the TUI shows them all). */
export async function checkSteps(env: CheckEnvironment, upTo = env.lesson.steps.length - 1): Promise<StepCheck[]> {
  const last = Math.min(upTo, env.lesson.steps.length - 1);
  const touches = (await supersedingMap(env, last))[0] ?? new Map<string, number>();
  const needsLog = env.lesson.steps.slice(0, last + 1).some((s) => s.kind === 'probe');
  let lines: AccessLine[] | undefined;
  let logError: Error | undefined;
  if (needsLog) lines = await env.accessLog().catch((error: Error) => ((logError = error), undefined));
  const out: StepCheck[] = [];
  for (let i = 0; i <= last; i++) {
    const step = env.lesson.steps[i]!;
    if (step.kind === 'probe' && logError) {
      const message = `cannot read the gateway's access log: ${logError.message}`;
      out.push(summarize(step, i, 'missing', [{ ok: false, subject: 'the gateway', message }], message));
      continue;
    }
    out.push(await checkStep(env, i, last, touches, lines));
  }
  return out;
}

export async function checkLesson(options: CheckOptions): Promise<LessonCheck> {
  const env = await createCheckEnvironment(options);
  const steps = await checkSteps(env, options.upTo);
  const firstFailing = steps.find((s) => !s.holds);
  return { lesson: env.lesson, steps, ...(firstFailing ? { firstFailing } : {}) };
}

export type { KubeObject };
