// The playground's editable fields and how they map to and from a ProbeRequest.
// Host is the HTTP Host header: set it apart from SNI to see the gateway route
// on one and pick a certificate on the other.
import type { ProbeRequest } from '../../probe/types.js';
import { urlParts } from '../../probe/command-line.js';

export interface RequestFields {
  sni: string;
  host: string;
  path: string;
  cert: string;
  key: string;
  ca: string;
  /** Comma-separated ALPN protocols offered ('' offers none). */
  alpn: string;
  /** The Authorization header ('' sends none), e.g. `Bearer ${TOKEN_BOB}`: lesson variables are filled by the runner. */
  auth: string;
}

export type FieldName = keyof RequestFields;

export const fieldOrder: { name: FieldName; label: string; empty: string }[] = [
  { name: 'sni', label: 'SNI', empty: '(none: no server_name sent)' },
  { name: 'host', label: 'Host header', empty: '(from the URL)' },
  { name: 'path', label: 'Path', empty: '/' },
  { name: 'cert', label: 'Client cert', empty: '(none)' },
  { name: 'key', label: 'Client key', empty: '(none)' },
  { name: 'ca', label: 'CA file', empty: '(system trust store)' },
  { name: 'alpn', label: 'ALPN', empty: '(none offered)' },
  { name: 'auth', label: 'Auth header', empty: '(none)' },
];

export const alpnChoices = [
  { label: 'h2, http/1.1', value: 'h2,http/1.1' },
  { label: 'h2 only', value: 'h2' },
  { label: 'http/1.1 only', value: 'http/1.1' },
  { label: 'none (no ALPN extension)', value: '' },
];

function isIp(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':');
}

function headerValue(request: ProbeRequest, name: string): string | undefined {
  return request.headers?.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

export function fieldsFromRequest(request: ProbeRequest): RequestFields {
  const { scheme, host, hostname, path } = urlParts(request.url);
  // Plain HTTP has no TLS, so no SNI; an IP address is never sent as SNI.
  const sni = request.sni === null || scheme === 'http' ? '' : (request.sni ?? (isIp(hostname) ? '' : hostname));
  return {
    sni,
    host: headerValue(request, 'host') ?? host,
    path,
    cert: request.certFile ?? '',
    key: request.keyFile ?? '',
    ca: request.caFile ?? '',
    alpn: (request.alpn ?? ['h2', 'http/1.1']).join(','),
    auth: headerValue(request, 'authorization') ?? '',
  };
}

/** The fields the learner changed, with their new values. */
export function editedFields(base: ProbeRequest, fields: RequestFields): Partial<RequestFields> {
  const initial = fieldsFromRequest(base);
  const edits: Partial<RequestFields> = {};
  for (const name of Object.keys(initial) as FieldName[]) if (fields[name] !== initial[name]) edits[name] = fields[name];
  return edits;
}

/** The lesson's request with the learner's edits applied; untouched fields stay as the lesson has them. */
export function requestFromFields(base: ProbeRequest, fields: RequestFields): ProbeRequest {
  const edits = editedFields(base, fields);
  const request: ProbeRequest = { ...base, headers: base.headers ? [...base.headers] : undefined };
  if (edits.path !== undefined) {
    const { scheme, host } = urlParts(base.url);
    const path = edits.path.trim() || '/';
    request.url = `${scheme}://${host}${path.startsWith('/') ? path : `/${path}`}`;
  }
  if (edits.sni !== undefined) request.sni = edits.sni.trim() === '' ? null : edits.sni.trim();
  if (edits.host !== undefined) {
    const headers = (request.headers ?? []).filter(([k]) => k.toLowerCase() !== 'host');
    if (edits.host.trim()) headers.push(['Host', edits.host.trim()]);
    request.headers = headers;
  }
  if (edits.auth !== undefined) {
    const headers = (request.headers ?? []).filter(([k]) => k.toLowerCase() !== 'authorization');
    if (edits.auth.trim()) headers.push(['authorization', edits.auth.trim()]);
    request.headers = headers;
  }
  if (edits.cert !== undefined) request.certFile = edits.cert.trim() || undefined;
  if (edits.key !== undefined) request.keyFile = edits.key.trim() || undefined;
  if (edits.ca !== undefined) request.caFile = edits.ca.trim() || undefined;
  if (edits.alpn !== undefined) {
    const alpn = edits.alpn.split(',').map((p) => p.trim()).filter(Boolean);
    request.alpn = alpn;
    if (!alpn.includes('h2')) request.httpVersion = '1.1';
    else if (alpn.length === 1) request.httpVersion = '2';
  }
  if (!request.headers?.length) delete request.headers;
  for (const key of ['certFile', 'keyFile', 'caFile'] as const) if (request[key] === undefined) delete request[key];
  return request;
}
