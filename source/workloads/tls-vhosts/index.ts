// `workload tls-vhosts`: our own TLS test server for the backend-TLS, mTLS
// and forward-proxy labs. One address, several SNI names each with its own
// certificate, optionally requiring client certificates signed by a given CA;
// it answers HTTP with a JSON of what it saw.
//
//   workload tls-vhosts --listen 8443 \
//     --vhost api.example.com=/certs/a/tls.crt,/certs/a/tls.key \
//     --vhost '*.internal.example=/certs/b' \        (a directory: its tls.crt and tls.key, e.g. a mounted Secret)
//     [--default-vhost api.example.com | --strict-sni] \
//     [--client-ca /certs/ca.crt [--require-client-cert]] [--close-connections]
//
// Without --strict-sni a ClientHello whose SNI matches no vhost (or has none)
// gets the default vhost's certificate (the first one unless named); with it,
// the handshake is refused. --client-ca asks for a client certificate and
// verifies it; --require-client-cert also refuses a handshake without one or
// with one that does not verify, with the alert an OpenSSL server sends
// (certificate_required, unknown_ca, ...: the gateway's ClientCertGate, since
// node:tls alone closes without an alert).
// One server issues session tickets under one key for every name (a Node TLS
// server resumes on its first context, whichever name the ticket was made
// for), like a CDN that shares ticket keys across its names. The JSON says
// whether this connection resumed a session and counts handshakes since
// start; --close-connections ends every connection after its response, so
// each request through a keep-alive proxy is a new TLS connection.
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type http from 'node:http';
import { closeServer, listenOn, mountedPath, untilSignal } from '../common/listen.js';
import { FlagError, parseFlags } from '../common/flags.js';
import { goHeaders, peerCertificateChain } from '../common/tls-info.js';
import { clientCertGateFor } from '../../../gateway/dataplane/client-cert-gate.js';

export interface Vhost { name: string; certFile: string; keyFile: string }
export interface VhostsConfig {
  port: number;
  vhosts: Vhost[];
  defaultVhost?: string;
  strictSni: boolean;
  clientCaFiles: string[];
  requireClientCert: boolean;
  closeConnections: boolean;
}

export function parseVhostsConfig(argv: string[]): VhostsConfig {
  const flags = parseFlags(argv, { values: ['listen', 'default-vhost'], lists: ['vhost', 'client-ca'], booleans: ['require-client-cert', 'strict-sni', 'close-connections'] });
  const listen = flags.values.get('listen') ?? '8443';
  if (!/^\d+$/.test(listen)) throw new FlagError(`--listen: "${listen}" is not a port number`);
  const vhosts = (flags.lists.get('vhost') ?? []).map((entry) => {
    const match = /^([^=]+)=([^,]+),([^,]+)$/.exec(entry);
    if (match) return { name: match[1]!.toLowerCase(), certFile: match[2]!, keyFile: match[3]! };
    const dir = /^([^=]+)=([^,]+)$/.exec(entry);
    if (!dir) throw new FlagError(`--vhost "${entry}": expected NAME=CERT_FILE,KEY_FILE or NAME=DIRECTORY (with tls.crt and tls.key)`);
    const base = dir[2]!.replace(/\/+$/, '');
    return { name: dir[1]!.toLowerCase(), certFile: `${base}/tls.crt`, keyFile: `${base}/tls.key` };
  });
  if (vhosts.length === 0) throw new FlagError('at least one --vhost NAME=CERT_FILE,KEY_FILE is required');
  const defaultVhost = flags.values.get('default-vhost')?.toLowerCase();
  if (defaultVhost && !vhosts.some((v) => v.name === defaultVhost)) throw new FlagError(`--default-vhost "${defaultVhost}" is not one of the --vhost names`);
  const requireClientCert = flags.booleans.has('require-client-cert');
  const clientCaFiles = flags.lists.get('client-ca') ?? [];
  if (requireClientCert && clientCaFiles.length === 0) throw new FlagError('--require-client-cert needs --client-ca');
  return { port: Number(listen), vhosts, defaultVhost, strictSni: flags.booleans.has('strict-sni'), clientCaFiles, requireClientCert, closeConnections: flags.booleans.has('close-connections') };
}

/** Exact name first, then a wildcard covering exactly one leftmost label. */
export function matchVhost(vhosts: Vhost[], serverName: string | undefined): Vhost | undefined {
  if (!serverName) return undefined;
  const name = serverName.toLowerCase();
  return vhosts.find((v) => v.name === name) ?? vhosts.find((v) => v.name.startsWith('*.') && name.endsWith(v.name.slice(1)) && !name.slice(0, -v.name.length + 1).includes('.'));
}

