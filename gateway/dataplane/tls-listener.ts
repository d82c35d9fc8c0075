// A TLS port: read the ClientHello off the raw socket (bounded in size and
// time), choose the listener by SNI, and then either refuse (close before any
// byte is sent: no ServerHello, no alert, no default certificate), pass the
// bytes through to a TLSRoute backend, or terminate with that listener's
// certificate. Termination hands the socket, ClientHello put back, to a
// node:tls server per listener — node's native handshake path, as fast as https.
import { createHash } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import type { ListenerIR } from '../ir/types.js';
import type { AccessLog } from './access-log.js';
import { ClientHelloReader, MAX_CLIENT_HELLO_BYTES, type ClientHelloInfo } from './client-hello.js';
import type { PortHolder } from './connection.js';
import type { RuntimeListener, TlsTermination } from './compiled-config.js';
import { clientCertGateFor } from './client-cert-gate.js';

const DEFAULT_ALPN = ['h2', 'http/1.1'];

export type SecureConnectionHandler = (socket: tls.TLSSocket, holder: PortHolder, listenerName: string, sni: string | undefined) => void;
export type HandshakeFailureHandler = (holder: PortHolder | undefined, listenerName: string, sni: string | undefined, error: Error) => void;

function tlsConfigKey(port: number, l: ListenerIR): string {
  const h = createHash('sha256');
  h.update(`${port}/${l.name}\0`);
  for (const c of l.tls?.certificates ?? []) h.update(`${c.certPem}\0${c.keyPem}\0`);
  h.update(JSON.stringify(l.tls?.alpnProtocols ?? []));
  h.update(`\0${l.tls?.frontendValidation?.mode ?? ''}\0${l.tls?.frontendValidation?.caPem ?? ''}`);
  return h.digest('base64url');
}

/**
 * Owns one node:tls server per Terminate listener, reused across swaps while
 * the listener's TLS configuration is unchanged (building a context costs ms).
 */
export class TlsTerminators {
  private servers = new Map<string, TlsTermination>();
  private used = new Set<string>();
  /** Which port holder each cached server reports to (updated on swaps). */
  private readonly holders = new Map<number, PortHolder>();

  constructor(
    private readonly onSecure: SecureConnectionHandler,
    private readonly onHandshakeFailure: HandshakeFailureHandler,
    private readonly log: (message: string) => void,
    private readonly handshakeTimeoutMs = 10_000,
  ) {}

  setHolder(port: number, holder: PortHolder | undefined): void {
    if (holder) this.holders.set(port, holder);
    else this.holders.delete(port);
  }

  beginSwap(): void {
    this.used = new Set();
  }

  /** Drops servers the new configuration no longer uses (their open connections live on). */
  endSwap(): void {
    for (const key of [...this.servers.keys()]) if (!this.used.has(key)) this.servers.delete(key);
  }

  serverFor(port: number, listener: ListenerIR): TlsTermination {
    const key = tlsConfigKey(port, listener);
    this.used.add(key);
    const cached = this.servers.get(key);
    if (cached) return cached;
    const made = this.build(port, listener);
    this.servers.set(key, made);
    return made;
  }

