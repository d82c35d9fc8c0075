// The playground's editable fields and how they map to and from a ProbeRequest.
// Host is the HTTP Host header: set it apart from SNI to see the gateway route
// on one and pick a certificate on the other.
import type { ProbeRequest } from '../../probe/types.js';

export interface RequestFields {
  sni: string;
  host: string;
  path: string;
  cert: string;
  key: string;
  ca: string;
  /** Comma-separated ALPN protocols offered ('' offers none). */
  alpn: string;
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
  const url = new URL(request.url);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const sni = request.sni === null ? '' : (request.sni ?? (isIp(hostname) ? '' : hostname));
  return {
    sni,
    host: headerValue(request, 'host') ?? url.host,
    path: `${url.pathname}${url.search}`,
    cert: request.certFile ?? '',
    key: request.keyFile ?? '',
    ca: request.caFile ?? '',
    alpn: (request.alpn ?? ['h2', 'http/1.1']).join(','),
  };
}

export function requestFromFields(base: ProbeRequest, fields: RequestFields): ProbeRequest {
  const url = new URL(base.url);
  const target = new URL(fields.path.trim() || '/', url.origin);
  const headers = (base.headers ?? []).filter(([k]) => k.toLowerCase() !== 'host');
  const host = fields.host.trim();
  if (host && host !== url.host) headers.push(['Host', host]);
  const alpn = fields.alpn.split(',').map((p) => p.trim()).filter(Boolean);
  const request: ProbeRequest = {
    ...base,
    url: target.toString(),
    sni: fields.sni.trim() === '' ? null : fields.sni.trim(),
    headers,
    certFile: fields.cert.trim() || undefined,
    keyFile: fields.key.trim() || undefined,
    caFile: fields.ca.trim() || undefined,
    alpn,
  };
  if (headers.length === 0) delete request.headers;
  if (!alpn.includes('h2')) request.httpVersion = '1.1';
  else if (alpn.length === 1) request.httpVersion = '2';
  return request;
}

function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The same probe typed by hand: `agw-workshop probe` takes curl's flags plus --sni. */
export function probeCommand(request: ProbeRequest): string {
  const parts = ['agw-workshop probe'];
  for (const r of request.resolve ?? []) parts.push('--resolve', quote(r));
  for (const c of request.connectTo ?? []) parts.push('--connect-to', quote(c));
  const url = new URL(request.url);
  if (request.sni === null) parts.push('--sni', "''");
  else if (request.sni !== undefined && request.sni !== url.hostname) parts.push('--sni', quote(request.sni));
  if (request.caFile) parts.push('--cacert', quote(request.caFile));
  if (request.certFile) parts.push('--cert', quote(request.certFile));
  if (request.keyFile) parts.push('--key', quote(request.keyFile));
  if (request.insecure) parts.push('-k');
  if (request.httpVersion === '1.1') parts.push('--http1.1');
  else if (request.httpVersion === '2') parts.push('--http2');
  if (request.method && request.method !== 'GET' && !(request.method === 'POST' && request.body)) parts.push('-X', request.method);
  for (const [k, v] of request.headers ?? []) parts.push('-H', quote(`${k}: ${v}`));
  if (request.body) parts.push('-d', quote(request.body));
  parts.push(quote(request.url));
  return parts.join(' ');
}
