// A GatewayIR compiled for serving: per port, the listeners with their
// hostname index, compiled routes and (for Terminate) the TLS server that
// holds their certificate. Built off to the side, then swapped in whole.
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import type { GatewayIR, ListenerIR, PortIR, TlsRouteEntryIR } from '../ir/types.js';
import { ListenerLookup } from './listener-lookup.js';
import { compileRoute, compileWeights, type CompiledRoute, type WeightedBackends } from './router.js';

/** A TLSRoute entry ready for serving: hostnames lower-cased, weights precomputed. */
export interface CompiledTlsRoute extends WeightedBackends {
  entry: TlsRouteEntryIR;
  hostnames: string[];
}

export interface RuntimeListener {
  ir: ListenerIR;
  name: string;
  hostname?: string;
  port: number;
  routes: CompiledRoute[];
  tlsRoutes: CompiledTlsRoute[];
  /** Terminate listeners: the TLS server holding this listener's certificate. */
  tlsServer?: tls.Server;
  /** What the TLS server reads from instead of the TCP socket (listeners that refuse invalid client certificates). */
  tlsTransport?: (raw: net.Socket) => Duplex;
  /** Why this listener cannot terminate TLS (no usable certificate), when it can't. */
  tlsProblem?: string;
}

export interface RuntimePort {
  ir: PortIR;
  version: string;
  listeners: RuntimeListener[];
  byName: Map<string, RuntimeListener>;
  /** SNI (TLS ports) or Host (plain ports) → listener, in the IR's precedence order. */
  index: ListenerLookup<RuntimeListener>;
}

export interface TlsTermination {
  server?: tls.Server;
  transport?: (raw: net.Socket) => Duplex;
  problem?: string;
}

export type TlsServerFactory = (port: number, listener: ListenerIR) => TlsTermination;

/** Compiles each route on its own: one bad route (say, a regex node rejects) must not take down the others. */
function compileRoutes(l: ListenerIR, log: (message: string) => void): CompiledRoute[] {
  const out: CompiledRoute[] = [];
  for (const entry of l.routes) {
    try {
      out.push(compileRoute(entry));
    } catch (error) {
      log(`listener ${l.name}: route ${entry.id} skipped: ${(error as Error).message}`);
    }
  }
  return out;
}

export function compilePort(ir: PortIR, gateway: GatewayIR, tlsServerFor: TlsServerFactory, log: (message: string) => void): RuntimePort {
  const listeners = ir.listeners.map((l): RuntimeListener => {
    const runtime: RuntimeListener = {
      ir: l,
      name: l.name,
      hostname: l.hostname?.toLowerCase(),
      port: ir.port,
      routes: compileRoutes(l, log),
      tlsRoutes: l.tlsRoutes.map((entry) => ({ entry, hostnames: entry.hostnames.map((h) => h.toLowerCase()), ...compileWeights(entry.backends) })),
    };
    if (ir.transport === 'tls' && l.tls?.mode !== 'Passthrough') {
      const { server, transport, problem } = tlsServerFor(ir.port, l);
      runtime.tlsServer = server;
      runtime.tlsTransport = transport;
      runtime.tlsProblem = problem;
    }
    return runtime;
  });
  return {
    ir,
    version: gateway.version,
    listeners,
    byName: new Map(listeners.map((l) => [l.name, l])),
    index: new ListenerLookup(listeners),
  };
}
