// A lesson's expectation compared with what the probe observed, field by
// field. Pure: the same result and expectation always give the same verdicts.
import type { ProbeResult } from '../probe/types.js';
import type { FieldVerdict } from './events.js';
import type { LessonExpectation } from './types.js';

const NONE = '(none)';

/** `CN=a/O=b`, `/CN=a/O=b` and `CN=a; O=b` all name the same subject. */
export function normalizeName(name: string): string {
  return name
    .replace(/^\//, '')
    .split(/\s*[;/,\n]\s*/)
    .filter(Boolean)
    .map((part) => part.trim())
    .sort()
    .join('; ');
}

function sameName(expected: string, observed: string | undefined): boolean {
  return observed !== undefined && normalizeName(expected) === normalizeName(observed);
}

export function evaluateLessonExpectation(result: ProbeResult, expect: LessonExpectation): FieldVerdict[] {
  const verdicts: FieldVerdict[] = [];
  const add = (field: string, expected: string, observed: string, ok: boolean) => verdicts.push({ field, expected, observed, ok });

  if (expect.outcome !== undefined) {
    const allowed = Array.isArray(expect.outcome) ? expect.outcome : [expect.outcome];
    add('outcome', allowed.join(' or '), result.outcome, allowed.includes(result.outcome));
  }
  if (expect.curlExitCode !== undefined) {
    add('curl exit code', String(expect.curlExitCode), String(result.curlExitCode), result.curlExitCode === expect.curlExitCode);
  }
  const leaf = result.tls?.peerChain[0];
  if (expect.certificate?.subject !== undefined) {
    add('certificate.subject', expect.certificate.subject, leaf?.subject ?? NONE, sameName(expect.certificate.subject, leaf?.subject));
  }
  if (expect.certificate?.issuer !== undefined) {
    add('certificate.issuer', expect.certificate.issuer, leaf?.issuer ?? NONE, sameName(expect.certificate.issuer, leaf?.issuer));
  }
  if (expect.certificate?.subjectAltNames !== undefined) {
    const observed = (leaf?.subjectAltNames ?? []).map((n) => n.replace(/^DNS:/, ''));
    const wanted = expect.certificate.subjectAltNames.map((n) => n.replace(/^DNS:/, ''));
    add('certificate.subjectAltNames', wanted.join(', ') || NONE, observed.join(', ') || NONE, wanted.every((n) => observed.includes(n)));
  }
  if (expect.alpn !== undefined) {
    const observed = result.tls?.alpn ? String(result.tls.alpn) : NONE;
    add('tls.alpn', expect.alpn, observed, observed === expect.alpn);
  }
  if (expect.tlsVersion !== undefined) {
    const observed = result.tls?.version ?? NONE;
    add('tls.version', expect.tlsVersion, observed, observed === expect.tlsVersion);
  }
  if (expect.httpVersion !== undefined) {
    const observed = result.http?.version ?? NONE;
    add('http.version', expect.httpVersion, observed, observed === expect.httpVersion);
  }
  if (expect.status !== undefined) {
    const observed = result.http ? String(result.http.status) : NONE;
    add('http.status', String(expect.status), observed, result.http?.status === expect.status);
  }
  if (expect.bodyContains !== undefined) {
    const body = result.http?.body;
    const ok = body !== undefined && body.includes(expect.bodyContains);
    add('http.body', `contains "${expect.bodyContains}"`, body === undefined ? NONE : ok ? `contains "${expect.bodyContains}"` : `${body.slice(0, 80)}${body.length > 80 ? '…' : ''}`, ok);
  }
  for (const [name, value] of Object.entries(expect.header ?? {})) {
    const raw = result.http?.headers[name.toLowerCase()];
    const observed = raw === undefined ? NONE : Array.isArray(raw) ? raw.join(', ') : raw;
    add(`http.header.${name}`, value, observed, observed === value);
  }
  return verdicts;
}
