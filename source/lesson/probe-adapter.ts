// The probe library (source/probe) as the runner uses it: send the request,
// judge it against the lesson's expectation with the library's own
// evaluator (the TUI shows the same verdicts), and ask the explainer why.
import { evaluateExpectation, explain, probe, type ProbeExpectation } from '../probe/index.js';
import type { ProbeRequest, ProbeResult } from '../probe/types.js';
import type { FieldVerdict } from '../probe/expectation.js';
import type { Explanation, ProbeVerdict } from '../explain/types.js';
import type { LessonExpectation } from './types.js';

/** `/CN=a/O=b` (openssl -subj, as lessons write it) → `CN=a; O=b` (curl -v and the probe's form). */
export function oneLineSubject(subject: string): string {
  return subject.startsWith('/') ? subject.slice(1).split('/').join('; ') : subject;
}

/** The lesson's flat expectation in the probe library's terms. */
export function toProbeExpectation(expect: LessonExpectation): ProbeExpectation {
  const out: ProbeExpectation = {};
  if (expect.outcome !== undefined) out.outcome = expect.outcome;
  if (expect.curlExitCode !== undefined) out.curlExitCode = expect.curlExitCode;
  if (expect.certificate) {
    out.certificate = {};
    if (expect.certificate.subject) out.certificate.subject = { equals: oneLineSubject(expect.certificate.subject) };
    if (expect.certificate.issuer) out.certificate.issuer = { equals: oneLineSubject(expect.certificate.issuer) };
  }
  if (expect.alpn !== undefined) out.alpn = expect.alpn;
  if (expect.tlsVersion !== undefined) out.tlsVersion = expect.tlsVersion;
  if (expect.status !== undefined || expect.bodyContains !== undefined || expect.header) {
    out.http = {};
    if (expect.status !== undefined) out.http.status = expect.status;
    if (expect.bodyContains !== undefined) out.http.bodyContains = expect.bodyContains;
    if (expect.header) out.http.header = expect.header;
  }
  return out;
}

/** What the library's expectation language does not say: HTTP version and several SANs. */
function extraVerdicts(result: ProbeResult, expect: LessonExpectation): FieldVerdict[] {
  const out: FieldVerdict[] = [];
  if (expect.httpVersion !== undefined) {
    const observed = result.http ? `HTTP/${result.http.version}` : `no HTTP answer (${result.outcome})`;
    out.push({ field: 'http.version', expected: `HTTP/${expect.httpVersion}`, observed, ok: result.http?.version === expect.httpVersion });
  }
  if (expect.certificate?.subjectAltNames) {
    const names = (result.tls?.peerChain[0]?.subjectAltNames ?? []).map((n) => n.replace(/^(DNS|IP Address|URI):/, ''));
    const wanted = expect.certificate.subjectAltNames.map((n) => n.replace(/^DNS:/, ''));
    out.push({ field: 'certificate.san', expected: wanted.join(', '), observed: names.join(', ') || 'none', ok: wanted.every((n) => names.includes(n)) });
  }
  return out;
}

export function judge(result: ProbeResult, expect: LessonExpectation, expectedExplanation?: string): Omit<ProbeVerdict, 'result'> {
  const expectation = toProbeExpectation(expect);
  const verdicts = [...evaluateExpectation(result, expectation).verdicts, ...extraVerdicts(result, expect)];
  let explanation: Explanation | undefined;
  try {
    explanation = explain(result, expectation);
  } catch {
    explanation = undefined; // an explainer bug must not hide the observation
  }
  if (expectedExplanation) {
    const observed = explanation?.id ?? 'none';
    verdicts.push({ field: 'explanation', expected: expectedExplanation, observed, ok: observed === expectedExplanation });
  }
  return { verdicts, explanation, ok: verdicts.every((v) => v.ok) };
}

export async function probeAndJudge(request: ProbeRequest, expect: LessonExpectation, expectedExplanation?: string, signal?: AbortSignal): Promise<ProbeVerdict> {
  const result = await probe(request, { signal });
  return { result, ...judge(result, expect, expectedExplanation) };
}
