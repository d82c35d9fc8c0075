// From what failed (and where) to an outcome and curl's exit code. Pure, so
// the table is tested without sockets. curl's codes (libcurl-errors(3)):
// 6 couldn't resolve host, 7 couldn't connect, 28 timeout, 35 TLS connect
// error, 52 empty reply, 56 recv failure, 58 local client certificate problem,
// 60 peer certificate verification failed (7.62+), 77 CA file problem.
import type { HandshakeAnalysis, ObservedAlert } from './handshake-analysis.js';
import { alertName } from './tls-names.js';
import type { ProbeOutcome } from './types.js';

export type ProbePhase = 'input' | 'dns' | 'connect' | 'tls' | 'verify' | 'http';

export interface FailureFacts {
  phase: ProbePhase;
  error?: NodeJS.ErrnoException;
  timedOut: boolean;
  analysis: HandshakeAnalysis;
  /** --cert was given and loaded. */
  clientCertificateConfigured: boolean;
  /** node reported the handshake complete (secureConnect). */
  handshakeDone: boolean;
  /** `host:port` for messages, as curl names the connection. */
  where: string;
  /** Local file problem: which kind. */
  localFile?: 'client-certificate' | 'ca';
}

export interface Classification {
  outcome: ProbeOutcome;
  curlExitCode: number;
  error: string;
  alert?: { level: 'warning' | 'fatal'; description: string; code: number; direction: 'in' | 'out' };
  clientCertificate?: { requested: boolean; sent: boolean; evidence?: string };
}

/** Alerts a server sends about the client's certificate (RFC 8446 §6.2, RFC 5246 §7.2.2). */
const CLIENT_CERTIFICATE_ALERTS = new Set([42, 43, 44, 45, 46, 48, 49, 51]);
const CERTIFICATE_REQUIRED = 116;
const HANDSHAKE_FAILURE = 40;

/** OpenSSL ends errors about a received alert with "SSL alert number N". */
export function alertNumberFromError(error: NodeJS.ErrnoException | undefined): number | undefined {
  const match = error?.message.match(/alert number (\d+)/i);
  return match ? Number(match[1]) : undefined;
}

function inboundFatalAlert(analysis: HandshakeAnalysis): ObservedAlert | undefined {
  return analysis.alerts.find((a) => a.direction === 'in' && a.level === 'fatal') ?? analysis.alerts.find((a) => a.direction === 'in' && a.code !== 0);
}

function classifyAlert(code: number, facts: FailureFacts, exitCode: number): Classification {
  const { analysis } = facts;
  const alert = { level: 'fatal' as const, description: alertName(code), code, direction: 'in' as const };
  const sent = analysis.clientCertificatesSent !== undefined ? analysis.clientCertificatesSent > 0 : facts.clientCertificateConfigured && analysis.certificateRequestSeen;
  const base = `TLS alert from the server: ${alert.description} (${code})`;
  if (code === CERTIFICATE_REQUIRED) {
    return {
      outcome: 'client-certificate-required',
      curlExitCode: exitCode,
      error: `${base}: the server requires a client certificate`,
      alert,
      clientCertificate: { requested: true, sent, evidence: analysis.certificateRequestSeen ? 'CertificateRequest' : 'certificate_required alert' },
    };
  }
  // After our Finished (TLS 1.3), the only thing left for the server to judge is our certificate.
  const aboutClientCertificate =
    (CLIENT_CERTIFICATE_ALERTS.has(code) && (analysis.certificateRequestSeen || facts.handshakeDone)) ||
    (code === HANDSHAKE_FAILURE && analysis.certificateRequestSeen);
  if (aboutClientCertificate) {
    const evidence = analysis.certificateRequestSeen ? 'CertificateRequest' : `${alert.description} alert after the handshake`;
    const sentNow = sent || (facts.clientCertificateConfigured && facts.handshakeDone);
    return sentNow
      ? { outcome: 'client-certificate-rejected', curlExitCode: exitCode, error: `${base}: the server rejected the client certificate`, alert, clientCertificate: { requested: true, sent: true, evidence } }
      : { outcome: 'client-certificate-required', curlExitCode: exitCode, error: `${base}: the server requires a client certificate and none was sent`, alert, clientCertificate: { requested: true, sent: false, evidence } };
  }
  return { outcome: 'alert', curlExitCode: exitCode, error: base, alert };
}

/**
 * Servers built on node:tls (and some others) reject an untrusted client
 * certificate by closing the connection, with no alert: the client sees EOF
 * right after sending its Certificate (TLS 1.2: before the server's Finished;
 * TLS 1.3: after the handshake, on the first read or write).
 */
function closedAfterClientCertificate(facts: FailureFacts): Classification | undefined {
  const { analysis, error } = facts;
  if (!analysis.certificateRequestSeen || analysis.clientCertificatesSent === undefined) return undefined;
  if (facts.phase !== 'tls' && facts.phase !== 'http') return undefined;
  const closed = analysis.end !== undefined || error?.code === 'ECONNRESET' || error?.code === 'UND_ERR_SOCKET' || error?.code === 'EPIPE';
  if (!closed) return undefined;
  const reset = analysis.end?.how === 'RST' || error?.code === 'ECONNRESET';
  const curlExitCode = facts.phase === 'tls' ? 35 : reset ? 56 : 52;
  const sent = analysis.clientCertificatesSent > 0;
  const how = reset ? 'reset' : 'closed';
  return sent
    ? {
        outcome: 'client-certificate-rejected',
        curlExitCode,
        error: `the server ${how} the connection right after receiving the client certificate, without an alert: it did not accept the certificate`,
        clientCertificate: { requested: true, sent: true, evidence: 'CertificateRequest; connection closed after the client Certificate' },
      }
    : {
        outcome: 'client-certificate-required',
        curlExitCode,
        error: `the server asked for a client certificate, got none, and ${how} the connection without an alert`,
        clientCertificate: { requested: true, sent: false, evidence: 'CertificateRequest; connection closed after an empty client Certificate' },
      };
}

