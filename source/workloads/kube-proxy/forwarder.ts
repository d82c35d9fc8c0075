// TCP forwarding for one Service address: accept, pick a ready endpoint
// (round robin), connect, and copy bytes both ways. Half-close travels (a FIN
// from one side becomes end() on the other), and so does a reset: when either
// side is reset, the other is reset too (socket.resetAndDestroy), so a client
// of a gateway that aborts before ServerHello sees exactly what it would see
// without us in between. No endpoint, or a refused connection: reset, as
// kube-proxy's REJECT rule or a DNAT to a closed port would.
// UDP (a Service port with protocol UDP, e.g. cluster DNS) is forwarded per
// client flow: each client address:port gets its own socket to one endpoint,
// replies go back from the Service address, and a flow idle for 30 s is
// forgotten, as conntrack forgets a UDP entry.
import dgram from 'node:dgram';
import net from 'node:net';
import { listen } from '../../common/listen.js';

export interface Endpoint { host: string; port: number }

export interface Frontend {
  /** Address and port to bind. */
  address: string;
  port: number;
  /** TCP unless given. */
  protocol?: 'TCP' | 'UDP';
  /** `namespace/name:port` for logs. */
  service: string;
  endpoints: Endpoint[];
}

const RESET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

/** Pipes two connected sockets, propagating EOF and RST. */
export function splice(client: net.Socket, upstream: net.Socket): void {
  const resetOrDestroy = (other: net.Socket) => (error: NodeJS.ErrnoException) => {
    if (other.destroyed) return;
    if (RESET_CODES.has(error.code ?? '')) other.resetAndDestroy();
    else other.destroy();
  };
  client.on('error', resetOrDestroy(upstream));
  upstream.on('error', resetOrDestroy(client));
  // Once one side is fully closed, nothing more can flow through it: the other side flushes what it
  // has and closes too (destroySoon), so no half-dead connection lingers.
  client.on('close', () => { if (!upstream.destroyed) upstream.destroySoon(); });
  upstream.on('close', () => { if (!client.destroyed) client.destroySoon(); });
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Where a frontend is bound: `address:port` for TCP, `udp/address:port` for UDP. */
export function frontendKey(frontend: Frontend): string {
  return `${frontend.protocol === 'UDP' ? 'udp/' : ''}${frontend.address}:${frontend.port}`;
}

interface Listener {
  frontend: Frontend;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export class ServiceListener implements Listener {
  private next = 0;
  private readonly server: net.Server;
  readonly key: string;

  constructor(public frontend: Frontend, private readonly log: (line: string) => void) {
    this.key = frontendKey(frontend);
    this.server = net.createServer({ allowHalfOpen: true }, (client) => this.accept(client));
  }

  async listen(): Promise<void> {
    await listen(this.server, { port: this.frontend.port, host: this.frontend.address });
    this.server.on('error', (error) => this.log(`kube-proxy: ${this.key}: ${error.message}`));
  }

  /** Stops accepting; established connections keep running (server.close's callback would wait for them). */
  close(): Promise<void> {
    this.server.close();
    return Promise.resolve();
  }

  private pick(): Endpoint | undefined {
    const endpoints = this.frontend.endpoints;
    if (endpoints.length === 0) return undefined;
    const endpoint = endpoints[this.next % endpoints.length];
    this.next = (this.next + 1) % endpoints.length;
    return endpoint;
  }

  private accept(client: net.Socket): void {
    const endpoint = this.pick();
    if (!endpoint) {
      client.on('error', () => {});
      this.log(`kube-proxy: ${this.key} (${this.frontend.service}) has no ready endpoints: connection from ${client.remoteAddress}:${client.remotePort} rejected`);
      client.resetAndDestroy();
      return;
    }
    // Splice at once, before the upstream connects: the client is read from the start (its bytes queue
    // in the upstream socket until connected), so a reset by the client is seen as a reset and not, after
    // a paused socket loses the error, as a clean EOF.
    const upstream = net.connect({ host: endpoint.host, port: endpoint.port, allowHalfOpen: true });
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (upstream.connecting || error.code === 'ECONNREFUSED') this.log(`kube-proxy: ${this.key} (${this.frontend.service}) → ${endpoint.host}:${endpoint.port}: ${error.message}`);
    });
    splice(client, upstream);
  }
}

const UDP_FLOW_IDLE_MS = 30_000;
/** At most this many client flows per UDP frontend; the least recently used goes first. */
const MAX_UDP_FLOWS = 1024;

export class UdpServiceListener implements Listener {
  private next = 0;
  private readonly socket: dgram.Socket;
  private readonly flows = new Map<string, { upstream: dgram.Socket; endpoint: Endpoint; timer: NodeJS.Timeout }>();
  readonly key: string;

