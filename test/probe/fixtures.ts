// Real TLS servers on 127.0.0.1 for probe tests, and the certificates they use.
// Each server handles its own TLSSocket per connection so it can do what
// gateways do when SNI matches nothing: close (EOF) or reset (RST) the TCP
// connection before any ServerHello.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { issueCertificate, writeCertificateFiles, type IssuedCertificate } from '../../source/pki/index.js';

export interface TestPki {
  dir: string;
  ca: IssuedCertificate;
  caFile: string;
  foo: IssuedCertificate;
  bar: IssuedCertificate;
  expired: IssuedCertificate;
  /** A server certificate from a CA the client does not trust. */
  stranger: IssuedCertificate;
  strangerCaFile: string;
  /** Client certificates: one from the CA the servers trust, one from another CA. */
  clientCa: IssuedCertificate;
  client: { certFile: string; keyFile: string };
  rogueClient: { certFile: string; keyFile: string };
  cleanup(): Promise<void>;
}

export const FOO = 'mock-openai-foo.glootest.com';
export const BAR = 'mock-openai-bar.glootest.com';
export const BAZ = 'mock-openai-baz.glootest.com';

const DAY = 86_400_000;

export async function createPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'agw-probe-'));
  const ca = issueCertificate({ subject: '/O=Solo.io/CN=glootest.com' });
  const foo = issueCertificate({ subject: `/CN=${FOO}/O=mock-openai organization`, subjectAltNames: [FOO], issuer: ca });
  const bar = issueCertificate({ subject: `/CN=${BAR}/O=solo.io`, subjectAltNames: [BAR], issuer: ca });
  const expired = issueCertificate({
    subject: `/CN=expired.glootest.com`,
    subjectAltNames: ['expired.glootest.com'],
    issuer: ca,
    notBefore: new Date(Date.now() - 30 * DAY),
    notAfter: new Date(Date.now() - 2 * DAY),
  });
  const strangerCa = issueCertificate({ subject: '/O=Elsewhere/CN=stranger-ca' });
  const stranger = issueCertificate({ subject: '/CN=stranger.glootest.com', subjectAltNames: ['stranger.glootest.com'], issuer: strangerCa });
  const clientCa = issueCertificate({ subject: '/O=Solo.io/CN=client-ca' });
  const clientIssued = issueCertificate({ subject: '/CN=alice/O=solo.io', usage: 'client', issuer: clientCa });
  const rogueCa = issueCertificate({ subject: '/O=Rogue/CN=rogue-ca' });
  const rogueIssued = issueCertificate({ subject: '/CN=mallory', usage: 'client', issuer: rogueCa });

  const caFiles = await writeCertificateFiles(dir, 'ca', ca);
  const strangerFiles = await writeCertificateFiles(dir, 'stranger-ca', strangerCa);
  const client = await writeCertificateFiles(dir, 'client', clientIssued);
  const rogueClient = await writeCertificateFiles(dir, 'rogue-client', rogueIssued);
  return {
    dir,
    ca,
    caFile: caFiles.certFile,
    foo,
    bar,
    expired,
    stranger,
    strangerCaFile: strangerFiles.certFile,
    clientCa,
    client,
    rogueClient,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface TlsServerOptions {
  /** SNI name → certificate. */
  names: Record<string, IssuedCertificate>;
  /** Used when SNI is absent or matches nothing; absent → `onNoMatch`. */
  fallback?: IssuedCertificate;
  onNoMatch?: 'eof' | 'rst';
  /** Require a client certificate signed by this CA. */
  clientCa?: IssuedCertificate;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  alpn?: string[];
  /** Key-exchange groups the server accepts (e.g. 'P-256' makes a client that leads with X25519 retry: HelloRetryRequest). */
  ecdhCurve?: string;
}

export interface RunningServer {
  port: number;
  url(host: string, pathname?: string): string;
  /** curl/probe --resolve entry for host. */
  resolve(host: string): string;
  /** How many TCP connections the server accepted. */
  connections: number;
  close(): Promise<void>;
}

function answer(request: http.IncomingMessage | http2.Http2ServerRequest, response: http.ServerResponse | http2.Http2ServerResponse, served: string, socket: tls.TLSSocket): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const peer = socket.getPeerCertificate();
    const body = JSON.stringify({
      servedBy: served,
      sni: (socket as tls.TLSSocket & { servername?: string | false }).servername || null,
      alpn: socket.alpnProtocol,
      method: request.method,
      path: request.url,
      clientCertificate: peer && peer.subject ? peer.subject.CN : null,
      requestBody: Buffer.concat(chunks).toString('utf8'),
    });
    (response as http.ServerResponse).writeHead(200, { 'content-type': 'application/json', 'x-served-by': served });
    response.end(body);
  });
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

