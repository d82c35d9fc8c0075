// What a lab expects of a probe, as data (YAML-friendly), and the per-field
// verdicts against a result. Unknown fields are errors naming the field, so a
// typo in a lesson fails loudly instead of silently checking nothing.
import type { ProbeOutcome, ProbeResult } from './types.js';

/** One checked field of an expectation against what the probe observed. */
export interface FieldVerdict {
  /** e.g. 'outcome', 'certificate.subject', 'http.status'. */
  field: string;
  expected: string;
  observed: string;
  ok: boolean;
}

/** A string means "contains"; or say exactly what: equals, contains, matches (a regular expression). */
export type TextMatch = string | { equals?: string; contains?: string; matches?: string };

export interface ProbeExpectation {
  outcome?: ProbeOutcome | ProbeOutcome[];
  certificate?: { subject?: TextMatch; issuer?: TextMatch; san?: TextMatch };
  /** Negotiated ALPN: 'h2', 'http/1.1', or false / 'none' for no ALPN. */
  alpn?: string | false;
  /** 'TLSv1.3' or '1.3'. */
  tlsVersion?: string;
  http?: {
    /** 200, '200', or a class such as '2xx'; a list means any of them. */
    status?: number | string | (number | string)[];
    bodyContains?: string | string[];
    /** Header name → exact value (string) or a TextMatch object. */
    header?: Record<string, TextMatch>;
  };
  curlExitCode?: number | number[];
}

export class ExpectationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectationError';
  }
}

const OUTCOMES: ProbeOutcome[] = [
  'established', 'closed-after-client-hello', 'reset-after-client-hello', 'alert', 'verification-failed',
  'client-certificate-required', 'client-certificate-rejected', 'not-tls', 'refused', 'timeout', 'http-error',
  'dns-failure', 'local-error',
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(value: Record<string, unknown>, known: string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new ExpectationError(`${where}.${key}: unknown field (known: ${known.join(', ')})`);
  }
}

function checkTextMatch(value: unknown, where: string): void {
  if (typeof value === 'string') return;
  if (!isObject(value)) throw new ExpectationError(`${where}: expected a string or {equals|contains|matches}`);
  checkKeys(value, ['equals', 'contains', 'matches'], where);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ExpectationError(`${where}.${key}: expected a string`);
    if (key === 'matches') {
      try {
        new RegExp(v);
      } catch (error) {
        throw new ExpectationError(`${where}.matches: invalid regular expression: ${(error as Error).message}`);
      }
    }
  }
}

/** Checks the shape of an expectation read from a lesson; `where` prefixes error paths (e.g. `lessons/sni/steps.yaml: steps[4].expect`). */
export function validateExpectation(data: unknown, where = 'expect'): ProbeExpectation {
  if (!isObject(data)) throw new ExpectationError(`${where}: expected a mapping`);
  checkKeys(data, ['outcome', 'certificate', 'alpn', 'tlsVersion', 'http', 'curlExitCode'], where);
  if (data.outcome !== undefined) {
    for (const outcome of Array.isArray(data.outcome) ? data.outcome : [data.outcome]) {
      if (!OUTCOMES.includes(outcome as ProbeOutcome)) throw new ExpectationError(`${where}.outcome: "${String(outcome)}" is not an outcome (known: ${OUTCOMES.join(', ')})`);
    }
  }
  if (data.certificate !== undefined) {
    if (!isObject(data.certificate)) throw new ExpectationError(`${where}.certificate: expected a mapping`);
    checkKeys(data.certificate, ['subject', 'issuer', 'san'], `${where}.certificate`);
    for (const [key, value] of Object.entries(data.certificate)) checkTextMatch(value, `${where}.certificate.${key}`);
  }
  if (data.alpn !== undefined && typeof data.alpn !== 'string' && data.alpn !== false) throw new ExpectationError(`${where}.alpn: expected a protocol name or false`);
  if (data.tlsVersion !== undefined && !/^(TLSv)?1\.[23]$/.test(String(data.tlsVersion))) throw new ExpectationError(`${where}.tlsVersion: expected TLSv1.2 or TLSv1.3`);
  if (data.http !== undefined) {
    if (!isObject(data.http)) throw new ExpectationError(`${where}.http: expected a mapping`);
    checkKeys(data.http, ['status', 'bodyContains', 'header'], `${where}.http`);
    if (data.http.status !== undefined) {
      for (const status of Array.isArray(data.http.status) ? data.http.status : [data.http.status]) {
        if (!/^[1-5]([0-9]{2}|xx)$/.test(String(status))) throw new ExpectationError(`${where}.http.status: "${String(status)}" is not a status (200) or a class (2xx)`);
      }
    }
    if (data.http.bodyContains !== undefined) {
      const list = Array.isArray(data.http.bodyContains) ? data.http.bodyContains : [data.http.bodyContains];
      if (list.some((s) => typeof s !== 'string')) throw new ExpectationError(`${where}.http.bodyContains: expected a string or a list of strings`);
    }
    if (data.http.header !== undefined) {
      if (!isObject(data.http.header)) throw new ExpectationError(`${where}.http.header: expected a mapping of header name to value`);
      for (const [name, value] of Object.entries(data.http.header)) checkTextMatch(value, `${where}.http.header.${name}`);
    }
  }
  if (data.curlExitCode !== undefined) {
    const list = Array.isArray(data.curlExitCode) ? data.curlExitCode : [data.curlExitCode];
    if (list.some((c) => !Number.isInteger(c))) throw new ExpectationError(`${where}.curlExitCode: expected an integer or a list of integers`);
  }
  return data as ProbeExpectation;
}

