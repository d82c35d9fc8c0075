// The data plane of one Gateway: one socket per PortIR on the bind address,
// and a configuration swapped atomically by update(). Open connections and
// in-flight requests continue; new connections and new requests see the new
// configuration; ports that disappear stop accepting and drain.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type stream from 'node:stream';
import type tls from 'node:tls';
import type { GatewayIR, PortIR } from '../ir/types.js';
import { JwtVerifier } from '../policy/jwt-verify.js';
import { UpstreamPools } from '../upstream/pools.js';
import { AccessLog, stdoutSink, type LineSink } from './access-log.js';
import { attachConnection, type ConnectionContext, type PortHolder } from './connection.js';
import { createRequestHandler, type HandlerDeps } from './http-handler.js';
import { proxyTcp } from './passthrough.js';
import { bindPort } from './port-binding.js';
import { compilePort } from './compiled-config.js';
import { acceptTlsConnection, TlsTerminators } from './tls-listener.js';
import { poolKeysOf } from './pool-keys.js';
import { connectionLimits, type ConnectionLimits } from './limits.js';

/** The timer that closes a connection whose first request never arrives. */
const FIRST_REQUEST = Symbol('agw-workshop.first-request');
const OVER_LIMIT_BODY = 'proxy connection limit reached\n';
const OVER_LIMIT_RESPONSE =
  `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: ${OVER_LIMIT_BODY.length}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${OVER_LIMIT_BODY}`;

/**
 * A request node's parser refused, answered as node's default handler (and
 * nginx) would, then closed: 408 past the headers timeout, 431 for headers
 * over the limit, 400 otherwise — never a bare reset. Nothing of the
 * request is echoed.
 */
function answerClientError(error: Error & { code?: string }, socket: stream.Duplex): void {
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const response = (socket as stream.Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !response?.headersSent) {
    socket.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    setTimeout(() => socket.destroy(), 1000).unref();
  } else socket.destroy();
}

export interface DataplaneOptions {
  /** Address every listener binds (AGW_POD_IP in a pod). */
  bindAddress: string;
  /** Access log lines (default: stdout). */
  accessLog?: LineSink;
  /** Operational messages: swaps, port mappings, problems (default: stderr). */
  log?: (message: string) => void;
  /** Called whenever the set of mapped ports changes: IR port → port actually served. */
  onPortMap?: (map: Record<string, number>) => void;
  /** Bound on waiting for a complete ClientHello (default: limits.tlsHandshakeTimeoutMs). */
  clientHelloTimeoutMs?: number;
  /** Request spans (gateway/tracing); absent: no tracing. */
  tracing?: HandlerDeps['tracing'];
  /** Timeouts and connection limits; defaults in limits.ts. */
  limits?: Partial<ConnectionLimits>;
}

export interface PortStatus {
  port: number;
  actualPort: number;
  transport: 'http' | 'tls';
  mapped: boolean;
}

export interface UpdateResult {
  version: string;
  ports: PortStatus[];
  /** Milliseconds from update() call to the new configuration being live. */
  applyMs: number;
  /** Ports that could not be opened (e.g. EADDRINUSE); the rest of the configuration is live. */
  errors: string[];
}

export class Dataplane {
  private readonly holders = new Map<number, PortHolder & { transport: 'http' | 'tls' }>();
  private readonly sockets = new Set<net.Socket>();
  private readonly accessLog: AccessLog;
  private readonly log: (message: string) => void;
  private readonly pools = new UpstreamPools();
  private readonly terminators: TlsTerminators;
  private readonly http1: http.Server;
  private readonly h2: http2.Http2Server;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private lastPortMap = '{}';
  private readonly limits: ConnectionLimits;
  private readonly checkingIntervalMs: number;
  /** Connections refused at the limit since the last log line about it (one line per second at most). */
  private refused = { count: 0, loggedAt: 0 };
  current: GatewayIR | undefined;

