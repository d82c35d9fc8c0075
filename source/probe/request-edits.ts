// Changes to a probe request and what they mean, decided here once: the
// playground maps its text fields to ProbeEdits, the runner applies them to
// the request it built from the lesson's YAML, and the probe sends the result.
import net from 'node:net';
import { urlParts } from './command-line.js';
import type { ProbeRequest } from './types.js';

/** A change to a ProbeRequest; an absent field leaves the request's own value. */
export interface ProbeEdits {
  /** A name replaces the SNI (the URL's host otherwise); null sends none. */
  sni?: string | null;
  /** The Host header, apart from the SNI; '' sends the URL's host. */
  host?: string;
  /** Path and query, e.g. /v1/models (a leading / is added). */
  path?: string;
  /** Client certificate and key files; null sends none. */
  clientCert?: { certFile: string; keyFile: string } | null;
  /** CA bundle file; null verifies against the system store. */
  cacert?: string | null;
  /** ALPN protocols offered ([] offers none); the HTTP version follows (alpnHttpVersion). */
  alpn?: string[];
  insecure?: boolean;
  /** The Authorization header; null sends none. */
  authorization?: string | null;
}

/** A typed SNI: empty means no SNI (curl's `--sni ''`, a cleared playground field). */
export function sniFromText(text: string): string | null {
  return text.trim() === '' ? null : text.trim();
}

/**
 * The SNI the ClientHello carries for `host` (the URL's host, no brackets):
 * none when cleared (null or empty), the name given, else the host unless it is
 * an IP address, which is never sent as SNI (RFC 6066 §3).
 */
export function effectiveSni(request: Pick<ProbeRequest, 'sni'>, host: string): string | undefined {
  if (request.sni === null || request.sni === '') return undefined;
  if (request.sni !== undefined) return request.sni;
  return net.isIP(host) ? undefined : host;
}

/** The SNI a request sends as the learner reads it: none for plain HTTP; variables in the URL kept as written. */
export function shownSni(request: ProbeRequest): string | undefined {
  const { scheme, hostname } = urlParts(request.url);
  return scheme === 'http' ? undefined : effectiveSni(request, hostname);
}

/** The HTTP version an offered ALPN list implies: no h2 → HTTP/1.1, only h2 → HTTP/2, both → the request's own. */
export function alpnHttpVersion(alpn: string[]): ProbeRequest['httpVersion'] {
  if (!alpn.includes('h2')) return '1.1';
  return alpn.length === 1 ? '2' : undefined;
}

function withoutHeader(headers: [string, string][] | undefined, name: string): [string, string][] {
  return (headers ?? []).filter(([k]) => k.toLowerCase() !== name);
}

/** The request with the edits applied; untouched fields stay as they were. A new object: `request` is not changed. */
export function applyEdits(request: ProbeRequest, edits: ProbeEdits): ProbeRequest {
  const out: ProbeRequest = { ...request, headers: request.headers ? [...request.headers] : undefined };
  if (edits.path !== undefined) {
    // urlParts, not URL parsing: a displayed request still holds variables such as ${GATEWAY_IP}.
    const { scheme, host } = urlParts(request.url);
    const path = edits.path.trim() || '/';
    out.url = `${scheme}://${host}${path.startsWith('/') ? path : `/${path}`}`;
  }
  if (edits.sni !== undefined) out.sni = edits.sni === null ? null : sniFromText(edits.sni);
  if (edits.host !== undefined) {
    out.headers = withoutHeader(out.headers, 'host');
    if (edits.host.trim()) out.headers.push(['Host', edits.host.trim()]);
  }
  if (edits.authorization !== undefined) {
    out.headers = withoutHeader(out.headers, 'authorization');
    if (edits.authorization !== null) out.headers.push(['authorization', edits.authorization]);
  }
  if (edits.clientCert !== undefined) {
    out.certFile = edits.clientCert?.certFile;
    out.keyFile = edits.clientCert?.keyFile;
  }
  if (edits.cacert !== undefined) out.caFile = edits.cacert ?? undefined;
  if (edits.alpn !== undefined) {
    out.alpn = edits.alpn;
    const version = alpnHttpVersion(edits.alpn);
    if (version) out.httpVersion = version;
  }
  if (edits.insecure !== undefined) out.insecure = edits.insecure;
  if (!out.headers?.length) delete out.headers;
  for (const key of ['certFile', 'keyFile', 'caFile'] as const) if (out[key] === undefined) delete out[key];
  return out;
}
