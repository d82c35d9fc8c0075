// The peer's chain as facts, and the probe's own verification of it. The
// handshake runs with rejectUnauthorized:false so the chain is recorded even
// when untrusted; this module then decides what curl would have decided.
import crypto from 'node:crypto';
import tls from 'node:tls';
import { inspectCertificate } from '../pki/inspect.js';
import type { CertificateSummary, ProbeResult } from './types.js';

type Verification = NonNullable<ProbeResult['tls']>['verification'];

export function summarizeDer(der: Buffer): CertificateSummary | undefined {
  try {
    return inspectCertificate(der);
  } catch {
    return undefined;
  }
}

/** The chain node's TLSSocket reports, leaf first, stopping at a self-issued certificate. */
export function chainFromSocket(socket: tls.TLSSocket, peer?: tls.DetailedPeerCertificate): Buffer[] {
  const chain: Buffer[] = [];
  let certificate = peer ?? (socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined);
  const seen = new Set<string>();
  for (let depth = 0; certificate?.raw && depth < 10; depth++) {
    if (seen.has(certificate.fingerprint256)) break;
    seen.add(certificate.fingerprint256);
    chain.push(certificate.raw);
    if (!certificate.issuerCertificate || certificate.issuerCertificate === certificate) break;
    certificate = certificate.issuerCertificate;
  }
  return chain;
}

/**
 * The peer's leaf in tls.checkServerIdentity's shape. On a resumed session node
 * reports no peer certificate; the leaf from the original handshake stands in.
 */
function peerForIdentityCheck(socket: tls.TLSSocket, resumedLeafDer?: Buffer, known?: tls.PeerCertificate): tls.PeerCertificate | undefined {
  const peer = known ?? socket.getPeerCertificate();
  if (peer && Object.keys(peer).length > 0) return peer;
  return resumedLeafDer ? new crypto.X509Certificate(resumedLeafDer).toLegacyObject() : undefined;
}

/** OpenSSL's verify error strings (X509_verify_cert_error_string), as curl prints them. */
const VERIFY_REASONS: Record<string, string> = {
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
  INVALID_CA: 'invalid CA certificate',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
};

export function verifyReason(code: string): string {
  return VERIFY_REASONS[code] ?? code.toLowerCase().replace(/_/g, ' ');
}

/**
 * node:tls verifies with a callback that accepts everything and reports the
 * last error of the chain; curl's OpenSSL stops at the first. For a leaf
 * whose issuer is not in the trust store that first error is "unable to get
 * local issuer certificate", where node goes on and reports "unable to verify
 * the first certificate".
 */
function curlVerifyCode(nodeCode: string): string {
  return nodeCode === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ? 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' : nodeCode;
}

/**
 * The alert curl's OpenSSL sends right after the server's Certificate when the
 * chain fails (ssl_x509err2alert in OpenSSL's ssl/statem/statem_lib.c).
 */
const VERIFY_ALERTS: Record<string, number> = {
  CERT_HAS_EXPIRED: 45,
  CERT_NOT_YET_VALID: 42,
  CERT_REJECTED: 42,
  CERT_UNTRUSTED: 42,
  CERT_REVOKED: 44,
  CERT_SIGNATURE_FAILURE: 51,
  INVALID_PURPOSE: 43,
};

export function curlRefusalAlert(errorCode: string): number {
  return VERIFY_ALERTS[errorCode] ?? 48; // unknown_ca: no issuer, self-signed, invalid CA, path length
}

/** The leaf's identifiers, as curl reads them: DNS and IP subjectAltNames first, the CN only when there are none. */
function identifierKind(leaf: CertificateSummary | undefined, identity: tls.PeerCertificate | undefined): 'subjectAltName' | 'commonName' {
  const names = leaf?.subjectAltNames ?? (identity?.subjectaltname ?? '').split(', ');
  return names.some((n) => n.startsWith('DNS:') || n.startsWith('IP Address:')) ? 'subjectAltName' : 'commonName';
}

/**
 * What curl's verification would conclude: the chain against the CA bundle
 * (OpenSSL's result, via node) and the leaf against `name` (via
 * tls.checkServerIdentity, which like curl with OpenSSL falls back to the CN
 * only when the certificate has no DNS or IP subjectAltName).
 */
export function verifyPeer(socket: tls.TLSSocket, name: string, leaf?: CertificateSummary, resumedLeafDer?: Buffer, peer?: tls.PeerCertificate): Verification {
  const rawError = socket.authorizationError as unknown;
  const errorCode = rawError instanceof Error ? ((rawError as NodeJS.ErrnoException).code ?? rawError.message) : (rawError as string | undefined);
  const identity = peerForIdentityCheck(socket, resumedLeafDer, peer);
  const identityError = identity ? tls.checkServerIdentity(name, identity) : new Error('the server sent no certificate');
  const expired = errorCode === 'CERT_HAS_EXPIRED' || (leaf ? Date.parse(leaf.notAfter) < Date.now() : false);
  const commonName = typeof identity?.subject?.CN === 'string' ? identity.subject.CN : undefined;
  const verification: Verification = {
    trusted: socket.authorized,
    nameMatched: !identityError,
    expired,
    nameCheckedAgainst: identifierKind(leaf, identity),
    ...(commonName ? { commonName } : {}),
  };
  if (!socket.authorized && errorCode) {
    verification.errorCode = errorCode;
    verification.reason = `SSL certificate problem: ${verifyReason(curlVerifyCode(errorCode))}`;
  } else if (identityError) {
    verification.errorCode = (identityError as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
    verification.reason =
      verification.nameCheckedAgainst === 'commonName' && commonName
        ? `SSL: certificate subject name '${commonName}' does not match target host name '${name}'`
        : `SSL: no alternative certificate subject name matches target host name '${name}'`;
  }
  return verification;
}
