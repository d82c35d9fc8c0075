// The upstream pools a configuration can reach, so pools for endpoints that
// left the configuration are closed after a swap.
import type { BackendIR, GatewayIR } from '../ir/types.js';
import { UpstreamPools } from '../upstream/pools.js';

function keysOf(backend: BackendIR, into: Set<string>): void {
  if (backend.kind === 'service') {
    for (const endpoint of backend.endpoints) into.add(UpstreamPools.key({ endpoint, protocol: backend.protocol, tls: backend.tls }));
  } else if (backend.kind === 'ai') {
    for (const endpoint of backend.endpoints) into.add(UpstreamPools.key({ endpoint, protocol: 'http1', tls: backend.tls }));
  }
}

export function poolKeysOf(ir: GatewayIR): Set<string> {
  const keys = new Set<string>();
  for (const port of ir.ports) {
    for (const listener of port.listeners) {
      for (const route of listener.routes) for (const b of route.backends) keysOf(b.backend, keys);
    }
  }
  return keys;
}
