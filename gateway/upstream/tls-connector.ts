// How the proxy opens connections to upstreams for undici: plain TCP, or TLS
// per UpstreamTlsIR (SNI, CA bundle, SAN check, client certificate, ALPN,
// session resumption per the session cache mode). Errors carry the stage that
// failed: connect (before the TCP connection exists) or tls (once TLS is under
// way). Both are Envoy's UF (upstream connection failure); the stage decides
// the reason the gateway gives, as Envoy's transport failure reason does.
import net from 'node:net';
import tls from 'node:tls';
import type { buildConnector } from 'undici';
import type { UpstreamTlsIR } from '../ir/types.js';
import { sessionCacheKey, sharedSessionKey, tlsConfigId, type SavedSession, type TlsSessionCache } from './session-cache.js';

export type UpstreamStage = 'connect' | 'tls';
export interface StagedError extends Error {
  upstreamStage?: UpstreamStage;
}

function staged(error: Error, stage: UpstreamStage): StagedError {
  const e = error as StagedError;
  e.upstreamStage ??= stage;
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

/** The name check on a resumed connection: its certificate is the one of the session's first handshake. */
export function resumedIdentityError(upstreamTls: UpstreamTlsIR, socket: tls.TLSSocket, offered: SavedSession | undefined): Error | undefined {
  const shown = socket.getPeerCertificate();
  const cert = shown && Object.keys(shown).length > 0 ? shown : offered?.peer;
  if (!cert) {
    const e = new Error(`resumed TLS session for SNI ${upstreamTls.sni} with no certificate known to check its name against`) as Error & { code: string };
    e.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
    return e;
  }
  const failure = checkUpstreamIdentity(upstreamTls)(upstreamTls.sni, cert);
  if (!failure) return undefined;
  const sessionSni = offered?.sni;
  const madeFor = sessionSni && sessionSni.toLowerCase() !== upstreamTls.sni.toLowerCase() ? ` made for ${sessionSni}` : '';
  const e = new Error(
    `resumed TLS session${madeFor}: the server resumed it for SNI ${upstreamTls.sni} without sending a certificate, and the session's certificate (${cert.subjectaltname ?? 'no SAN'}) is not valid for ${upstreamTls.sni}: ${failure.message}`,
  ) as Error & { code: string };
  e.code = (failure as Error & { code?: string }).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
  return e;
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
  const sessionKey = !upstreamTls ? '' : upstreamTls.sessionCache === 'shared' ? sharedSessionKey(configId) : sessionCacheKey(upstreamTls.sni, configId);
  const useCache = upstreamTls !== undefined && upstreamTls.sessionCache !== 'disabled';
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
      const e = staged(new Error(`connect to ${address}:${port} timed out after ${timeoutMs} ms`), tcpUp ? 'tls' : 'connect');
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
      socket.on('error', (err) => finish(staged(err, 'connect')));
      return socket;
    }
    const tcp = net.connect({ host: address, port, noDelay: true });
    tcp.once('connect', () => {
      tcpUp = true;
    });
    const offered = useCache ? options.sessions.get(sessionKey) : undefined;
    const tlsSocket = tls.connect({
      socket: tcp,
      servername,
      secureContext,
      ALPNProtocols: alpnProtocols,
      session: offered?.session,
      checkServerIdentity,
      rejectUnauthorized: true,
    });
    socket = tlsSocket;
    const sni = upstreamTls.sni;
    if (useCache) {
      tlsSocket.on('session', (session: Buffer) => {
        // A ticket issued on a resumed connection stands on the certificate of the session it resumed.
        const peer = tlsSocket.isSessionReused() ? offered?.peer : tlsSocket.getPeerCertificate();
        options.sessions.set(sessionKey, { session, sni, peer });
      });
    }
    tlsSocket.once('secureConnect', () => {
      // node:tls checks the server's identity only after a full handshake; a resumed session is
      // trusted as it was. We check every connection: the session may have been made for another name.
      const mismatch = tlsSocket.isSessionReused() ? resumedIdentityError(upstreamTls, tlsSocket, offered) : undefined;
      if (!mismatch) return finish(null, tlsSocket);
      if (useCache) options.sessions.delete(sessionKey);
      const e = staged(mismatch, 'tls');
      finish(e);
      tlsSocket.destroy();
    });
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
      finish(staged(err, tcpUp ? 'tls' : 'connect'));
    });
    return tlsSocket;
  };
}
