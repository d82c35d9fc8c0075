// TLSRoute traffic: Passthrough forwards the client's TLS bytes (ClientHello
// included) to the backend untouched; a Terminate TLS listener forwards the
// decrypted bytes, over TLS again when a BackendTLSPolicy names the Service.
// One access log line per connection, when it closes.
import net from 'node:net';
import tls from 'node:tls';
import type { AccessLog, AccessLogEntry } from './access-log.js';
import type { PortHolder } from './connection.js';
import { hostnameMatches } from '../ir/hostname-match.js';
import { chooseBackend } from './router.js';
import type { CompiledTlsRoute, RuntimeListener } from './compiled-config.js';
import type { UpstreamPools } from '../upstream/pools.js';
import { checkUpstreamIdentity } from '../upstream/tls-connector.js';

export function matchTlsRoute(routes: CompiledTlsRoute[], sni: string | undefined): CompiledTlsRoute | undefined {
  for (const r of routes) {
    if (r.hostnames.length === 0) return r;
    if (sni && r.hostnames.some((h) => hostnameMatches(h, sni))) return r;
  }
  return undefined;
}

/** Pipes `downstream` to a TLSRoute backend; `initial` is sent first (the ClientHello for passthrough). */
export function proxyTcp(
  downstream: net.Socket,
  initial: Buffer | undefined,
  sni: string | undefined,
  listener: RuntimeListener,
  holder: PortHolder,
  deps: { accessLog: AccessLog; pools: UpstreamPools },
): void {
  const start = performance.now();
  const entry: AccessLogEntry = {
    time: new Date().toISOString(),
    port: holder.port,
    portMap: holder.portMapText,
    sni: sni ?? '-',
    listener: listener.name,
    proto: listener.ir.tls?.mode === 'Passthrough' ? 'TLS-passthrough' : 'TCP',
    flags: [],
  };
  let logged = false;
  const finish = () => {
    if (logged) return;
    logged = true;
    entry.durationMs = Math.round(performance.now() - start);
    deps.accessLog.write(entry);
  };
  downstream.on('error', () => undefined);
  const route = matchTlsRoute(listener.tlsRoutes, sni);
  if (!route) {
    entry.flags.push('NR');
    entry.message = `no TLSRoute for SNI ${sni ?? '(none)'}`;
    finish();
    downstream.destroy();
    return;
  }
  entry.route = route.entry.id;
  const choice = chooseBackend(route);
  const backend = choice?.backend;
  if (!backend || backend.kind !== 'service') {
    entry.flags.push('IB');
    entry.message = backend ? `backend kind ${backend.kind} cannot take TCP` : 'no backend';
    finish();
    downstream.destroy();
    return;
  }
  const endpoint = deps.pools.pick(backend.id, backend.endpoints);
  if (!endpoint) {
    entry.flags.push('UH');
    entry.upstream = backend.id;
    finish();
    downstream.destroy();
    return;
  }
  entry.upstream = `${endpoint.address}:${endpoint.port}`;
  // A terminated listener re-encrypts when a BackendTLSPolicy applies to the Service
  // (conformance BackendTLSPolicyTLSRouteTerminate); passthrough bytes are already TLS.
  const upstreamTls = listener.ir.tls?.mode === 'Passthrough' ? undefined : backend.tls;
  const upstream = upstreamTls
    ? tls.connect({
        host: endpoint.address,
        port: endpoint.port,
        servername: net.isIP(upstreamTls.sni) ? undefined : upstreamTls.sni,
        ca: upstreamTls.caPem ? (upstreamTls.useSystemCAs ? [...tls.rootCertificates, upstreamTls.caPem] : upstreamTls.caPem) : undefined,
        cert: upstreamTls.clientCertificate?.certPem,
        key: upstreamTls.clientCertificate?.keyPem,
        checkServerIdentity: checkUpstreamIdentity(upstreamTls),
        rejectUnauthorized: true,
      })
    : net.connect({ host: endpoint.address, port: endpoint.port, noDelay: true });
  upstream.setNoDelay(true);
  let connected = false;
  upstream.once(upstreamTls ? 'secureConnect' : 'connect', () => {
    connected = true;
    if (initial) upstream.write(initial);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    downstream.resume();
  });
  upstream.on('error', (error) => {
    if (!connected) {
      // As for HTTP upstreams and in Envoy: a failed TCP connect and a failed TLS handshake are both UF; error= says which.
      entry.flags.push('UF');
      entry.error = upstreamTls && !upstream.connecting ? `upstream TLS error: ${error.message}` : error.message;
    }
    downstream.destroy();
  });
  downstream.on('close', () => {
    upstream.destroy();
    finish();
  });
  upstream.on('close', () => {
    if (!downstream.destroyed) downstream.end();
  });
}
