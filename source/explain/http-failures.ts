// Failure modes once TLS is up and the gateway answered: the status code,
// the gateway's response flags when it sends them (Envoy's %RESPONSE_FLAGS%
// vocabulary: UF, UH, NR, UT, UC, URX, ..., and this gateway's own) and
// telltale bodies.
import type { FailureMode } from './types.js';
import { header, hostHeader, hostOf, sniOf, urlOf } from './facts.js';
import type { ProbeResult } from '../probe/types.js';

/**
 * Response flags: Envoy's %RESPONSE_FLAGS% letters with Envoy's meanings, and
 * the workshop gateway's own (MR, NS, IB, JW) for cases Envoy has no flag for
 * (ARCHITECTURE.md, "Access-log response flags").
 */
const RESPONSE_FLAGS: Record<string, string> = {
  UH: 'no healthy upstream: the backend Service has no ready endpoints',
  UF: 'upstream connection failure: the gateway could not connect to the backend (TCP refused or timed out, or the TLS handshake to it failed; the body gives the reason)',
  UO: 'upstream overflow: a circuit breaker is open',
  NR: 'no route: no HTTPRoute matched this host and path',
  URX: 'the retry or connect-attempt limit to the backend was reached',
  UC: 'upstream connection termination: the backend closed the connection',
  UR: 'upstream remote reset: the backend reset the stream',
  UT: 'upstream request timeout: the backend did not answer in time',
  LR: 'local reset: the gateway reset the stream',
  NC: 'no cluster: the route points at a backend the gateway does not know',
  DF: 'the gateway could not resolve the backend name',
  DT: 'a connection lasted longer than its maximum duration',
  DC: 'downstream connection termination: the client closed before the response was complete',
  DR: 'downstream remote reset: the client reset the stream',
  OM: 'the proxy refused the connection: its connection limit was reached',
  UAEX: 'denied by an external authorization service',
  MR: 'misdirected request (this gateway\'s flag): the Host belongs to another listener than the SNI chose',
  IB: 'invalid backend reference (this gateway\'s flag): the route points at something that cannot be a backend',
  NS: 'no listener for the SNI (this gateway\'s flag)',
  JW: 'refused by a JWT policy (this gateway\'s flag; Envoy\'s jwt_authn sets none)',
};

function describeFlag(flag: string): string {
  return RESPONSE_FLAGS[flag] ?? 'unknown flag';
}

function flagsOf(result: ProbeResult): string[] {
  return (result.http?.responseFlags ?? '').split(/[,\s]+/).filter(Boolean);
}

function describeFlags(result: ProbeResult): string {
  const flags = flagsOf(result);
  if (!flags.length) return '';
  return ` The gateway's response flags say ${flags.map((f) => `${f} (${describeFlag(f)})`).join(', ')}.`;
}

function bodyHint(result: ProbeResult): string {
  const body = result.http?.body ?? '';
  if (/CERTIFICATE_VERIFY_FAILED|certificate verify failed/i.test(body)) return ' The body says the gateway\'s TLS handshake to the backend failed certificate verification (check the BackendTLSPolicy hostname and CA, and any session reuse across names).';
  if (/no healthy upstream/i.test(body)) return ' The body says "no healthy upstream": the backend has no ready endpoint.';
  if (/upstream connect error|connection refused|connection failure/i.test(body)) return ' The body says the gateway could not connect to the backend.';
  return '';
}

const status = (r: ProbeResult) => (r.outcome === 'established' ? r.http?.status : undefined);

