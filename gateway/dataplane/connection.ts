// What the proxy knows about a downstream connection, attached to its socket
// so request handlers (HTTP/1.1 and HTTP/2 alike) find it.
import type net from 'node:net';
import type { RuntimeListener, RuntimePort } from './compiled-config.js';

export const CONNECTION = Symbol.for('agw-workshop.connection');

/** One listening socket; `current` is swapped on every configuration update. */
export interface PortHolder {
  /** The port the IR names. */
  port: number;
  /** The port actually bound (differs when a port < 1024 could not be bound). */
  actualPort: number;
  /** `443->8443` when mapped, for every access log line. */
  portMapText?: string;
  current: RuntimePort;
  server: net.Server;
}

export interface ConnectionContext {
  holder: PortHolder;
  tls: boolean;
  sni?: string;
  /** TLS: the listener the SNI chose (looked up again by name per request, so swaps apply). */
  listenerName?: string;
  listenerAtAccept?: RuntimeListener;
  /** Frontend validation outcome: valid, none, or invalid:<code>. */
  clientCert?: string;
}

export function connectionOf(socket: unknown): ConnectionContext | undefined {
  return (socket as Record<symbol, ConnectionContext | undefined> | null)?.[CONNECTION];
}

export function attachConnection(socket: object, ctx: ConnectionContext): void {
  (socket as Record<symbol, ConnectionContext>)[CONNECTION] = ctx;
}
