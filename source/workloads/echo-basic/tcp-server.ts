// echo-basic's TCP mode (TCP_ECHO_SERVER set), as the conformance image's
// tcpserver package behaves: the suite's `tcp-backend` for TLSRoute tests.
// TCP_PORT (3000) plain, TLS_PORT (8443) TLS when TLS_SERVER_CERT and
// TLS_SERVER_PRIV_KEY (note: not the HTTP mode's TLS_SERVER_PRIVKEY) name PEM
// files. Each connection gets a welcome line, then answers lines: TEST → the
// assertions JSON, IS_TLS → true/false, PING → PONG; anything else is
// ignored. TCP_MODE=RESET resets every connection instead.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { listenOn, mountedPath, untilSignal } from '../common/listen.js';

export const WELCOME_MESSAGE = 'Gateway API Test TCP Server\n';
/** Go's bufio.Scanner gives up on a line longer than this; so does this server (it closes). */
export const MAX_LINE_BYTES = 64 * 1024;

interface TcpContext {
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
  tcpport: string;
  tlsport?: string;
}

/** Go's tls.VersionName. */
function goVersionName(protocol: string | null): string {
  return { 'TLSv1.3': 'TLS 1.3', 'TLSv1.2': 'TLS 1.2', 'TLSv1.1': 'TLS 1.1', TLSv1: 'TLS 1.0' }[protocol ?? ''] ?? protocol ?? '';
}

/** The TEST answer: the pod context, isTLS, and the TLS facts in the Go server's field names. */
export function tcpAssertions(context: TcpContext, socket: net.Socket): Record<string, unknown> {
  const secure = socket instanceof tls.TLSSocket;
  const assertions: Record<string, unknown> = { ...context, isTLS: secure };
  if (secure) {
    const cipher = socket.getCipher();
    assertions.tls = {
      version: goVersionName(socket.getProtocol()),
      serverName: (socket as tls.TLSSocket & { servername?: string | false }).servername || '',
      ...(socket.alpnProtocol ? { negotiatedProtocol: socket.alpnProtocol } : {}),
      cipherSuite: cipher?.standardName ?? cipher?.name ?? '',
    };
  }
  return assertions;
}

/** Serves one connection: the welcome line, then one answer per known command line. */
export function serveEchoConnection(socket: net.Socket, context: TcpContext): void {
  socket.on('error', () => undefined);
  socket.write(WELCOME_MESSAGE);
  const payload = `${JSON.stringify(tcpAssertions(context, socket))}\n`;
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      if (line === 'TEST') socket.write(payload);
      else if (line === 'IS_TLS') socket.write(`${socket instanceof tls.TLSSocket}\n`);
      else if (line === 'PING') socket.write('PONG\n');
    }
    if (Buffer.byteLength(pending) > MAX_LINE_BYTES) socket.destroy();
  });
  socket.on('end', () => socket.end());
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!/^\d+$/.test(value)) throw new Error(`non-integer value in ${name}: ${value}`);
  return value;
}

export async function runTcpEchoServer(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const tcpPort = port(env, 'TCP_PORT', '3000');
  const tlsPort = port(env, 'TLS_PORT', '8443');
  const context: TcpContext = { namespace: env.NAMESPACE ?? '', ingress: env.INGRESS_NAME ?? '', service: env.SERVICE_NAME ?? '', pod: env.POD_NAME ?? '', tcpport: tcpPort, tlsport: tlsPort };
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const handle =
    env.TCP_MODE === 'RESET'
      ? // Go's SetLinger(0) applies to the TCP connection only; a TLS one is just closed.
        (socket: net.Socket) => (socket instanceof tls.TLSSocket ? socket.destroy() : socket.resetAndDestroy())
      : (socket: net.Socket) => {
          track(socket);
          serveEchoConnection(socket, context);
        };
  const servers: net.Server[] = [net.createServer(handle)];
  await listenOn(servers[0]!, Number(tcpPort), 'echo-basic (tcp)');
  const certFile = env.TLS_SERVER_CERT;
  const keyFile = env.TLS_SERVER_PRIV_KEY;
  if (certFile && keyFile) {
    const secure = tls.createServer({ cert: fs.readFileSync(mountedPath(certFile)), key: fs.readFileSync(mountedPath(keyFile)), minVersion: 'TLSv1.2' }, handle);
    secure.on('tlsClientError', (error) => console.log(`TLS Handshake failed: ${error.message}`));
    servers.push(secure);
    await listenOn(secure, Number(tlsPort), 'echo-basic (tls)');
  }
  return untilSignal(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });
}
