// Headers across the proxy hop: hop-by-hop headers (RFC 9110 §7.6.1) and
// those named in Connection stay on their hop; HTTP/2 pseudo-headers become
// Host; X-Forwarded-For/-Proto tell the backend who asked and how.
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderRecord } from '../dataplane/request-filters.js';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authenticate', 'proxy-authorization', 'http2-settings',
  // undici refuses `expect`; we answer the 100-continue ourselves (node does).
  'expect',
]);

function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (!value) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  const tokens = new Set<string>();
  for (const t of text.split(',')) {
    const name = t.trim().toLowerCase();
    if (name && name !== 'close' && name !== 'keep-alive') tokens.add(name);
  }
  return tokens.size ? tokens : undefined;
}

export interface ForwardedFacts {
  clientAddress: string | undefined;
  proto: 'http' | 'https';
  /** The Host to send (after any rewrite). */
  host: string | undefined;
}

/** The request headers to send upstream. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardedFacts): HeaderRecord {
  const out: HeaderRecord = {};
  const named = connectionTokens(incoming.connection);
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined) continue;
    if (name.charCodeAt(0) === 58 /* ':' */ || HOP_BY_HOP.has(name)) continue;
    if (named?.has(name)) continue;
    out[name] = value;
  }
  if (facts.host) out.host = facts.host;
  const client = facts.clientAddress?.startsWith('::ffff:') ? facts.clientAddress.slice(7) : facts.clientAddress;
  if (client) {
    const prior = out['x-forwarded-for'];
    out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  }
  out['x-forwarded-proto'] = facts.proto;
  return out;
}

/** The response headers to send downstream (hop-by-hop removed; HTTP/2 forbids them outright). */
export function downstreamResponseHeaders(upstream: Record<string, string | string[] | undefined>): HeaderRecord {
  const out: HeaderRecord = {};
  const named = connectionTokens(upstream.connection);
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}
