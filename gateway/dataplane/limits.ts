// What one proxy grants a downstream client: how long it may take to send
// its headers, to finish the TLS handshake, to sit idle; how many connections
// may be open at once; how many HTTP/2 streams and resets per connection.
// Defaults follow Envoy's edge-proxy recommendations and nginx's defaults,
// scaled to a workshop machine (table in gateway/README or ARCHITECTURE.md).
import fs from 'node:fs';

export interface ConnectionLimits {
  /** Complete request headers must arrive within this (slowloris). Envoy request_headers_timeout (edge: 10 s), nginx client_header_timeout 60 s. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this. Envoy edge request_timeout 300 s. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection or HTTP/2 session is closed after this. nginx keepalive_timeout 75 s; Envoy edge idle_timeout 3600 s. */
  idleTimeoutMs: number;
  /** ClientHello plus TLS handshake must finish within this. nginx bounds it by client_header_timeout (60 s); Envoy's transport_socket_connect_timeout is unset by default. */
  tlsHandshakeTimeoutMs: number;
  /** Open downstream connections across all ports; past it new ones are refused politely. Envoy edge global_downstream_max_connections 50 000. */
  maxConnections: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS. Envoy edge 100, nginx http2_max_concurrent_streams 128. */
  h2MaxConcurrentStreams: number;
  /** Stream resets a client may cause per connection per second before the connection is closed (CVE-2023-44487). */
  h2MaxResetsPerSecond: number;
}

/** The soft limit on open files, or undefined where /proc is not there. */
function openFileLimit(): number | undefined {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Half of the descriptors (each downstream connection may hold an upstream
 * one), less a reserve for listeners, logs and the API watch; at most 10 000.
 */
export function defaultMaxConnections(limit = openFileLimit()): number {
  if (!limit) return 4096;
  return Math.max(64, Math.min(10_000, Math.floor((limit - 256) / 2)));
}

export function connectionLimits(overrides: Partial<ConnectionLimits> = {}): ConnectionLimits {
  return {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 300_000,
    idleTimeoutMs: 65_000,
    tlsHandshakeTimeoutMs: 10_000,
    maxConnections: defaultMaxConnections(),
    h2MaxConcurrentStreams: 100,
    h2MaxResetsPerSecond: 200,
    ...overrides,
  };
}
