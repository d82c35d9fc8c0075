// What the gateway saw: its access log (logfmt on the proxy pod's stdout, one
// line per request and per TLS connection refused or failed before any
// request), read back into observations a probe step's expectation can be
// judged against. This is how the learner's own curl or openssl is checked:
// the gateway recorded the SNI, the listener, the outcome and the status.
import net from 'node:net';
import { effectiveSni } from '../../probe/request-edits.js';
import { parseLogfmt } from '../../../gateway/dataplane/access-log.js';
import type { ProbeOutcome } from '../../probe/types.js';
import type { LessonExpectation, ProbeSpec } from '../types.js';
import type { CheckFinding } from './types.js';

export interface AccessLine {
  /** ms since epoch, from `time=`. */
  time: number;
  pod: string;
  fields: Record<string, string>;
  raw: string;
}

/** Access lines out of a pod's log text; other lines (the proxy's own messages) are skipped. */
export function parseAccessLines(text: string, pod: string): AccessLine[] {
  const out: AccessLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('time=')) continue;
    let fields: Record<string, string>;
    try {
      fields = parseLogfmt(raw);
    } catch {
      continue; // a torn or foreign line is not evidence of anything
    }
    const time = Date.parse(fields.time ?? '');
    if (!Number.isFinite(time) || fields.port === undefined || fields.flags === undefined) continue;
    out.push({ time, pod, fields, raw });
  }
  return out;
}

export interface GatewayObservation {
  /** The outcomes a client would have seen for this line (a closed socket is a close or a reset, depending on timing). */
  outcomes: ProbeOutcome[];
  sni?: string;
  listener?: string;
  port: number;
  proto?: string;
  status?: number;
  flags: string[];
  host?: string;
  method?: string;
  path?: string;
  message?: string;
  error?: string;
  /** The exit code curl gives for this outcome, where the gateway's side decides it. */
  curlExitCode?: number;
  alpn?: string;
  httpVersion?: '1.1' | '2';
}

/** How a handshake failure the gateway logged looks from the client. */
function handshakeOutcome(error: string): { outcome: ProbeOutcome; curlExitCode?: number } {
  if (/UNKNOWN_CA|unknown ca|BAD_CERTIFICATE|bad certificate|CERTIFICATE_UNKNOWN|certificate unknown/i.test(error)) return { outcome: 'verification-failed', curlExitCode: 60 };
  if (/PEER_DID_NOT_RETURN_A_CERTIFICATE|did not return a certificate|CERTIFICATE_REQUIRED/i.test(error)) return { outcome: 'client-certificate-required' };
  if (/certificate verify failed|unable to get|self.signed|UNABLE_TO_|CERT_/i.test(error)) return { outcome: 'client-certificate-rejected' };
  return { outcome: 'alert' };
}

export function observationOf(line: AccessLine): GatewayObservation {
  const f = line.fields;
  const flags = f.flags === '-' || !f.flags ? [] : f.flags.split(',');
  const base: GatewayObservation = {
    outcomes: [],
    port: Number(f.port),
    flags,
    ...(f.sni && f.sni !== '-' ? { sni: f.sni } : {}),
    ...(f.listener ? { listener: f.listener } : {}),
    ...(f.proto ? { proto: f.proto } : {}),
    ...(f.host ? { host: f.host } : {}),
    ...(f.method ? { method: f.method } : {}),
    ...(f.path ? { path: f.path } : {}),
    ...(f.message ? { message: f.message } : {}),
    ...(f.error ? { error: f.error } : {}),
  };
  if (f.status !== undefined) {
    base.status = Number(f.status);
    base.outcomes = ['established'];
    base.curlExitCode = 0;
    if (f.proto === 'HTTP/2') {
      base.httpVersion = '2';
      base.alpn = 'h2';
    } else if (f.proto?.startsWith('HTTP/1')) {
      base.httpVersion = '1.1';
      if (f.sni !== undefined) base.alpn = 'http/1.1';
    }
    return base;
  }
  if (flags.includes('NS')) {
    base.outcomes = /not a TLS ClientHello/.test(f.message ?? '') ? ['not-tls'] : ['closed-after-client-hello', 'reset-after-client-hello'];
    base.curlExitCode = 35;
    return base;
  }
  if (f.message === 'TLS handshake failed') {
    const { outcome, curlExitCode } = handshakeOutcome(f.error ?? '');
    base.outcomes = [outcome];
    if (curlExitCode !== undefined) base.curlExitCode = curlExitCode;
  }
  return base;
}

/** One line for the learner: "SNI mock-openai-baz.glootest.com, port 443: closed before ServerHello (no listener for SNI …)". */
export function describeObservation(o: GatewayObservation): string {
  const who = `${o.sni ? `SNI ${o.sni}` : 'no SNI'}, port ${o.port}${o.listener ? `, listener ${o.listener}` : ''}`;
  if (o.status !== undefined) return `${who}: ${o.method ?? ''} ${o.host ?? ''}${o.path ?? ''} over ${o.proto ?? 'HTTP'} → ${o.status}${o.flags.length ? ` (flags ${o.flags.join(',')})` : ''}`.replace(/:  /, ': ');
  if (o.flags.includes('NS')) return `${who}: closed before ServerHello (${o.message ?? 'refused'})`;
  if (o.message === 'TLS handshake failed') return `${who}: TLS handshake failed (${o.error ?? 'no reason logged'})`;
  return `${who}: ${o.message ?? 'no request'}`;
}

