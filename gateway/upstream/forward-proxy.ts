// A dynamic forward proxy backend: the request's own Host names the upstream,
// and TLS is originated towards it with that name as SNI. A cluster Service
// name resolves to the Service's endpoints (as the cluster DNS would), any
// other name is dialled as given. Pools are per name; which TLS sessions a
// connection may offer is the backend's session cache mode (session-cache.ts).
import type { DynamicForwardProxyBackendIR, EndpointIR, UpstreamTlsIR } from '../ir/types.js';
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

/** `svc.ns.svc` and `svc.ns.svc.cluster.local` (a trailing dot allowed) name the same Service. */
export function clusterServiceName(hostname: string): string | undefined {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?\.?$/.exec(hostname.toLowerCase());
  return m ? `${m[1]}.${m[2]}.svc.cluster.local` : undefined;
}

/** Where a name:port goes: `undefined` when the name is a cluster Service without that port (or endpoints). */
export function resolveForwardTarget(backend: DynamicForwardProxyBackendIR, hostname: string, port: number): { endpoints: EndpointIR[]; inCluster: boolean } | { error: string } {
  const fqdn = clusterServiceName(hostname);
  const ports = fqdn ? backend.clusterHosts?.[fqdn] : undefined;
  if (!fqdn || !ports) {
    if (fqdn) return { error: `no Service named ${fqdn}` };
    return { endpoints: [{ address: hostname, port }], inCluster: false };
  }
  const endpoints = ports[String(port)];
  if (!endpoints) return { error: `Service ${fqdn} has no port ${port}` };
  return { endpoints, inCluster: true };
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
  if (backend.tls) ex.entry.upstreamSessionCache = backend.tls.sessionCache === 'sni' ? 'perSNI' : backend.tls.sessionCache;
  const target = resolveForwardTarget(backend, hostname, port);
  if ('error' in target) {
    ex.sendLocal(503, `forward proxy: ${target.error}\n`, {}, 'UH');
    return;
  }
  const endpoint = pools.pick(`${backend.id}|${hostname}:${port}`, target.endpoints);
  if (!endpoint) {
    ex.sendLocal(503, `forward proxy: no ready endpoint for ${hostname}:${port}\n`, {}, 'UH');
    return;
  }
  const tls = backend.tls ? tlsFor(backend.tls, hostname) : undefined;
  const pool = pools.get({ endpoint, protocol: 'http1', tls });
  forward(ex, pool, `${endpoint.address}:${endpoint.port}`, request);
}
