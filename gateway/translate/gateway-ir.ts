// GatewayState → GatewayIR: programmed listeners grouped by port, in SNI
// precedence order, with a content-hash version.
import type { GatewayIR, ListenerIR, ListenerTlsIR, PortIR } from '../ir/types.js';
import { isListenerProgrammed, type GatewayState, type ListenerState } from './gateway-state.js';
import { sortBySniPrecedence, transportOf } from './listeners.js';
import { stableHash } from './stable-hash.js';

/** ALPN offered by HTTPS listeners: h2 first, as agentgateway and Envoy do. */
const HTTPS_ALPN = ['h2', 'http/1.1'];

function listenerIR(listener: ListenerState): ListenerIR {
  let tls: ListenerTlsIR | undefined;
  if (listener.tlsMode) {
    tls = { mode: listener.tlsMode, certificates: listener.certificates, alpnProtocols: listener.protocol === 'HTTPS' ? HTTPS_ALPN : [] };
    if (listener.frontendValidation) tls.frontendValidation = listener.frontendValidation;
  }
  // Small fields first, so the IR reads well as YAML or JSON.
  return {
    name: listener.name,
    protocol: listener.protocol as ListenerIR['protocol'],
    ...(listener.hostname ? { hostname: listener.hostname } : {}),
    ...(tls ? { tls } : {}),
    routes: listener.routes,
    tlsRoutes: listener.tlsRoutes,
  };
}

export function buildGatewayIR(gateway: GatewayState): GatewayIR {
  const byPort = new Map<number, ListenerState[]>();
  for (const listener of gateway.listeners.filter(isListenerProgrammed)) {
    byPort.set(listener.port, [...(byPort.get(listener.port) ?? []), listener]);
  }
  const ports: PortIR[] = [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, listeners]) => ({
      port,
      transport: transportOf(listeners[0]!.protocol),
      listeners: sortBySniPrecedence(listeners).map(listenerIR),
    }));
  const content = { gateway: { namespace: gateway.namespace, name: gateway.name }, ports };
  return { gateway: content.gateway, version: stableHash(content), ports };
}
