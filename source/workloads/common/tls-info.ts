// What a TLS server saw of a connection, in the field names of the Gateway
// API echo server (conformance/echo-basic: TLSAssertions).
import type tls from 'node:tls';

export function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The certificates the peer sent, leaf first. Node links the chain through
 * the server's trust store, so the trusted root shows up even though peers
 * do not send it; self-issued certificates above the leaf are left out to
 * match what Go's PeerCertificates holds in practice.
 */
export function peerCertificateChain(socket: tls.TLSSocket): tls.DetailedPeerCertificate[] {
  const chain: tls.DetailedPeerCertificate[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const selfIssued = cert.issuerCertificate?.fingerprint256 === cert.fingerprint256;
    if (chain.length > 0 && selfIssued) break;
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

export interface TlsAssertions {
  version: string;
  peerCertificates?: string[];
  serverName: string;
  negotiatedProtocol?: string;
  cipherSuite: string;
}

export function tlsAssertions(socket: tls.TLSSocket): TlsAssertions {
  const peers = peerCertificateChain(socket).map((c) => derToPem(c.raw));
  const cipher = socket.getCipher();
  return {
    version: socket.getProtocol() ?? '',
    ...(peers.length ? { peerCertificates: peers } : {}),
    serverName: (socket as tls.TLSSocket & { servername?: string | false }).servername || '',
    ...(socket.alpnProtocol ? { negotiatedProtocol: socket.alpnProtocol } : {}),
    cipherSuite: cipher?.standardName ?? cipher?.name ?? '',
  };
}

/** Go's http.CanonicalHeaderKey: content-type → Content-Type. */
export function canonicalHeaderKey(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** Request headers as Go's map[string][]string (canonical keys, Host and HTTP/2 pseudo-headers left out). */
export function goHeaders(rawHeaders: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.startsWith(':') || name.toLowerCase() === 'host') continue;
    (out[canonicalHeaderKey(name)] ??= []).push(rawHeaders[i + 1]!);
  }
  return out;
}