export function classifyFailure(facts: FailureFacts): Classification {
  const { error, analysis, phase } = facts;
  const code = error?.code;
  if (facts.timedOut) {
    const stage = phase === 'connect' || phase === 'dns' ? 'connecting' : phase === 'tls' ? 'during the TLS handshake' : 'waiting for the HTTP answer';
    return { outcome: 'timeout', curlExitCode: 28, error: `Operation timed out ${stage} (${facts.where})` };
  }
  if (facts.localFile === 'client-certificate') {
    return { outcome: 'local-error', curlExitCode: 58, error: `could not load the client certificate or key (${error?.message ?? 'unknown error'})` };
  }
  if (facts.localFile === 'ca') {
    return { outcome: 'local-error', curlExitCode: 77, error: `could not load the CA file (${error?.message ?? 'unknown error'})` };
  }
  if (phase === 'dns') {
    return { outcome: 'dns-failure', curlExitCode: 6, error: `Could not resolve host: ${facts.where.replace(/:\d+$/, '')}` };
  }
  if (phase === 'connect') {
    if (code === 'ECONNREFUSED') return { outcome: 'refused', curlExitCode: 7, error: `Failed to connect to ${facts.where}: Connection refused` };
    return { outcome: 'refused', curlExitCode: 7, error: `Failed to connect to ${facts.where}: ${error?.message ?? code ?? 'unknown error'}` };
  }

  const afterHandshake = facts.handshakeDone;
  const tlsExit = afterHandshake ? 56 : 35;
  const inbound = inboundFatalAlert(analysis);
  const alertCode = inbound?.code ?? alertNumberFromError(error);
  if (alertCode !== undefined && alertCode !== 0) return classifyAlert(alertCode, facts, tlsExit);

  const closedOnCertificate = closedAfterClientCertificate(facts);
  if (closedOnCertificate) return closedOnCertificate;

  if (analysis.notTls && !afterHandshake && phase === 'tls') {
    return { outcome: 'not-tls', curlExitCode: 35, error: `the server did not answer in TLS (wrong version number); it sent: ${analysis.notTls.subarray(0, 60).toString('latin1').split(/\r?\n/)[0]}` };
  }

  if (phase === 'tls') {
    const outbound = analysis.alerts.find((a) => a.direction === 'out' && a.level === 'fatal');
    if (outbound) {
      return {
        outcome: 'alert',
        curlExitCode: 35,
        error: `the client aborted the handshake with alert ${outbound.description} (${outbound.code}): ${error?.message ?? ''}`.trim(),
        alert: { level: outbound.level, description: outbound.description, code: outbound.code, direction: 'out' },
      };
    }
    // The tap saw how the peer closed; node calls a plain EOF "ECONNRESET ... socket disconnected".
    const disconnected = /socket disconnected|ended by the other party|closed during the TLS handshake/i.test(error?.message ?? '');
    const endHow = analysis.end?.how ?? (disconnected ? 'EOF' : code === 'ECONNRESET' ? 'RST' : undefined);
    const nothing = analysis.inboundBytes === 0;
    const when = nothing ? 'right after the ClientHello, before any byte from the server' : `during the handshake, after ${analysis.inboundBytes} bytes from the server`;
    if (endHow === 'RST') return { outcome: 'reset-after-client-hello', curlExitCode: 35, error: `Connection reset by peer ${when} (${facts.where})` };
    if (endHow === 'EOF') {
      return { outcome: 'closed-after-client-hello', curlExitCode: 35, error: `SSL_ERROR_SYSCALL: the server closed the connection ${when} (${facts.where})` };
    }
    return { outcome: 'alert', curlExitCode: 35, error: `TLS handshake failed: ${error?.message ?? 'unknown error'}` };
  }

  // HTTP phase.
  if (phase === 'http') {
    if (code === 'ECONNRESET' || analysis.end?.how === 'RST') {
      return { outcome: 'http-error', curlExitCode: 56, error: 'Recv failure: Connection reset by peer' };
    }
    if (code === 'UND_ERR_SOCKET' || /other side closed|closed/i.test(error?.message ?? '')) {
      return { outcome: 'http-error', curlExitCode: 52, error: 'Empty reply from server' };
    }
    if (code === 'HPE_INVALID_CONSTANT' || code?.startsWith('HPE_')) {
      return { outcome: 'http-error', curlExitCode: 1, error: `the server's reply is not HTTP: ${error?.message}` };
    }
    return { outcome: 'http-error', curlExitCode: 56, error: `HTTP exchange failed: ${error?.message ?? code ?? 'unknown error'}` };
  }
  return { outcome: 'http-error', curlExitCode: 1, error: error?.message ?? 'unknown error' };
}
