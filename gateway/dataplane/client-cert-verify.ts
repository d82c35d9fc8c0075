// Checks a client's certificate chain against a listener's CA bundle the way
// OpenSSL's verifier would, and names the alert OpenSSL sends for each
// failure (ssl_verify_alarm_type in OpenSSL's ssl/statem/statem_lib.c):
// no path to a trusted CA → unknown_ca (48), an issuer whose signature does
// not verify → decrypt_error (51), expired → certificate_expired (45), not yet
// valid or unreadable → bad_certificate (42).
import { X509Certificate } from 'node:crypto';
import { splitPemBundle } from '../../source/pki/inspect.js';

export const ALERT = { badCertificate: 42, certificateExpired: 45, unknownCa: 48, decryptError: 51 } as const;

export type ChainVerdict = { ok: true; subject: string } | { ok: false; alert: number; reason: string };

/** OpenSSL's default maximum chain depth is 100; a client chain of more than 10 is refused long before that matters. */
const MAX_DEPTH = 10;

/** The listener's CA bundle (already checked to be certificates by the translation). */
export function trustedCertificates(pem: string): X509Certificate[] {
  return splitPemBundle(pem).map((block) => new X509Certificate(block));
}

function validityProblem(cert: X509Certificate, now: Date): ChainVerdict | undefined {
  if (now < new Date(cert.validFrom)) return { ok: false, alert: ALERT.badCertificate, reason: `${cert.subject.replace(/\n/g, ', ')} is not valid before ${cert.validFrom}` };
  if (now > new Date(cert.validTo)) return { ok: false, alert: ALERT.certificateExpired, reason: `${cert.subject.replace(/\n/g, ', ')} expired on ${cert.validTo}` };
  return undefined;
}

/** `chain` is the Certificate message's DER list, leaf first. */
export function verifyClientChain(chain: readonly Buffer[], trusted: readonly X509Certificate[], now: Date = new Date()): ChainVerdict {
  let certs: X509Certificate[];
  try {
    certs = chain.map((der) => new X509Certificate(der));
  } catch (error) {
    return { ok: false, alert: ALERT.badCertificate, reason: `unreadable certificate: ${(error as Error).message}` };
  }
  const leaf = certs[0];
  if (!leaf) return { ok: false, alert: ALERT.badCertificate, reason: 'empty certificate list' };
  const name = (cert: X509Certificate) => cert.subject.replace(/\n/g, ', ');
  let current = leaf;
  const intermediates = certs.slice(1);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const problem = validityProblem(current, now);
    if (problem) return problem;
    // A trusted CA first (name and key identifier match, as X509_check_issued), then one the client sent.
    const anchor = trusted.find((ca) => current.checkIssued(ca));
    if (anchor) {
      if (!current.verify(anchor.publicKey)) return { ok: false, alert: ALERT.decryptError, reason: `the signature on ${name(current)} does not verify with the key of ${name(anchor)}` };
      const anchorProblem = validityProblem(anchor, now);
      if (anchorProblem) return anchorProblem;
      return { ok: true, subject: name(leaf) };
    }
    const next = intermediates.find((cert) => cert !== current && current.checkIssued(cert) && !cert.checkIssued(cert));
    if (!next) {
      return { ok: false, alert: ALERT.unknownCa, reason: `${name(current)} was issued by ${current.issuer.replace(/\n/g, ', ')}, which is not a trusted CA of this listener` };
    }
    if (!current.verify(next.publicKey)) return { ok: false, alert: ALERT.decryptError, reason: `the signature on ${name(current)} does not verify with the key of ${name(next)}` };
    current = next;
  }
  return { ok: false, alert: ALERT.unknownCa, reason: `no trusted CA within ${MAX_DEPTH} certificates` };
}
