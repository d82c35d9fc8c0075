// `workload echo-basic`: the Gateway API conformance echo server
// (sigs.k8s.io/gateway-api/conformance/echo-basic), configured by env as the
// image is: HTTP_PORT (3000); H2C_PORT (3001, HTTP/2 with prior knowledge);
// HTTPS_PORT (8443) when TLS_SERVER_CERT and
// TLS_SERVER_PRIVKEY name PEM files; TLS_CLIENT_CACERTS verifies client
// certificates when given; NAMESPACE, INGRESS_NAME, SERVICE_NAME, POD_NAME
// fill the context. Answers with its RequestAssertions JSON, `tls` included
// on HTTPS. /health → OK; /status/NNN → that status; ?delay=1s waits.
// With TCP_ECHO_SERVER set it is the line-based TCP/TLS server instead
// (tcp-server.ts). Not emulated: the h2c Upgrade from HTTP/1.1, websockets,
// the gRPC and UDP modes.
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type tls from 'node:tls';
import { closeServer, listenOn, mountedPath, untilSignal } from '../common/listen.js';
import { goHeaders, tlsAssertions } from '../common/tls-info.js';
import { goDurationMs } from '../../cluster/embedded/controllers/cert-manager/duration.js';
import { runTcpEchoServer } from './tcp-server.js';

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;

/** Go's time.ParseDuration for the forms the tests use: 1s, 500ms, 1m30s. */
export function parseGoDuration(text: string): number {
  const ms = goDurationMs(text);
  if (ms === undefined) throw new Error(`time: invalid duration "${text}"`);
  return ms;
}

export function createEchoHandler(env: NodeJS.ProcessEnv = process.env) {
  const context = { namespace: env.NAMESPACE ?? '', ingress: env.INGRESS_NAME ?? '', service: env.SERVICE_NAME ?? '', pod: env.POD_NAME ?? '' };
  return async (request: Request, response: Response): Promise<void> => {
    const uri = request.url ?? '/';
    const path = uri.split('?')[0]!.replace(/\/\//g, '/');
    console.log(`Echoing back request made to ${uri} to client (${request.socket.remoteAddress}:${request.socket.remotePort})`);
    if (path === '/health') {
      response.writeHead(200);
      response.end('OK');
      return;
    }
    if (path.startsWith('/status/')) {
      const match = /^\/status\/(\d\d\d)$/.exec(uri);
      response.writeHead(match ? Number(match[1]) : 400);
      response.end();
      return;
    }
    const delay = new URL(uri, 'http://echo').searchParams.get('delay');
    if (delay) {
      try {
        await new Promise((resolve) => setTimeout(resolve, Math.min(parseGoDuration(delay), 60_000)));
      } catch (error) {
        const body = JSON.stringify({ message: (error as Error).message });
        response.writeHead(500, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
        response.end(body);
        return;
      }
    }
    const socket = request.socket as tls.TLSSocket;
    const isTls = Boolean(socket.encrypted);
    const tlsInfo = isTls ? tlsAssertions(socket) : undefined;
    const host = (request.headers[':authority'] as string | undefined) ?? request.headers.host ?? '';
    const body = {
      path: uri,
      host,
      method: request.method,
      proto: `HTTP/${request.httpVersion === '2.0' ? '2.0' : request.httpVersion}`,
      headers: goHeaders(request.rawHeaders),
      ...context,
      ...(tlsInfo ? { tls: tlsInfo } : {}),
      sni: uri.includes('backendTLS') ? tlsInfo?.serverName ?? '' : '',
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' };
    // X-Echo-Set-Header: "name: value, other: value" sets response headers.
    for (const list of [request.headers['x-echo-set-header']].flat().filter(Boolean) as string[]) {
      for (const pair of list.split(',')) {
        const [name, ...rest] = pair.trim().split(':');
        if (name) headers[name] = headers[name] ? `${headers[name]},${rest.join(':').trim()}` : rest.join(':').trim();
      }
    }
    response.writeHead(200, headers);
    response.end(JSON.stringify(body, null, ' '));
  };
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length) console.log(`echo-basic: ignoring arguments ${argv.join(' ')} (the image is configured by environment)`);
  const env = process.env;
  if (env.TCP_ECHO_SERVER) return runTcpEchoServer(env);
  const handler = createEchoHandler(env);
  const onRequest = (request: Request, response: Response) => void handler(request, response);
  const servers: Array<http.Server | http2.Http2SecureServer> = [];
  const httpServer = http.createServer(onRequest);
  servers.push(httpServer);
  await listenOn(httpServer, Number(env.HTTP_PORT || 3000), 'echo-basic (http)');
  const h2cServer = http2.createServer(onRequest);
  try {
    await listenOn(h2cServer, Number(env.H2C_PORT || 3001), 'echo-basic (h2c)');
    servers.push(h2cServer as unknown as http.Server);
  } catch (error) {
    // Manifests rarely declare the h2c port, so where pods share 127.0.0.1 it can be taken by another
    // pod; the real server would exit, we serve on without it and say so.
    console.log(`${(error as Error).message}; serving without h2c`);
  }
  const certFile = env.TLS_SERVER_CERT;
  const keyFile = env.TLS_SERVER_PRIVKEY;
  if (certFile && keyFile) {
    const clientCa = env.TLS_CLIENT_CACERTS;
    const secure = http2.createSecureServer({
      cert: fs.readFileSync(mountedPath(certFile)),
      key: fs.readFileSync(mountedPath(keyFile)),
      allowHTTP1: true,
      // Go's VerifyClientCertIfGiven: ask for a certificate, verify it when one is sent, allow none.
      ...(clientCa ? { ca: fs.readFileSync(mountedPath(clientCa)), requestCert: true, rejectUnauthorized: false } : {}),
    }, onRequest);
    if (clientCa) {
      secure.on('secureConnection', (socket: tls.TLSSocket) => {
        if (socket.getPeerCertificate()?.raw && !socket.authorized) {
          console.log(`rejecting client certificate: ${socket.authorizationError}`);
          socket.destroy();
        }
      });
    }
    servers.push(secure);
    await listenOn(secure, Number(env.HTTPS_PORT || 8443), 'echo-basic (https)');
  }
  return untilSignal(async () => {
    await Promise.all(servers.map((s) => closeServer(s as http.Server)));
  });
}