  private build(port: number, listener: ListenerIR): TlsTermination {
    const certificates = listener.tls?.certificates ?? [];
    const problems: string[] = [];
    for (const cert of certificates) {
      try {
        tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem });
      } catch (error) {
        problems.push(`${cert.source}: ${(error as Error).message}`);
        continue;
      }
      const fv = listener.tls?.frontendValidation;
      const server = tls.createServer({
        cert: cert.certPem,
        key: cert.keyPem,
        ca: fv?.caPem,
        requestCert: Boolean(fv),
        // AllowValidOnly: OpenSSL refuses an invalid or missing client certificate in the handshake.
        rejectUnauthorized: fv?.mode === 'AllowValidOnly',
        ALPNProtocols: listener.tls?.alpnProtocols?.length ? listener.tls.alpnProtocols : DEFAULT_ALPN,
        handshakeTimeout: this.handshakeTimeoutMs,
      });
      const name = listener.name;
      server.on('secureConnection', (socket: tls.TLSSocket) => {
        const holder = this.holders.get(port);
        if (!holder) {
          socket.destroy();
          return;
        }
        this.onSecure(socket, holder, name, socket.servername || undefined);
      });
      server.on('tlsClientError', (error, socket) => {
        socket.destroy();
        this.onHandshakeFailure(this.holders.get(port), name, (socket as tls.TLSSocket).servername || undefined, error);
      });
      if (problems.length) this.log(`listener ${name}: skipped unusable certificates: ${problems.join('; ')}`);
      // AllowValidOnly: the server reads through a ClientCertGate, which sends the alert OpenSSL
      // would for a refused certificate (node:tls closes without one); other listeners keep node's native socket path.
      return { server, transport: fv?.mode === 'AllowValidOnly' ? clientCertGateFor(server, fv.caPem) : undefined };
    }
    const problem = certificates.length ? `no usable certificate (${problems.join('; ')})` : 'no certificate configured';
    this.log(`port ${port} listener ${listener.name}: ${problem}; TLS connections to it are closed`);
    return { problem };
  }
}

export interface TlsAcceptDeps {
  accessLog: AccessLog;
  helloTimeoutMs: number;
  passthrough: (raw: net.Socket, hello: Buffer, info: ClientHelloInfo, listener: RuntimeListener, holder: PortHolder) => void;
}

/** Reads the ClientHello and dispatches the connection. */
export function acceptTlsConnection(raw: net.Socket, holder: PortHolder, deps: TlsAcceptDeps): void {
  // Linear in the bytes however the client splits them (1-byte TLS records, 1-byte TCP segments).
  const reader = new ClientHelloReader();
  const started = Date.now();
  const refuse = (sni: string | undefined, message: string, listener?: string) => {
    deps.accessLog.write({
      time: new Date().toISOString(),
      port: holder.port,
      portMap: holder.portMapText,
      sni: sni ?? '-',
      listener,
      flags: ['NS'],
      durationMs: Date.now() - started,
      message,
    });
    raw.destroy();
  };
  const cleanup = () => {
    clearTimeout(timer);
    raw.removeListener('data', onData);
    raw.removeListener('end', onEnd);
  };
  const timer = setTimeout(() => {
    cleanup();
    refuse(undefined, `no complete ClientHello within ${deps.helloTimeoutMs} ms`);
  }, deps.helloTimeoutMs);
  const onEnd = () => {
    cleanup();
    raw.destroy();
  };
  const onData = (chunk: Buffer) => {
    const parsed = reader.push(chunk);
    if (parsed.kind === 'incomplete') {
      if (reader.bytes.length > MAX_CLIENT_HELLO_BYTES) {
        cleanup();
        refuse(undefined, 'ClientHello too large');
      }
      return;
    }
    cleanup();
    raw.pause();
    const buffered = reader.bytes;
    if (parsed.kind === 'invalid') {
      refuse(undefined, `not a TLS ClientHello: ${parsed.reason}`);
      return;
    }
    const sni = parsed.hello.serverName;
    const listener = holder.current.index.lookup(sni);
    if (!listener) {
      refuse(sni, `no listener for SNI ${sni ?? '(none)'}`);
      return;
    }
    if (listener.ir.tls?.mode === 'Passthrough') {
      deps.passthrough(raw, buffered, parsed.hello, listener, holder);
      return;
    }
    if (!listener.tlsServer) {
      refuse(sni, `listener ${listener.name} has ${listener.tlsProblem ?? 'no certificate'}`, listener.name);
      return;
    }
    // Give the bytes back; the TLSSocket that tls.Server wraps around `raw` reads them first.
    raw.unshift(buffered);
    listener.tlsServer.emit('connection', listener.tlsTransport ? listener.tlsTransport(raw) : raw);
  };
  raw.on('data', onData);
  raw.on('end', onEnd);
}
