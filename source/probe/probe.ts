// The probe: curl's path through a request, with every step recorded.
// TCP connect (after --connect-to/--resolve) → tap → node:tls with the chosen
// SNI/ALPN/CA/client certificate, rejectUnauthorized:false so the chain is
// always recorded → our own verification (curl's verdict) → HTTP over the same
// socket through undici. Failures become an outcome and curl's exit code.
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { classifyFailure, type ProbePhase } from './classify.js';
import { chainFromSocket, summarizeDer, verifyPeer } from './certificates.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_TIME_MS } from './defaults.js';
import { analyzeHandshake, type HandshakeAnalysis, type WireEvent } from './handshake-analysis.js';
import { exchange } from './http-exchange.js';
import { LocalFileError, loadTlsContext, type TlsContext } from './local-files.js';
import { TapDuplex } from './tap.js';
import { resolveTarget, type ProbeTarget } from './target.js';
import { effectiveSni } from './request-edits.js';
import { DnsError, addressesFor, connectFirst } from './tcp-connect.js';
import { addKeylogLine, type Tls13Secrets } from './tls13-decrypt.js';
import { emptyTls, mergeWireFacts } from './tls-facts.js';
import type { CertificateSummary, ProbeRequest, ProbeResult } from './types.js';

/**
 * A resumable TLS session and what it was established with. A resumed
 * handshake sends no certificate, so the chain of the original handshake is
 * kept with the ticket: it is the certificate the resumed session stands on.
 */
export interface ProbeSession {
  ticket: Buffer;
  /** SNI of the handshake that created the session. */
  serverName?: string;
  /** DER certificates of that handshake, leaf first. */
  peerChain: Buffer[];
}

export interface ProbeOptions {
  signal?: AbortSignal;
  /** A TLS session (from a previous probe's onSession) to offer for resumption. */
  session?: ProbeSession;
  /** Receives the sessions (tickets) the server issues, for a later resumption probe. */
  onSession?: (session: ProbeSession) => void;
  /** Body bytes kept in the result (default 4 KiB). */
  maxBodyBytes?: number;
}

const DEFAULT_ALPN = ['h2', 'http/1.1'];
const USER_AGENT = 'agw-workshop-probe';

class TimeoutError extends Error {
  constructor() {
    super('max time reached');
    this.name = 'TimeoutError';
  }
}

export function offeredAlpn(request: ProbeRequest): string[] {
  if (request.alpn) return request.alpn;
  if (request.httpVersion === '1.1') return ['http/1.1'];
  return DEFAULT_ALPN;
}