  constructor(public frontend: Frontend, private readonly log: (line: string) => void) {
    this.key = frontendKey(frontend);
    this.socket = dgram.createSocket(net.isIPv6(frontend.address) ? 'udp6' : 'udp4');
    this.socket.on('message', (message, remote) => this.forward(message, remote));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(this.frontend.port, this.frontend.address, () => {
        this.socket.off('error', reject);
        this.socket.on('error', (error) => this.log(`kube-proxy: ${this.key}: ${error.message}`));
        resolve();
      });
    });
  }

  close(): Promise<void> {
    for (const flow of this.flows.values()) {
      clearTimeout(flow.timer);
      flow.upstream.close();
    }
    this.flows.clear();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private forward(message: Buffer, remote: dgram.RemoteInfo): void {
    const client = `${remote.address}:${remote.port}`;
    let flow = this.flows.get(client);
    if (!flow) {
      const endpoints = this.frontend.endpoints;
      if (endpoints.length === 0) return; // no endpoint: dropped, as kube-proxy's REJECT does for UDP (ICMP aside)
      const endpoint = endpoints[this.next++ % endpoints.length]!;
      if (this.flows.size >= MAX_UDP_FLOWS) this.forget(this.flows.keys().next().value!);
      const upstream = dgram.createSocket(net.isIPv6(endpoint.host) ? 'udp6' : 'udp4');
      upstream.on('error', (error) => {
        this.log(`kube-proxy: ${this.key} (${this.frontend.service}) → ${endpoint.host}:${endpoint.port}: ${error.message}`);
        this.forget(client);
      });
      upstream.on('message', (reply, from) => {
        // Only the endpoint answers this flow (what a connected socket would enforce).
        if (from.port !== endpoint.port || from.address !== endpoint.host) return;
        this.touch(client);
        this.socket.send(reply, remote.port, remote.address);
      });
      flow = { upstream, endpoint, timer: setTimeout(() => this.forget(client), UDP_FLOW_IDLE_MS) };
      flow.timer.unref();
      this.flows.set(client, flow);
    } else {
      this.touch(client);
    }
    flow.upstream.send(message, flow.endpoint.port, flow.endpoint.host, (error) => error && this.log(`kube-proxy: ${this.key}: ${error.message}`));
  }

  private touch(client: string): void {
    const flow = this.flows.get(client);
    if (!flow) return;
    flow.timer.refresh();
    // Most recently used last, so the first key is the one to evict.
    this.flows.delete(client);
    this.flows.set(client, flow);
  }

  private forget(client: string): void {
    const flow = this.flows.get(client);
    if (!flow) return;
    clearTimeout(flow.timer);
    this.flows.delete(client);
    flow.upstream.close();
  }
}

/**
 * The set of listeners kube-proxy holds. `apply` makes it match the desired
 * frontends: new addresses are bound, gone ones stop accepting (their open
 * connections continue), and endpoint changes apply to the next connection.
 */
export class ProxyTable {
  private readonly listeners = new Map<string, ServiceListener | UdpServiceListener>();
  private readonly failed = new Map<string, string>();

  constructor(private readonly log: (line: string) => void) {}

  async apply(frontends: Frontend[]): Promise<void> {
    const wanted = new Map<string, Frontend>();
    for (const frontend of frontends) {
      const key = frontendKey(frontend);
      const taken = wanted.get(key);
      if (taken) {
        this.log(`kube-proxy: ${key} is wanted by both ${taken.service} and ${frontend.service}; keeping ${taken.service}`);
        continue;
      }
      wanted.set(key, frontend);
    }
    for (const [key, listener] of this.listeners) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      this.log(`kube-proxy: closing ${key} (${listener.frontend.service})`);
      await listener.close();
    }
    for (const [key, frontend] of wanted) {
      const existing = this.listeners.get(key);
      if (existing) {
        existing.frontend = frontend;
        continue;
      }
      const listener = frontend.protocol === 'UDP' ? new UdpServiceListener(frontend, this.log) : new ServiceListener(frontend, this.log);
      try {
        await listener.listen();
        this.listeners.set(key, listener);
        this.failed.delete(key);
        this.log(`kube-proxy: ${key} → ${frontend.service} (${frontend.endpoints.map((e) => `${e.host}:${e.port}`).join(', ') || 'no endpoints'})`);
      } catch (error) {
        const message = (error as Error).message;
        if (this.failed.get(key) !== message) this.log(`kube-proxy: cannot bind ${key} for ${frontend.service}: ${message}`);
        this.failed.set(key, message);
      }
    }
  }

  /** Frontends that could not be bound (retried on the next apply). */
  get pending(): number {
    return this.failed.size;
  }

  bound(): string[] {
    return [...this.listeners.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((l) => l.close()));
    this.listeners.clear();
  }
}
