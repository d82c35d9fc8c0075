// Facts about a certificate, as curl -v and openssl x509 -text show them.
import crypto from 'node:crypto';

export interface CertificateFacts {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  notBefore: string;
  notAfter: string;
  serialNumber: string;
  sha256Fingerprint: string;
  isCA: boolean;
}

/** Turns node's multi-line DN (`CN=x\nO=y`) into curl's one-line form (`CN=x; O=y`). */
export function oneLineName(dn: string): string {
  return dn.split('\n').filter(Boolean).join('; ');
}

export function inspectCertificate(pem: string | Buffer): CertificateFacts {
  const cert = new crypto.X509Certificate(pem);
  return {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    subjectAltNames: (cert.subjectAltName ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    serialNumber: cert.serialNumber,
    sha256Fingerprint: cert.fingerprint256,
    isCA: cert.ca,
  };
}

/** Splits a PEM bundle into its certificates. */
export function splitPemBundle(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => `${c}\n`) ?? [];
}
