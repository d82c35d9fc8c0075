// How the proxy opens connections to upstreams for undici: plain TCP, or TLS
// per UpstreamTlsIR (SNI, CA bundle, SAN check, client certificate, ALPN,
// SNI-scoped session resumption). Errors carry the response flag they mean:
// UF before the TCP connection exists, UT once TLS is under way.
import net from 'node:net';
import tls from 'node:tls';
import type { buildConnector } from 'undici';
import type { UpstreamTlsIR } from '../ir/types.js';
import { sessionCacheKey, tlsConfigId, type TlsSessionCache } from './session-cache.js';

export type UpstreamFlag = 'UF' | 'UT';
export interface FlaggedError extends Error {
  upstreamFlag?: UpstreamFlag;
}

function flagged(error: Error, flag: UpstreamFlag): FlaggedError {
  const e = error as FlaggedError;
  e.upstreamFlag ??= flag;
  return e;
}

/** Subject alternative names check per BackendTLSPolicy: any listed name may match; else the SNI. */
export function checkUpstreamIdentity(upstreamTls: UpstreamTlsIR) {
  return (hostname: string, cert: tls.PeerCertificate): Error | undefined => {
    const sans = upstreamTls.subjectAltNames;
    if (!sans?.length) return tls.checkServerIdentity(upstreamTls.sni || hostname, cert);
    const uris = (cert.subjectaltname ?? '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
    for (const san of sans) {
      if (san.type === 'URI' && uris.includes(san.value)) return undefined;
      if (san.type === 'Hostname' && tls.checkServerIdentity(san.value, cert) === undefined) return undefined;
    }
    const e = new Error(`certificate SANs (${cert.subjectaltname ?? 'none'}) match none of ${sans.map((s) => `${s.type}:${s.value}`).join(', ')}`) as Error & { code: string };
    e.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
    return e;
  };
}

export interface ConnectorOptions {
  address: string;
  port: number;
  tls?: UpstreamTlsIR;
  sessions: TlsSessionCache;
  connectTimeoutMs?: number;
  /** Cleartext HTTP/2 (prior knowledge): undici picks HTTP/2 by the socket's alpnProtocol, so we set it. */
  h2c?: boolean;
}

/** An undici `connect` function bound to one endpoint and one TLS configuration. */
export function createConnector(options: ConnectorOptions): buildConnector.connector {
  const { address, port } = options;
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const upstreamTls = options.tls;
  const configId = upstreamTls ? tlsConfigId(upstreamTls) : '';
  const secureContext = upstreamTls
    ? tls.createSecureContext({
        ca: upstreamTls.caPem ? (upstreamTls.useSystemCAs ? [...tls.rootCertificates, upstreamTls.caPem] : upstreamTls.caPem) : undefined,
        cert: upstreamTls.clientCertificate?.certPem,
        key: upstreamTls.clientCertificate?.keyPem,
      })
    : undefined;
  const checkServerIdentity = upstreamTls ? checkUpstreamIdentity(upstreamTls) : undefined;
  const sessionKey = upstreamTls ? sessionCacheKey(upstreamTls.sni, configId) : '';
  const useCache = upstreamTls?.sessionCache === 'sni';
  const servername = upstreamTls && !net.isIP(upstreamTls.sni) ? upstreamTls.sni : undefined;
  const alpnProtocols = upstreamTls?.alpnProtocols?.length ? upstreamTls.alpnProtocols : ['http/1.1'];

  return (_opts, callback) => {
    let done = false;
    const finish = (err: Error | null, socket?: net.Socket) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) callback(err, null);
      else callback(null, socket!);
    };
    const timer = setTimeout(() => {
      const e = flagged(new Error(`connect to ${address}:${port} timed out after ${timeoutMs} ms`), tcpUp ? 'UT' : 'UF');
      (e as Error & { code: string }).code = 'UND_ERR_CONNECT_TIMEOUT';
      socket.destroy(e);
      finish(e);
    }, timeoutMs);
    let tcpUp = false;
    let socket: net.Socket;
    if (!upstreamTls) {
      socket = net.connect({ host: address, port, noDelay: true });
      socket.once('connect', () => {
        tcpUp = true;
        if (options.h2c) (socket as net.Socket & { alpnProtocol?: string }).alpnProtocol = 'h2';
        finish(null, socket);
      });
      socket.on('error', (err) => finish(flagged(err, 'UF')));
      return socket;
    }
    const tcp = net.connect({ host: address, port, noDelay: true });
    tcp.once('connect', () => {
      tcpUp = true;
    });
    const tlsSocket = tls.connect({
      socket: tcp,
      servername,
      secureContext,
      ALPNProtocols: alpnProtocols,
      session: useCache ? options.sessions.get(sessionKey) : undefined,
      checkServerIdentity,
      rejectUnauthorized: true,
    });
    socket = tlsSocket;
    if (useCache) tlsSocket.on('session', (session: Buffer) => options.sessions.set(sessionKey, session));
    tlsSocket.once('secureConnect', () => finish(null, tlsSocket));
    let tlsError: Error | undefined;
    // In TLS 1.3 a server refuses our client certificate (or its absence) after our side of the
    // handshake is done: its alert (certificate_required, unknown_ca) arrives as an 'error' and
    // then an 'end', which undici would report as "other side closed", hiding the alert. The
    // socket closes anyway; undici then fails the request with the alert.
    const emit = tlsSocket.emit.bind(tlsSocket);
    tlsSocket.emit = ((event: string | symbol, ...args: unknown[]) => (event === 'end' && tlsError ? false : emit(event, ...args))) as typeof tlsSocket.emit;
    tlsSocket.on('error', (err) => {
      tlsError ??= err;
      // A handshake that failed must not leave its session to be offered again; later errors
      // (a reset after the response) say nothing about the session.
      if (useCache && !done) options.sessions.delete(sessionKey);
      finish(flagged(err, tcpUp ? 'UT' : 'UF'));
    });
    return tlsSocket;
  };
}