/** What curl sends by default, then the caller's headers (which win). */
function requestHeaders(request: ProbeRequest, target: ProbeTarget): [string, string][] {
  const given = request.headers ?? [];
  const has = (name: string) => given.some(([n]) => n.toLowerCase() === name);
  const headers: [string, string][] = [];
  if (!has('host')) headers.push(['Host', target.url.host]);
  if (!has('user-agent')) headers.push(['User-Agent', USER_AGENT]);
  if (!has('accept')) headers.push(['Accept', '*/*']);
  if (request.body !== undefined && !has('content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  return [...headers, ...given];
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export async function probe(request: ProbeRequest, options: ProbeOptions = {}): Promise<ProbeResult> {
  const target = resolveTarget(request.url, request.connectTo, request.resolve); // bad input throws
  const start = performance.now();
  const since = () => round(performance.now() - start);
  const wire: WireEvent[] = [];
  const secrets: Tls13Secrets = {};
  const result: ProbeResult = { request, outcome: 'established', curlExitCode: 0, records: [], timings: { totalMs: 0 } };

  // One deadline (--max-time) over every step; the caller's signal cancels too.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TimeoutError()), request.maxTimeMs ?? DEFAULT_MAX_TIME_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  let abortListener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    abortListener = () => reject(signal.reason instanceof Error ? signal.reason : new TimeoutError());
    signal.addEventListener('abort', abortListener, { once: true });
  });
  aborted.catch(() => undefined);
  const race = <T>(promise: Promise<T>) => Promise.race([promise, aborted]);

  let phase: ProbePhase = 'dns';
  let raw: net.Socket | undefined;
  let tlsSocket: tls.TLSSocket | undefined;
  let handshakeDone = false;
  let socketError: NodeJS.ErrnoException | undefined;
  let context: TlsContext | undefined;
  // The wire log analysed once: by the failure classification when there is one, else in finally.
  let analysis: HandshakeAnalysis | undefined;
  const sni = effectiveSni(request, target.host);
  const alpn = target.https ? offeredAlpn(request) : [];
  if (target.https) result.clientHello = { sni, alpn, versions: [] };

  try {
    // Local files first: curl fails on them (58/77) whatever the network does.
    if (target.https) context = await loadTlsContext(request);

    const addresses = await race(addressesFor(target));
    phase = 'connect';
    const connected = await connectFirst(addresses, target.connectPort, race, () => signal.aborted);
    raw = connected.socket;
    result.connect = { address: connected.address, port: target.connectPort, localAddress: raw.localAddress, ms: connected.ms };
    result.timings.connectMs = since();

    const tap = new TapDuplex(raw, {
      onData: (direction, bytes) => wire.push({ kind: 'data', direction, atMs: since(), bytes: Buffer.from(bytes) }),
      onEnd: (how, error) => wire.push({ kind: 'end', direction: 'in', atMs: since(), how, detail: error?.message }),
    });
    tap.on('error', () => undefined); // recorded by the observer; TLS or undici report it too

    let transport: Duplex = tap;
    if (target.https && context) {
      phase = 'tls';
      const socket = tls.connect({
        socket: tap,
        secureContext: context.secureContext,
        servername: sni,
        ALPNProtocols: alpn.length ? alpn : undefined,
        rejectUnauthorized: false,
        // node folds the name check into `authorized`; the probe checks the name itself (verifyPeer).
        checkServerIdentity: () => undefined,
        session: options.session?.ticket,
      });
      tlsSocket = socket;
      socket.on('keylog', (line) => addKeylogLine(secrets, line));
      const onSession = options.onSession;
      if (onSession) {
        socket.on('session', (ticket: Buffer) => {
          const chain = chainFromSocket(socket);
          onSession({ ticket, serverName: sni, peerChain: chain.length ? chain : (options.session?.peerChain ?? []) });
        });
      }
      socket.on('error', (error) => {
        socketError ??= error;
      });
      await race(
        new Promise<void>((resolve, reject) => {
          socket.once('secureConnect', resolve);
          socket.once('error', reject);
          socket.once('close', () => reject(socketError ?? Object.assign(new Error('socket closed during the TLS handshake'), { code: 'ECONNRESET' })));
        }),
      );
      handshakeDone = true;
      result.timings.tlsMs = since();
      result.tls = handshakeFacts(socket, sni ?? target.host, options.session);
      const verification = result.tls.verification;
      if (!request.insecure && (!verification.trusted || !verification.nameMatched)) {
        phase = 'verify';
        result.outcome = 'verification-failed';
        result.curlExitCode = 60;
        result.error = verification.reason ?? 'certificate verification failed';
        return result;
      }
      transport = socket;
    }

    phase = 'http';
    const headers = requestHeaders(request, target);
    const exchangeStart = since();
    const response = await race(
      exchange(transport, {
        origin: `${target.https ? 'https' : 'http'}://${target.url.host}`,
        h2: target.https && tlsSocket?.alpnProtocol === 'h2',
        method: request.method ?? (request.body !== undefined ? 'POST' : 'GET'),
        path: `${target.url.pathname}${target.url.search}` || '/',
        headers,
        body: request.body,
        signal,
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      }),
    );
    result.timings.firstByteMs = round(Math.max(exchangeStart, response.headersAt - start));
    const flags = response.headers['x-envoy-response-flags'] ?? response.headers['x-agw-response-flags'] ?? response.headers['x-response-flags'];
    result.http = {
      version: response.version,
      status: response.status,
      headers: response.headers,
      body: response.body,
      bodyTruncated: response.bodyTruncated,
      requestHeaders: headers,
      ...(flags ? { responseFlags: Array.isArray(flags) ? flags.join(',') : flags } : {}),
    };
    result.outcome = 'established';
    result.curlExitCode = 0;
    return result;
  } catch (thrown) {
    const error = thrown as NodeJS.ErrnoException;
    if (options.signal?.aborted && !deadline.signal.aborted) throw error; // the caller cancelled: not an observation
    analysis = analyzeHandshake(wire, secrets);
    const classification = classifyFailure({
      phase: error instanceof DnsError ? 'dns' : phase,
      error: socketError && phase !== 'connect' ? socketError : error,
      timedOut: error instanceof TimeoutError || deadline.signal.aborted,
      analysis,
      clientCertificateConfigured: Boolean(request.certFile),
      handshakeDone,
      where: `${target.host}:${target.port}`,
      localFile: error instanceof LocalFileError ? error.kind : undefined,
    });
    result.outcome = classification.outcome;
    result.curlExitCode = classification.curlExitCode;
    result.error = classification.error;
    if (classification.alert || classification.clientCertificate) {
      result.tls ??= emptyTls();
      if (classification.alert) result.tls.alert = classification.alert;
      if (classification.clientCertificate) result.tls.clientCertificate = classification.clientCertificate;
    }
    return result;
  } finally {
    clearTimeout(timer);
    if (abortListener) signal.removeEventListener('abort', abortListener);
    tlsSocket?.destroy();
    raw?.destroy();
    result.timings.totalMs = since();
    // Nothing is awaited between the catch and here, so the wire log and secrets are unchanged since the analysis.
    mergeWireFacts(result, analysis ?? analyzeHandshake(wire, secrets), target.https, Boolean(request.certFile));
    if (result.tls && context?.clientCertificate) {
      result.tls.clientCertificate.subject = context.clientCertificate.subject;
      result.tls.clientCertificate.issuer = context.clientCertificate.issuer;
    }
  }
}

/** Version, cipher, ALPN, chain and verification of a completed handshake. */
function handshakeFacts(socket: tls.TLSSocket, name: string, session: ProbeSession | undefined): NonNullable<ProbeResult['tls']> {
  const resumed = socket.isSessionReused();
  const peer = socket.getPeerCertificate(true);
  let chain = chainFromSocket(socket, peer);
  if (chain.length === 0 && resumed && session) chain = session.peerChain;
  const peerChain = chain.map(summarizeDer).filter((c): c is CertificateSummary => Boolean(c));
  const cipher = socket.getCipher();
  return {
    version: socket.getProtocol() ?? undefined,
    cipher: cipher.name,
    alpn: socket.alpnProtocol ?? false,
    resumed,
    helloRetryRequest: false,
    peerChain,
    verification: verifyPeer(socket, name, peerChain[0], resumed ? chain[0] : undefined, peer),
    clientCertificate: { requested: false, sent: false },
  };
}