function running(server: net.Server, port: number, sockets: Set<net.Socket>, counter: { connections: number }, extra?: () => Promise<void>): RunningServer {
  return {
    port,
    url: (host, pathname = '/') => `https://${host}:${port}${pathname}`,
    resolve: (host) => `${host}:${port}:127.0.0.1`,
    get connections() {
      return counter.connections;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await extra?.();
    },
  };
}

/** A TLS server choosing its certificate by SNI, answering HTTP/1.1 or h2 by ALPN with a JSON echo. */
export async function startTlsServer(options: TlsServerOptions): Promise<RunningServer> {
  const contextFor = (issued: IssuedCertificate) =>
    tls.createSecureContext({
      cert: issued.certPem,
      key: issued.keyPem,
      ca: options.clientCa?.certPem,
      minVersion: options.minVersion ?? 'TLSv1.2',
      maxVersion: options.maxVersion ?? 'TLSv1.3',
      ...(options.ecdhCurve ? { ecdhCurve: options.ecdhCurve } : {}),
    });
  const contexts = new Map<string, tls.SecureContext>();
  for (const [name, issued] of Object.entries(options.names)) contexts.set(name.toLowerCase(), contextFor(issued));
  const fallback = options.fallback ? contextFor(options.fallback) : undefined;
  const sockets = new Set<net.Socket>();
  /** Raw TCP sockets by client port: SNICallback runs on the TLSSocket, the reset needs the TCP socket. */
  const rawByPort = new Map<number, net.Socket>();
  const counter = { connections: 0 };
  const onlyH2 = options.alpn && !options.alpn.includes('http/1.1');
  const defaultCertificate = options.fallback ?? Object.values(options.names)[0]!;

  const server = http2.createSecureServer({
    cert: defaultCertificate.certPem,
    key: defaultCertificate.keyPem,
    ca: options.clientCa?.certPem,
    requestCert: Boolean(options.clientCa),
    rejectUnauthorized: Boolean(options.clientCa),
    minVersion: options.minVersion ?? 'TLSv1.2',
    maxVersion: options.maxVersion ?? 'TLSv1.3',
    allowHTTP1: !onlyH2,
    ...(options.ecdhCurve ? { ecdhCurve: options.ecdhCurve } : {}),
    ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
    SNICallback(this: tls.TLSSocket, servername: string, callback: (error: Error | null, context?: tls.SecureContext) => void) {
      const context = contexts.get(servername.toLowerCase()) ?? fallback;
      if (!context) {
        // What Envoy and agentgateway do: no listener for that name, no certificate: close the TCP connection.
        const raw = this.remotePort !== undefined ? rawByPort.get(this.remotePort) : undefined;
        if (options.onNoMatch === 'rst') raw?.resetAndDestroy();
        else raw?.end();
        return;
      }
      callback(null, context);
    },
  } as http2.SecureServerOptions);
  server.on('connection', (raw: net.Socket) => {
    counter.connections++;
    sockets.add(raw);
    if (raw.remotePort !== undefined) rawByPort.set(raw.remotePort, raw);
    raw.on('error', () => undefined);
    raw.on('close', () => {
      sockets.delete(raw);
      if (raw.remotePort !== undefined) rawByPort.delete(raw.remotePort);
    });
  });
  server.on('tlsClientError', () => undefined);
  server.on('sessionError', () => undefined);
  server.on('request', (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => {
    const socket = request.socket as unknown as tls.TLSSocket;
    const servedName = contexts.has(String(socket.servername).toLowerCase()) ? String(socket.servername) : 'fallback';
    answer(request, response, servedName, socket);
  });
  const port = await listen(server);
  return running(server, port, sockets, counter);
}

/** A plain HTTP/1.1 server (for "plain HTTP on a TLS port"). */
export async function startPlainHttpServer(): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const counter = { connections: 0 };
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('plain http\n');
  });
  server.on('connection', (socket) => {
    counter.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return running(server, port, sockets, counter);
}

/** Accepts TCP and never says a word (for timeouts). */
export async function startSilentServer(): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const counter = { connections: 0 };
  const server = net.createServer((socket) => {
    counter.connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return running(server, port, sockets, counter);
}

/** A loopback port nothing listens on (bound, then released). */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
