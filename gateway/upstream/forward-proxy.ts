// A dynamic forward proxy backend: the request's own Host names the upstream,
// and TLS is originated towards it with that name as SNI. Pools and TLS
// sessions are per name (see session-cache.ts for why that matters).
import type { DynamicForwardProxyBackendIR, UpstreamTlsIR } from '../ir/types.js';
import type { Exchange } from '../dataplane/exchange.js';
import { forward, type UpstreamRequest } from './forward.js';
import type { UpstreamPools } from './pools.js';

/** The backend's TLS with SNI set to one name, kept per name so the pool key's config id is hashed once. */
const perName = new WeakMap<UpstreamTlsIR, Map<string, UpstreamTlsIR>>();
function tlsFor(base: UpstreamTlsIR, sni: string): UpstreamTlsIR {
  let byName = perName.get(base);
  if (!byName) perName.set(base, (byName = new Map()));
  let tls = byName.get(sni);
  if (!tls) byName.set(sni, (tls = { ...base, sni }));
  return tls;
}

export function proxyToForwardTarget(ex: Exchange, backend: DynamicForwardProxyBackendIR, pools: UpstreamPools, request: UpstreamRequest): void {
  const authority = typeof request.headers.host === 'string' ? request.headers.host : undefined;
  if (!authority) {
    ex.sendLocal(400, 'forward proxy: the request names no host\n');
    return;
  }
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  if (!m) {
    ex.sendLocal(400, `forward proxy: bad host "${authority}"\n`);
    return;
  }
  const hostname = m[1].replace(/^\[|\]$/g, '');
  const port = m[2] ? Number(m[2]) : backend.tls ? 443 : 80;
  const tls = backend.tls ? tlsFor(backend.tls, hostname) : undefined;
  const pool = pools.get({ endpoint: { address: hostname, port }, protocol: 'http1', tls });
  forward(ex, pool, `${hostname}:${port}`, request);
}
