// After the probe: what only the wire log knows, merged into the result —
// the records, the ClientHello as sent, the ServerHello, the chain of a failed
// handshake, alerts and the client-certificate exchange.
import { summarizeDer } from './certificates.js';
import { printable, type HandshakeAnalysis } from './handshake-analysis.js';
import type { CertificateSummary, ProbeResult } from './types.js';

export function emptyTls(): NonNullable<ProbeResult['tls']> {
  return {
    resumed: false,
    helloRetryRequest: false,
    peerChain: [],
    verification: { trusted: false, nameMatched: false, expired: false },
    clientCertificate: { requested: false, sent: false },
  };
}

export function mergeWireFacts(result: ProbeResult, analysis: HandshakeAnalysis, https: boolean, certConfigured: boolean): void {
  if (result.http?.version === '1.1' && analysis.httpStatusLine) result.http.statusLine = analysis.httpStatusLine;
  if (!https) {
    // Plain HTTP: the bytes are HTTP, not records; only how the connection ended is worth keeping.
    result.records = analysis.events.filter((e) => e.what === 'EOF' || e.what === 'RST');
    return;
  }
  result.records = analysis.events;
  if (analysis.notTls) result.notTlsPreview = printable(analysis.notTls, 200);
  if (analysis.clientHello) {
    result.clientHello = { sni: analysis.clientHello.sni, alpn: analysis.clientHello.alpn, versions: analysis.clientHello.versions, offersSession: analysis.clientHello.offersSession };
  }
  if (!analysis.clientHello && !result.tls) return;
  const tls = (result.tls ??= emptyTls());
  tls.helloRetryRequest = analysis.helloRetryRequest;
  if (analysis.serverHello) {
    tls.serverHello = { version: analysis.serverHello.version, cipher: analysis.serverHello.cipher };
    tls.version ??= analysis.serverHello.version;
    tls.cipher ??= analysis.serverHello.cipher;
  }
  if (tls.alpn === undefined && analysis.serverAlpn) tls.alpn = analysis.serverAlpn;
  // The wire chain is what the server really sent (a socket's chain may include the local trust anchor).
  if (analysis.serverCertificates.length) {
    const wireChain = analysis.serverCertificates.map(summarizeDer).filter((c): c is CertificateSummary => Boolean(c));
    if (wireChain.length) tls.peerChain = wireChain;
  }
  const inboundAlert = analysis.alerts.find((a) => a.direction === 'in' && a.code !== 0);
  if (!tls.alert && inboundAlert) {
    tls.alert = { level: inboundAlert.level, description: inboundAlert.description, code: inboundAlert.code, direction: 'in' };
  }
  const client = tls.clientCertificate;
  if (analysis.certificateRequestSeen) {
    client.requested = true;
    client.evidence ??= 'CertificateRequest';
  }
  if (analysis.clientCertificatesSent !== undefined) client.sent = analysis.clientCertificatesSent > 0;
  else if (client.requested && certConfigured) client.sent = true;
}
