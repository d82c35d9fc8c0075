// The playground's editable fields: read from a ProbeRequest, and mapped to
// ProbeEdits (source/probe/request-edits.ts), the one currency the runner takes.
// Host is the HTTP Host header: set it apart from SNI to see the gateway route
// on one and pick a certificate on the other.
import type { ProbeRequest } from '../../probe/types.js';
import { urlParts } from '../../probe/command-line.js';
import { applyEdits, shownSni, sniFromText, type ProbeEdits } from '../../probe/request-edits.js';

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

function headerValue(request: ProbeRequest, name: string): string | undefined {
  return request.headers?.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

export function fieldsFromRequest(request: ProbeRequest): RequestFields {
  const { host, path } = urlParts(request.url);
  return {
    sni: shownSni(request) ?? '',
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

/**
 * The changed text fields as probe edits (what they mean is source/probe's):
 * empty SNI sends none, empty CA uses the system store, a client certificate
 * brings its key (the one typed, else the file beside it). `fields` gives the
 * certificate when only the key changed.
 */
export function probeEdits(changed: Partial<RequestFields>, fields?: RequestFields): ProbeEdits {
  const edits: ProbeEdits = {};
  if (changed.sni !== undefined) edits.sni = sniFromText(changed.sni);
  if (changed.host !== undefined) edits.host = changed.host.trim();
  if (changed.path !== undefined) edits.path = changed.path.trim() || '/';
  if (changed.cert !== undefined || changed.key !== undefined) {
    const cert = (changed.cert ?? fields?.cert)?.trim();
    if (changed.cert !== undefined && !cert) edits.clientCert = null;
    else if (cert) edits.clientCert = { certFile: cert, keyFile: (changed.key ?? (changed.cert === undefined ? fields?.key : undefined))?.trim() || cert.replace(/\.(crt|pem)$/, '.key') };
  }
  if (changed.ca !== undefined) edits.cacert = changed.ca.trim() || null;
  if (changed.alpn !== undefined) edits.alpn = changed.alpn.split(',').map((p) => p.trim()).filter(Boolean);
  if (changed.auth !== undefined) edits.authorization = changed.auth.trim() || null;
  return edits;
}

/** The learner's edits of the lesson's request as probe edits: what the playground shows and the runner applies. */
export function playgroundEdits(base: ProbeRequest, fields: RequestFields): ProbeEdits {
  return probeEdits(editedFields(base, fields), fields);
}

/** The lesson's request with the learner's edits applied; untouched fields stay as the lesson has them. */
export function requestFromFields(base: ProbeRequest, fields: RequestFields): ProbeRequest {
  return applyEdits(base, playgroundEdits(base, fields));
}
