// The catalogue of failure modes and the explainer that picks one. Order is
// meaning: the most specific mode that fits the observation wins.
import { evaluateExpectation, type ProbeExpectation } from '../probe/expectation.js';
import type { ProbeResult } from '../probe/types.js';
import { hostHeader, leafOf, sniOf } from './facts.js';
import { httpFailureModes } from './http-failures.js';
import { jwtFailureModes } from './jwt-failures.js';
import { mtlsFailureModes } from './mtls-failures.js';
import { tlsFailureModes } from './tls-failures.js';
import { upstreamSessionFailureModes } from './upstream-sessions.js';
import { upstreamTlsFailureModes } from './upstream-tls-failures.js';
import type { ExplainContext, Explanation, FailureMode } from './types.js';

const unexpectedSuccess: FailureMode[] = [
  {
    id: 'unexpected-success',
    title: 'The request succeeded, but the lab expected it to fail',
    matches: (r, c) => r.outcome === 'established' && c.failed.some((v) => v.field === 'outcome'),
    explain: (r, c) => ({
      cause: `the gateway completed the handshake for SNI ${sniOf(r) ?? '(none)'} with certificate ${leafOf(r)?.subject ?? '(none)'} and answered HTTP ${r.http?.status}, where the lab expected ${c.failed.find((v) => v.field === 'outcome')?.expected}: a listener (perhaps a wildcard or one without hostname) accepts this name`,
      fix: 'check the Gateway\'s listeners: which hostname matched this SNI?',
    }),
  },
];

const established: FailureMode[] = [
  {
    id: 'expectation-mismatch',
    title: 'The answer differs from what the lab expected',
    matches: (r, c) => r.outcome === 'established' && c.failed.length > 0,
    explain: (_r, c) => ({
      cause: c.failed.map((v) => `${v.field}: expected ${v.expected}, observed ${v.observed}`).join('; '),
      fix: 'compare the certificate and the response with what the step expects; the gateway configuration may not be applied yet (kubectl get gateway,httproute -A)',
    }),
  },
  {
    id: 'established',
    title: 'Handshake and request succeeded',
    matches: (r) => r.outcome === 'established' && r.tls !== undefined,
    explain: (r) => ({
      cause: `SNI ${sniOf(r) ?? '(none)'} selected a listener that presented ${leafOf(r)?.subject ?? 'a certificate'} (issuer ${leafOf(r)?.issuer ?? 'unknown'}); ${r.tls?.version} ${r.tls?.cipher ?? ''}${r.tls?.alpn ? `, ALPN ${r.tls.alpn}` : ''}${r.tls?.resumed ? ', session resumed' : ''}; the request for Host ${hostHeader(r)} got HTTP ${r.http?.status}`,
    }),
  },
  {
    id: 'plain-http-succeeded',
    title: 'Request succeeded over plain HTTP (no TLS)',
    matches: (r) => r.outcome === 'established',
    explain: (r) => ({
      cause: `plain HTTP, no TLS handshake: the request for Host ${hostHeader(r)} got HTTP ${r.http?.status}`,
    }),
  },
];

/** Every failure mode, in the order they are tried. */
export const catalogue: readonly FailureMode[] = [...mtlsFailureModes, ...tlsFailureModes, ...unexpectedSuccess, ...upstreamSessionFailureModes, ...upstreamTlsFailureModes, ...jwtFailureModes, ...httpFailureModes, ...established];

/**
 * Explains a result, against an expectation when given: the first mode in
 * the catalogue that fits. A success is explained too (what was negotiated).
 */
export function explain(result: ProbeResult, expectation?: ProbeExpectation): Explanation | undefined {
  const failed = expectation ? evaluateExpectation(result, expectation).verdicts.filter((v) => !v.ok) : [];
  const context: ExplainContext = { expectation, failed };
  for (const mode of catalogue) {
    if (!mode.matches(result, context)) continue;
    const { cause, fix } = mode.explain(result, context);
    return { id: mode.id, title: mode.title, cause, ...(fix ? { fix } : {}) };
  }
  return undefined;
}

export function failureModeIds(): string[] {
  return catalogue.map((m) => m.id);
}
