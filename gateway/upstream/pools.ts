// Keep-alive connection pools towards upstream endpoints, one undici Pool per
// (endpoint, protocol, TLS configuration). Pools survive configuration swaps
// while an endpoint stays in use; pools no configuration mentions any more are
// closed gracefully (in-flight requests finish first).
import { Client, Pool, type Dispatcher } from 'undici';
import type { EndpointIR, UpstreamTlsIR } from '../ir/types.js';
import { TlsSessionCache, tlsConfigId } from './session-cache.js';
import { createConnector } from './tls-connector.js';

export interface PoolKeyParts {
  endpoint: EndpointIR;
  protocol: 'http1' | 'h2c';
  tls?: UpstreamTlsIR;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Dispatcher>();
  private readonly roundRobin = new Map<string, number>();
  readonly sessions = new TlsSessionCache();
  private inUse = new Set<string>();

  constructor(private readonly options: { connectTimeoutMs?: number; connectionsPerEndpoint?: number } = {}) {}

  static key(parts: PoolKeyParts): string {
    const { endpoint, protocol, tls } = parts;
    return `${endpoint.address}:${endpoint.port}|${protocol}|${tls ? `${tls.sni}|${tls.sessionCache}|${tlsConfigId(tls)}` : 'plain'}`;
  }

  get(parts: PoolKeyParts, key = UpstreamPools.key(parts)): Dispatcher {
    let pool = this.pools.get(key);
    if (!pool) {
      const { endpoint, protocol, tls } = parts;
      const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
      const origin = `${tls ? 'https' : 'http'}://${host}:${endpoint.port}`;
      const connect = createConnector({ address: endpoint.address, port: endpoint.port, tls, sessions: this.sessions, connectTimeoutMs: this.options.connectTimeoutMs, h2c: protocol === 'h2c' && !tls });
      // Long-lived streams (SSE chat completions) must not be cut by undici's default timeouts.
      const common = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, headersTimeout: 0, bodyTimeout: 0, connect };
      pool =
        protocol === 'h2c' && !tls
          ? // Cleartext HTTP/2 multiplexes: one connection carries every stream.
            new Client(origin, common)
          : new Pool(origin, { ...common, connections: this.options.connectionsPerEndpoint ?? 256, pipelining: 1, allowH2: Boolean(tls?.alpnProtocols?.includes('h2')) });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Round robin over a backend's endpoints (the counter survives swaps by backend id). */
  pick(backendId: string, endpoints: EndpointIR[]): EndpointIR | undefined {
    if (endpoints.length === 0) return undefined;
    if (endpoints.length === 1) return endpoints[0];
    const n = this.roundRobin.get(backendId) ?? 0;
    this.roundRobin.set(backendId, (n + 1) % 1_000_000_000);
    return endpoints[n % endpoints.length];
  }

  /** Called after a swap with the pool keys the new configuration can reach; others close gracefully. */
  retainOnly(keys: Set<string>): void {
    this.inUse = keys;
    for (const [key, pool] of this.pools) {
      if (keys.has(key)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
  }

  /** Pool keys of the current configuration (dynamic forward proxy pools are created on demand). */
  get retained(): Set<string> {
    return this.inUse;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
  }
}