export const httpFailureModes: FailureMode[] = [
  {
    id: 'misdirected-request-421',
    title: '421 Misdirected Request: the Host header and the SNI chose different listeners',
    matches: (r) => status(r) === 421,
    explain: (r) => ({
      cause: `the TLS connection was made for SNI ${sniOf(r) ?? '(none)'}, but the request's Host is ${hostHeader(r)}, which belongs to another listener; the gateway refuses to route a request over a connection negotiated for a different name with 421 Misdirected Request (RFC 9110 §15.5.20; it exists for HTTP/2 connection coalescing, RFC 9113 §9.1.1). What other gateways answer depends on their version and settings, so check yours`,
      fix: "make the Host header and the SNI the same name: with curl, drop the -H 'Host: …' override (the URL host gives SNI and Host alike), or put that name in the URL and pin its address with --resolve; and do not reuse one connection for several names",
    }),
  },
  {
    id: 'no-route-404',
    title: '404: no route for this host and path',
    matches: (r) => status(r) === 404,
    explain: (r) => ({
      cause: `the gateway accepted the connection for ${sniOf(r) ?? hostOf(r)} but found no route for Host ${hostHeader(r)} and path ${urlOf(r).pathname}, or the backend itself answered 404.${describeFlags(r)} A route is used only if its hostnames intersect the listener's and its parentRefs (and sectionName) point at that listener`,
      fix: 'kubectl get httproute -A and check the route\'s hostnames, path matches and status (Accepted, ResolvedRefs)',
    }),
  },
  {
    id: 'unauthorized-401',
    title: '401 Unauthorized: the request lacks valid credentials (JWT)',
    matches: (r) => status(r) === 401,
    explain: (r) => ({
      cause: `the gateway's authentication policy rejected the request${r.request.headers?.some(([n]) => n.toLowerCase() === 'authorization') ? ' although an Authorization header was sent: the token did not validate (signature, issuer, audience, expiry or kid)' : ': no Authorization header was sent'}${r.http?.body ? ` (body: ${r.http.body.slice(0, 160).trim()})` : ''}${header(r, 'www-authenticate') ? `; WWW-Authenticate: ${header(r, 'www-authenticate')}` : ''}`,
      fix: 'send -H "Authorization: Bearer <token>" with a token the policy\'s JWKS can verify',
    }),
  },
  {
    id: 'forbidden-403',
    title: '403 Forbidden: authenticated or not, the policy denies this request',
    matches: (r) => status(r) === 403,
    explain: (r) => ({
      cause: `the gateway denied the request${r.http?.body ? `: ${r.http.body.slice(0, 200).trim()}` : ''}${/kid/.test(r.http?.body ?? '') ? '. The token header has no kid, and this gateway looks keys up by kid' : ''}`,
      fix: 'check the JWT (header kid, issuer, claims) against the policy, and the authorization rules on the route',
    }),
  },
  {
    id: 'upstream-503',
    title: '503 Service Unavailable: the gateway could not use the backend',
    matches: (r) => status(r) === 503,
    explain: (r) => ({
      cause: `TLS to the gateway worked; the failure is behind it.${describeFlags(r)}${bodyHint(r)}${!flagsOf(r).length && !bodyHint(r) ? ' Common causes: the backend has no ready endpoints, or the gateway\'s connection (or TLS handshake) to it failed.' : ''}`,
      fix: 'kubectl get endpointslices for the backend Service, the backend pod logs, and for HTTPS backends the BackendTLSPolicy (hostname, CA)',
    }),
  },
  {
    id: 'upstream-502',
    title: '502 Bad Gateway: the backend answered something the gateway could not use',
    matches: (r) => status(r) === 502,
    explain: (r) => ({
      cause: `the gateway reached the backend but got an invalid or reset response.${describeFlags(r)}${bodyHint(r)}`,
      fix: 'check that the backend speaks the protocol the route expects (HTTP vs HTTPS, h2 vs HTTP/1.1) on that port',
    }),
  },
  {
    id: 'upstream-504',
    title: '504 Gateway Timeout: the backend did not answer in time',
    matches: (r) => status(r) === 504,
    explain: (r) => ({
      cause: `the gateway waited for the backend and gave up.${describeFlags(r)}`,
      fix: 'check the backend\'s latency and the route timeouts',
    }),
  },
  {
    id: 'empty-reply',
    title: 'The server closed without an HTTP answer',
    matches: (r) => r.outcome === 'http-error' && r.curlExitCode === 52,
    explain: (r) => ({
      cause: `the connection to ${r.connect ? `${r.connect.address}:${r.connect.port}` : hostOf(r)} was accepted, then closed without any HTTP response (curl exit 52)${r.request.url.startsWith('http:') ? '; a TLS port does this when sent plaintext' : ''}`,
      fix: r.request.url.startsWith('http:') ? 'if this port expects TLS, use https://' : 'look at the gateway logs for this request',
    }),
  },
  {
    id: 'http-exchange-failed',
    title: 'The HTTP exchange failed after the handshake',
    matches: (r) => r.outcome === 'http-error',
    explain: (r) => ({ cause: `${r.error ?? 'the HTTP exchange failed'} (curl exit ${r.curlExitCode})`, fix: 'look at the gateway logs for this request' }),
  },
];