function describeName(name: tls.Certificate | undefined): string {
  if (!name) return '';
  return Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ');
}

export function createVhostsServer(config: VhostsConfig): https.Server {
  const ca = config.clientCaFiles.map((file) => fs.readFileSync(mountedPath(file)));
  const contexts = new Map<string, tls.SecureContext>();
  const options = (vhost: Vhost) => ({ cert: fs.readFileSync(mountedPath(vhost.certFile)), key: fs.readFileSync(mountedPath(vhost.keyFile)), ...(ca.length ? { ca } : {}) });
  for (const vhost of config.vhosts) contexts.set(vhost.name, tls.createSecureContext(options(vhost)));
  const fallback = config.vhosts.find((v) => v.name === config.defaultVhost) ?? config.vhosts[0]!;
  const handshakes = { full: 0, resumed: 0 };

  const server = https.createServer({
    ...options(fallback),
    requestCert: ca.length > 0,
    rejectUnauthorized: config.requireClientCert,
    SNICallback: (serverName, callback) => {
      const vhost = matchVhost(config.vhosts, serverName);
      if (!vhost && config.strictSni) {
        console.log(`refusing handshake: SNI "${serverName}" matches no vhost`);
        callback(new Error(`no vhost for SNI "${serverName}"`));
        return;
      }
      callback(null, contexts.get((vhost ?? fallback).name));
    },
  }, (request: http.IncomingMessage, response: http.ServerResponse) => {
    const socket = request.socket as tls.TLSSocket;
    const sni = (socket as tls.TLSSocket & { servername?: string | false }).servername || '';
    const vhost = matchVhost(config.vhosts, sni) ?? fallback;
    const [leaf] = peerCertificateChain(socket);
    const body = {
      sni,
      vhost: vhost.name,
      method: request.method,
      path: request.url,
      host: request.headers.host ?? '',
      // What the gateway forwarded, as httpbin's /get shows it (Go-style header keys, Host apart).
      headers: goHeaders(request.rawHeaders),
      origin: socket.remoteAddress ?? '',
      tls: { version: socket.getProtocol(), cipherSuite: socket.getCipher()?.standardName, negotiatedProtocol: socket.alpnProtocol || undefined, resumed: socket.isSessionReused() },
      handshakes: { ...handshakes },
      clientCertificate: leaf
        ? { subject: describeName(leaf.subject), issuer: describeName(leaf.issuer), serialNumber: leaf.serialNumber, fingerprint256: leaf.fingerprint256, verified: socket.authorized, ...(socket.authorized ? {} : { error: String(socket.authorizationError) }) }
        : null,
      pod: process.env.POD_NAME ?? '',
    };
    console.log(`${request.method} ${request.url} sni=${sni || '-'} resumed=${socket.isSessionReused()} client=${leaf ? describeName(leaf.subject) : '-'}`);
    const text = JSON.stringify(body, null, 2) + '\n';
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(config.closeConnections ? { connection: 'close' } : {}) });
    response.end(text);
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    if (socket.isSessionReused()) handshakes.resumed++;
    else handshakes.full++;
  });
  // The backend's side of a refused handshake: which peer, and why (the client-certificate gate's alert, or OpenSSL's reason).
  server.on('tlsClientError', (error: Error & { code?: string }, socket: tls.TLSSocket) =>
    console.log(`TLS handshake failed from ${socket.remoteAddress ?? '?'}: ${error.code ? `${error.code}: ` : ''}${error.message}`));
  return server;
}

export async function main(argv: string[]): Promise<number> {
  const config = parseVhostsConfig(argv);
  const server = createVhostsServer(config);
  const what = `tls-vhosts (${config.vhosts.map((v) => v.name).join(', ')}${config.requireClientCert ? '; client certificate required' : ''})`;
  if (!config.requireClientCert) {
    await listenOn(server, config.port, what);
    return untilSignal(() => closeServer(server));
  }
  // The TLS server reads each connection through the client-certificate gate; it never listens itself.
  const gate = clientCertGateFor(server, config.clientCaFiles.map((file) => fs.readFileSync(mountedPath(file), 'utf8')).join('\n'));
  const front = net.createServer((raw) => server.emit('connection', gate(raw)));
  await listenOn(front, config.port, what);
  return untilSignal(async () => {
    await closeServer(front);
    await closeServer(server);
  });
}
