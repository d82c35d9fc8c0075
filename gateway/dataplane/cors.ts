// The HTTPRoute CORS filter (GEP-1767), as Envoy's CORS filter behaves: a
// preflight from an allowed origin is answered by the gateway (200, never
// forwarded); an actual request from an allowed origin is forwarded and its
// answer gets the allow-origin headers; anything from another origin passes
// through untouched, so the browser, not the gateway, refuses it.
import type { CorsFilterIR, HttpFilterIR } from '../ir/types.js';
import type { HeaderRecord } from './request-filters.js';

type RequestHeaders = Record<string, string | string[] | undefined>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function splitOrigin(origin: string): { scheme: string; host: string; port: string } | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/:]+)(?::(\d+))?$/i.exec(origin);
  return match ? { scheme: match[1]!.toLowerCase(), host: match[2]!.toLowerCase(), port: match[3] ?? '' } : undefined;
}

/** `*`; an exact origin (case-insensitive); or `scheme://*.domain[:port]`, where `*` stands for one or more labels. */
export function originAllowed(allowOrigins: readonly string[], origin: string): boolean {
  const asked = splitOrigin(origin);
  for (const allowed of allowOrigins) {
    if (allowed === '*') return true;
    if (allowed.toLowerCase() === origin.toLowerCase()) return true;
    const pattern = splitOrigin(allowed.replace('://*.', '://wildcard.'));
    if (!asked || !pattern || !allowed.includes('://*.')) continue;
    const domain = pattern.host.slice('wildcard'.length); // ".bar.com"
    if (asked.scheme === pattern.scheme && asked.port === pattern.port && asked.host.endsWith(domain) && asked.host.length > domain.length) return true;
  }
  return false;
}

export type CorsDecision =
  | { kind: 'preflight'; headers: HeaderRecord }
  | { kind: 'actual'; edit: (headers: HeaderRecord) => void }
  | undefined;

/** What the route's CORS filter (if any) does with this request. */
export function corsDecision(filters: readonly HttpFilterIR[], method: string | undefined, headers: RequestHeaders): CorsDecision {
  const cors = filters.find((f): f is CorsFilterIR => f.type === 'CORS');
  const origin = single(headers.origin);
  if (!cors || !origin || !originAllowed(cors.allowOrigins, origin)) return undefined;
  const common: HeaderRecord = { 'access-control-allow-origin': origin, vary: 'origin' };
  if (cors.allowCredentials) common['access-control-allow-credentials'] = 'true';
  if (cors.exposeHeaders.length) common['access-control-expose-headers'] = cors.exposeHeaders.join(', ');
  const requestedMethod = single(headers['access-control-request-method']);
  if (method === 'OPTIONS' && requestedMethod) {
    const out: HeaderRecord = { ...common };
    out['access-control-allow-methods'] = cors.allowMethods.includes('*') ? requestedMethod : cors.allowMethods.join(', ');
    const requestedHeaders = single(headers['access-control-request-headers']);
    const allowHeaders = cors.allowHeaders.includes('*') ? requestedHeaders : cors.allowHeaders.join(', ');
    if (allowHeaders) out['access-control-allow-headers'] = allowHeaders;
    if (cors.maxAgeSeconds !== undefined) out['access-control-max-age'] = String(cors.maxAgeSeconds);
    return { kind: 'preflight', headers: out };
  }
  return { kind: 'actual', edit: (out) => Object.assign(out, common) };
}