function describeMatch(match: TextMatch): string {
  if (typeof match === 'string') return `contains "${match}"`;
  if (match.equals !== undefined) return `equals "${match.equals}"`;
  if (match.contains !== undefined) return `contains "${match.contains}"`;
  return `matches /${match.matches}/`;
}

function textMatches(match: TextMatch, observed: string, stringMeans: 'contains' | 'equals' = 'contains'): boolean {
  if (typeof match === 'string') return stringMeans === 'contains' ? observed.toLowerCase().includes(match.toLowerCase()) : observed === match;
  if (match.equals !== undefined && observed !== match.equals) return false;
  if (match.contains !== undefined && !observed.toLowerCase().includes(match.contains.toLowerCase())) return false;
  if (match.matches !== undefined && !new RegExp(match.matches).test(observed)) return false;
  return true;
}

function statusMatches(expected: number | string, status: number): boolean {
  const text = String(expected);
  return text.endsWith('xx') ? String(status)[0] === text[0] : Number(text) === status;
}

function normalizeVersion(v: string): string {
  return v.startsWith('TLSv') ? v : `TLSv${v}`;
}

export function evaluateExpectation(result: ProbeResult, expectation: ProbeExpectation): { ok: boolean; verdicts: FieldVerdict[] } {
  validateExpectation(expectation);
  const verdicts: FieldVerdict[] = [];
  const add = (field: string, expected: string, observed: string, ok: boolean) => verdicts.push({ field, expected, observed, ok });
  const noHttp = `no HTTP answer (${result.outcome}${result.error ? `: ${result.error}` : ''})`;

  if (expectation.outcome !== undefined) {
    const list = Array.isArray(expectation.outcome) ? expectation.outcome : [expectation.outcome];
    add('outcome', list.join(' or '), result.outcome, list.includes(result.outcome));
  }
  if (expectation.certificate) {
    const leaf = result.tls?.peerChain[0];
    for (const key of ['subject', 'issuer', 'san'] as const) {
      const match = expectation.certificate[key];
      if (match === undefined) continue;
      const field = `certificate.${key}`;
      if (!leaf) {
        add(field, describeMatch(match), 'no certificate received', false);
        continue;
      }
      if (key === 'san') {
        const names = leaf.subjectAltNames.map((n) => n.replace(/^(DNS|IP Address|URI):/, ''));
        const ok = names.some((n) => (typeof match === 'string' ? n.toLowerCase() === match.replace(/^DNS:/, '').toLowerCase() : textMatches(match, n)));
        add(field, typeof match === 'string' ? `includes ${match}` : describeMatch(match), names.join(', ') || 'none', ok);
      } else {
        add(field, describeMatch(match), leaf[key], textMatches(match, leaf[key]));
      }
    }
  }
  if (expectation.alpn !== undefined) {
    const expected = expectation.alpn === false || expectation.alpn === 'none' ? 'none' : expectation.alpn;
    const observed = result.tls?.alpn ? result.tls.alpn : 'none';
    add('alpn', expected, observed, expected === observed);
  }
  if (expectation.tlsVersion !== undefined) {
    const expected = normalizeVersion(expectation.tlsVersion);
    const observed = result.tls?.version ?? 'no TLS';
    add('tlsVersion', expected, observed, expected === observed);
  }
  if (expectation.http) {
    const { status, bodyContains, header } = expectation.http;
    if (status !== undefined) {
      const list = Array.isArray(status) ? status : [status];
      add('http.status', list.join(' or '), result.http ? String(result.http.status) : noHttp, Boolean(result.http && list.some((s) => statusMatches(s, result.http!.status))));
    }
    for (const text of bodyContains === undefined ? [] : Array.isArray(bodyContains) ? bodyContains : [bodyContains]) {
      const body = result.http?.body;
      add('http.bodyContains', `body contains "${text}"`, body === undefined ? noHttp : body.length > 120 ? `${body.slice(0, 117)}...` : body, Boolean(body?.includes(text)));
    }
    for (const [name, match] of Object.entries(header ?? {})) {
      const value = result.http?.headers[name.toLowerCase()];
      const observed = value === undefined ? (result.http ? 'absent' : noHttp) : Array.isArray(value) ? value.join(', ') : value;
      add(`http.header.${name}`, typeof match === 'string' ? `equals "${match}"` : describeMatch(match), observed, value !== undefined && textMatches(match, observed, 'equals'));
    }
  }
  if (expectation.curlExitCode !== undefined) {
    const list = Array.isArray(expectation.curlExitCode) ? expectation.curlExitCode : [expectation.curlExitCode];
    add('curlExitCode', list.join(' or '), String(result.curlExitCode), list.includes(result.curlExitCode));
  }
  return { ok: verdicts.every((v) => v.ok), verdicts };
}
