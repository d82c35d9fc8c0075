// A Service backend: round robin over its ready endpoints, one keep-alive
// pool per endpoint; HTTP/1.1 or h2c as the Service's appProtocol says; TLS
// when a BackendTLSPolicy applies.
import type { ServiceBackendIR } from '../ir/types.js';
import type { Exchange } from '../dataplane/exchange.js';
import { forward, type UpstreamRequest } from './forward.js';
import type { UpstreamPools } from './pools.js';

export function proxyToService(ex: Exchange, backend: ServiceBackendIR, pools: UpstreamPools, request: UpstreamRequest): void {
  const endpoint = pools.pick(backend.id, backend.endpoints);
  if (!endpoint) {
    ex.entry.upstream = backend.id;
    ex.sendLocal(503, 'no healthy upstream\n', {}, 'UH');
    return;
  }
  const pool = pools.get({ endpoint, protocol: backend.protocol, tls: backend.tls });
  forward(ex, pool, `${endpoint.address}:${endpoint.port}`, request);
}