/** Where a probe step's request goes, as the gateway logs it: port, SNI, Host. `${GATEWAY_IP}` matches any address. */
export interface ProbeTarget {
  port: number;
  tls: boolean;
  /** undefined: no SNI is sent (an IP address, or `sni: null`). */
  sni?: string;
  /** The Host the request carries; undefined: any (the gateway's address). */
  host?: string;
}

const ANY_ADDRESS = 'gateway-address.invalid';

export function probeTarget(spec: ProbeSpec, fill: (text: string) => string): ProbeTarget {
  const url = new URL(fill(spec.url.replaceAll('${GATEWAY_IP}', ANY_ADDRESS)));
  const tls = url.protocol === 'https:';
  const port = Number(url.port || (tls ? 443 : 80));
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const isAddress = hostname === ANY_ADDRESS || net.isIP(hostname) !== 0;
  const hostHeader = spec.headers?.find(([k]) => k.toLowerCase() === 'host')?.[1];
  let sni: string | undefined;
  // The SNI's meaning is the probe's (empty or null: none; an IP address: never); the gateway's address stands in for ${GATEWAY_IP}.
  if (tls) sni = hostname === ANY_ADDRESS && spec.sni === undefined ? undefined : effectiveSni({ sni: typeof spec.sni === 'string' ? fill(spec.sni) : spec.sni }, hostname);
  const host = hostHeader ? fill(hostHeader).toLowerCase().replace(/:\d+$/, '') : isAddress ? undefined : hostname.toLowerCase();
  return { port, tls, ...(sni !== undefined ? { sni } : {}), ...(host !== undefined ? { host } : {}) };
}

/** The line is about a connection to this target (same port and SNI; same Host when a request was made). */
export function lineIsFor(o: GatewayObservation, target: ProbeTarget): boolean {
  if (o.port !== target.port) return false;
  if (target.tls) {
    if ((o.sni ?? undefined) !== target.sni) return false;
  } else if (o.sni !== undefined) return false;
  if (o.status !== undefined && target.host !== undefined && o.host !== undefined && o.host !== target.host) return false;
  return true;
}

export interface CertificateSeen {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
}

/**
 * Judges one observation against the lesson's expectation, field by field.
 * Fields the gateway cannot see (the body the client read, the TLS version, a
 * response header) are listed as such, never counted as a match.
 */
export function judgeObservation(
  o: GatewayObservation,
  expect: LessonExpectation,
  certificate: CertificateSeen | undefined,
  normalize: (name: string) => string,
): { findings: CheckFinding[]; unseen: string[] } {
  const findings: CheckFinding[] = [];
  const unseen: string[] = [];
  const subject = 'the gateway';
  const add = (ok: boolean, field: string, expected: string, observed: string) =>
    findings.push({ ok, subject, expected: `${field} ${expected}`, observed: `${field} ${observed}`, message: ok ? `${field}: ${observed}` : `${field}: expected ${expected}, the gateway saw ${observed}` });
  if (expect.outcome !== undefined) {
    const wanted = Array.isArray(expect.outcome) ? expect.outcome : [expect.outcome];
    const seen = o.outcomes.length ? o.outcomes : ['(unknown)'];
    add(seen.some((s) => wanted.includes(s as ProbeOutcome)), 'outcome', wanted.join(' or '), seen.join(' or '));
  }
  if (expect.curlExitCode !== undefined) {
    if (o.curlExitCode === undefined) unseen.push('curlExitCode');
    else add(o.curlExitCode === expect.curlExitCode, 'curl exit code', String(expect.curlExitCode), String(o.curlExitCode));
  }
  if (expect.status !== undefined) add(o.status === expect.status, 'status', String(expect.status), o.status === undefined ? 'no HTTP response' : String(o.status));
  if (expect.httpVersion !== undefined) add(o.httpVersion === expect.httpVersion, 'HTTP version', expect.httpVersion, o.httpVersion ?? 'no HTTP request');
  if (expect.alpn !== undefined) add(o.alpn === expect.alpn, 'ALPN', expect.alpn, o.alpn ?? 'none');
  if (expect.certificate) {
    if (!certificate) unseen.push('certificate');
    else {
      const c = expect.certificate;
      if (c.subject !== undefined) add(normalize(certificate.subject) === normalize(c.subject), 'certificate subject', c.subject, certificate.subject);
      if (c.issuer !== undefined) add(normalize(certificate.issuer) === normalize(c.issuer), 'certificate issuer', c.issuer, certificate.issuer);
      if (c.subjectAltNames !== undefined) {
        const have = certificate.subjectAltNames.map((n) => n.replace(/^(DNS|IP Address|IP|URI):/, ''));
        add(c.subjectAltNames.every((n) => have.includes(n)), 'certificate SANs', c.subjectAltNames.join(', '), have.join(', ') || '(none)');
      }
    }
  }
  if (expect.tlsVersion !== undefined) unseen.push('tlsVersion');
  if (expect.bodyContains !== undefined) unseen.push('bodyContains');
  if (expect.header !== undefined) unseen.push('header');
  return { findings, unseen };
}