  constructor(private readonly options: DataplaneOptions) {
    this.accessLog = new AccessLog(options.accessLog ?? stdoutSink());
    this.log = options.log ?? ((m) => process.stderr.write(`[dataplane] ${m}\n`));
    const handle = createRequestHandler({ accessLog: this.accessLog, pools: this.pools, jwt: new JwtVerifier(), tracing: options.tracing });
    const handler: typeof handle = (req, res) => {
      clearTimeout((req.socket as net.Socket & { [FIRST_REQUEST]?: NodeJS.Timeout })[FIRST_REQUEST]);
      handle(req, res);
    };
    this.limits = connectionLimits(options.limits);
    const { headersTimeoutMs, requestTimeoutMs, idleTimeoutMs } = this.limits;
    this.checkingIntervalMs = Math.max(25, Math.min(1000, Math.floor(headersTimeoutMs / 4)));
    this.http1 = http.createServer({
      keepAliveTimeout: idleTimeoutMs,
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs + 1),
      // How often node looks for connections past those timeouts (its default, 30 s, would let a slowloris wait that long).
      connectionsCheckingInterval: this.checkingIntervalMs,
    }, handler);
    this.http1.on('clientError', (error: Error & { code?: string }, socket) => answerClientError(error, socket));
    // This server never listens (sockets come from our ports via 'connection'); node starts its
    // connection tracking — headersTimeout checks, closeIdleConnections — on 'listening', so say it.
    this.http1.emit('listening');
    this.h2 = http2.createServer({ settings: { maxConcurrentStreams: this.limits.h2MaxConcurrentStreams } }, handler);
    this.h2.on('sessionError', () => undefined);
    // An HTTP/2 session with no frames for idleTimeoutMs is closed (node destroys it when 'timeout' has no listener).
    this.h2.setTimeout(idleTimeoutMs);
    this.h2.on('session', (session) => this.boundResets(session));
    this.terminators = new TlsTerminators(
      (socket, holder, name, sni) => this.onSecure(socket, holder, name, sni),
      (holder, name, sni, error) =>
        // A handshake that failed after the listener was chosen (say, a client certificate AllowValidOnly refused).
        this.accessLog.write({
          time: new Date().toISOString(),
          port: holder?.port ?? 0,
          portMap: holder?.portMapText,
          sni: sni ?? '-',
          listener: name,
          flags: [],
          message: 'TLS handshake failed',
          error: (error as Error & { code?: string }).code ? `${(error as Error & { code?: string }).code}: ${error.message}` : error.message,
        }),
      this.log,
      this.limits.tlsHandshakeTimeoutMs,
    );
  }

  /** Swaps in a new configuration; resolves once every port is bound and serving it. */
  update(ir: GatewayIR): Promise<UpdateResult> {
    const run = this.queue.then(() => this.apply(ir));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(ir: GatewayIR): Promise<UpdateResult> {
    if (this.closed) throw new Error('data plane is closed');
    const t0 = performance.now();
    const byPort = new Map<number, PortIR>();
    for (const p of ir.ports) {
      if (byPort.has(p.port)) throw new Error(`IR ${ir.version}: port ${p.port} appears twice`);
      byPort.set(p.port, p);
    }
    this.terminators.beginSwap();
    const compiled = new Map([...byPort].map(([port, p]) => [port, compilePort(p, ir, (n, l) => this.terminators.serverFor(n, l), this.log)]));
    // Ports that went away or changed transport stop accepting; their open connections drain.
    for (const [port, holder] of this.holders) {
      const next = byPort.get(port);
      if (!next || next.transport !== holder.transport) {
        holder.server.close();
        this.holders.delete(port);
        this.terminators.setHolder(port, undefined);
        this.log(`port ${port} closed (open connections finish)`);
      }
    }
    const opening: Promise<void>[] = [];
    for (const [port, runtime] of compiled) {
      const holder = this.holders.get(port);
      if (holder) {
        holder.current = runtime;
        continue;
      }
      opening.push(this.openPort(runtime.ir, runtime));
    }
    const results = await Promise.allSettled(opening);
    this.terminators.endSwap();
    this.pools.retainOnly(poolKeysOf(ir));
    this.current = ir;
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
    for (const f of failures) this.log(`ERROR ${f}`);
    this.reportPortMap();
    const applyMs = Math.round((performance.now() - t0) * 10) / 10;
    this.log(`config ${ir.version} for ${ir.gateway.namespace}/${ir.gateway.name} live in ${applyMs} ms: ${this.describePorts()}`);
    return { version: ir.version, ports: this.ports(), applyMs, errors: failures };
  }

  private async openPort(p: PortIR, runtime: PortHolder['current']): Promise<void> {
    const server = net.createServer({ noDelay: true });
    const holder: PortHolder & { transport: 'http' | 'tls' } = { port: p.port, actualPort: p.port, current: runtime, server, transport: p.transport };
    server.on('connection', (socket) => this.onConnection(socket, holder));
    server.on('error', (error) => this.log(`port ${p.port}: ${error.message}`));
    const bound = await bindPort(server, this.options.bindAddress, p.port);
    holder.actualPort = bound.actualPort;
    if (bound.mapped) {
      holder.portMapText = `${p.port}->${bound.actualPort}`;
      this.log(
        `WARNING port ${p.port} could not be bound (EACCES: not root); serving it on ${this.options.bindAddress}:${bound.actualPort} instead. ` +
          `Every access log line says port_map=${holder.portMapText}.`,
      );
    }
    if (this.closed) {
      server.close();
      return;
    }
    this.holders.set(p.port, holder);
    this.terminators.setHolder(p.port, holder);
  }

  /**
   * Past maxConnections a new connection is refused before it costs more
   * than its descriptor: a plain HTTP one gets a 503 with Retry-After, a TLS
   * one is closed (no handshake to answer in). One log line per second.
   */
  private refuseOverLimit(socket: net.Socket, holder: PortHolder & { transport: 'http' | 'tls' }): void {
    socket.on('error', () => undefined);
    if (holder.transport === 'http') socket.end(OVER_LIMIT_RESPONSE);
    else socket.destroy();
    socket.setTimeout(1000, () => socket.destroy());
    this.refused.count++;
    const now = Date.now();
    if (now - this.refused.loggedAt >= 1000) {
      this.accessLog.write({
        time: new Date(now).toISOString(),
        port: holder.port,
        portMap: holder.portMapText,
        flags: ['OM'],
        message: `connection limit ${this.limits.maxConnections} reached: ${this.refused.count} connection(s) refused`,
      });
      this.refused = { count: 0, loggedAt: now };
    }
  }

  private onConnection(socket: net.Socket, holder: PortHolder & { transport: 'http' | 'tls' }): void {
    if (this.sockets.size >= this.limits.maxConnections) {
      this.refuseOverLimit(socket, holder);
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    if (holder.transport === 'tls') {
      acceptTlsConnection(socket, holder, {
        accessLog: this.accessLog,
        helloTimeoutMs: this.options.clientHelloTimeoutMs ?? this.limits.tlsHandshakeTimeoutMs,
        passthrough: (raw, hello, info, listener, h) => proxyTcp(raw, hello, info.serverName, listener, h, { accessLog: this.accessLog, pools: this.pools }),
      });
      return;
    }
    attachConnection(socket, { holder, tls: false });
    this.awaitFirstRequest(socket);
    this.http1.emit('connection', socket);
  }

  private onSecure(socket: tls.TLSSocket, holder: PortHolder, listenerName: string, sni: string | undefined): void {
    socket.on('error', () => undefined);
    const listener = holder.current.byName.get(listenerName);
    const ctx: ConnectionContext = { holder, tls: true, sni, listenerName, listenerAtAccept: listener };
    if (listener?.ir.tls?.frontendValidation) {
      const peer = socket.getPeerCertificate();
      ctx.clientCert = socket.authorized ? 'valid' : peer && Object.keys(peer).length ? `invalid:${String(socket.authorizationError)}` : 'none';
    }
    if (listener?.ir.protocol === 'TLS') {
      proxyTcp(socket, undefined, sni, listener, holder, { accessLog: this.accessLog, pools: this.pools });
      return;
    }
    attachConnection(socket, ctx);
    if (socket.alpnProtocol === 'h2') this.h2.emit('connection', socket);
    else {
      this.awaitFirstRequest(socket);
      this.http1.emit('connection', socket);
    }
  }

  /**
   * Rapid reset (CVE-2023-44487): a client that resets more than
   * h2MaxResetsPerSecond streams in a second on one connection gets GOAWAY
   * ENHANCE_YOUR_CALM and the connection is closed, as Envoy's and nginx's
   * fixes do; every reset stream has already aborted its upstream request.
   */
  private boundResets(session: http2.ServerHttp2Session): void {
    let windowStart = Date.now();
    let resets = 0;
    session.on('stream', (stream) => {
      stream.once('close', () => {
        if (stream.rstCode === http2.constants.NGHTTP2_NO_ERROR || session.destroyed || session.closed) return;
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          resets = 0;
        }
        if (++resets > this.limits.h2MaxResetsPerSecond) {
          this.log(`HTTP/2 client ${session.socket?.remoteAddress ?? '?'} reset more than ${this.limits.h2MaxResetsPerSecond} streams in a second: GOAWAY ENHANCE_YOUR_CALM`);
          // GOAWAY first (flushed by close), then the connection goes whatever the client does.
          session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
          session.close();
          setTimeout(() => {
            session.destroy();
            session.socket?.destroy();
          }, 500).unref();
        }
      });
    });
  }

  /**
   * node's headersTimeout starts at a request's first byte, so a connection
   * that never sends one would be held forever: it gets about
   * headersTimeoutMs for its first request. Afterwards node's own timers
   * (headers, keep-alive) apply.
   */
  private awaitFirstRequest(socket: net.Socket): void {
    // node reads plain sockets natively (no 'data' events), so the first complete request clears the timer.
    // A request still arriving is node's to end (408) first: this one fires a little later.
    const timer = setTimeout(() => socket.destroy(), this.limits.headersTimeoutMs + 2 * this.checkingIntervalMs);
    (socket as net.Socket & { [FIRST_REQUEST]?: NodeJS.Timeout })[FIRST_REQUEST] = timer;
    socket.once('close', () => clearTimeout(timer));
  }

  /** Where each IR port is actually served. */
  ports(): PortStatus[] {
    return [...this.holders.values()].map((h) => ({ port: h.port, actualPort: h.actualPort, transport: h.transport, mapped: h.actualPort !== h.port }));
  }

  private describePorts(): string {
    return this.ports().map((p) => `${p.transport}:${p.port}${p.mapped ? `(served on ${p.actualPort})` : ''}`).join(' ') || 'no ports';
  }

  private reportPortMap(): void {
    const map: Record<string, number> = {};
    for (const p of this.ports()) if (p.mapped) map[String(p.port)] = p.actualPort;
    const text = JSON.stringify(map);
    if (text === this.lastPortMap) return;
    this.lastPortMap = text;
    this.options.onPortMap?.(map);
  }

  /**
   * Graceful stop (SIGTERM): stop accepting, close idle keep-alive connections,
   * let in-flight requests finish for up to `timeoutMs`, then close the rest.
   */
  async drain(timeoutMs = 5000): Promise<void> {
    for (const holder of this.holders.values()) holder.server.close();
    this.http1.closeIdleConnections();
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      this.http1.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.close();
  }

  /** Stops everything: listeners, open connections, upstream pools. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    for (const holder of this.holders.values()) holder.server.close();
    this.holders.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.http1.closeAllConnections();
    this.http1.close(() => undefined); // stops the connection-tracking interval
    await this.pools.close();
    this.accessLog.flush();
  }
}
