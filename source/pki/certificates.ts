// Certificates for labs, tests and the embedded cluster. node-forge builds the
// X.509 structure (node:crypto cannot); everything costly is native: keys come
// from node:crypto (~100x faster than forge's JS RSA keygen) and so does the
// signature over the TBSCertificate (forge's JS RSA signing took 0.3–0.9 s per
// certificate on a loaded 2-core machine).
import crypto from 'node:crypto';
import forge from 'node-forge';
import { parseSubject, type NameAttribute } from './distinguished-name.js';

export type KeyType = 'rsa2048' | 'rsa3072' | 'rsa4096';
export type CertificateUsage = 'ca' | 'server' | 'client' | 'server-and-client';

export interface CertificateRequest {
  /** `/O=Solo.io/CN=glootest.com` or an ordered attribute list. */
  subject: string | NameAttribute[];
  /** DNS names, `IP:1.2.3.4`, `URI:spiffe://...`; bare IPs are taken as IP SANs. */
  subjectAltNames?: string[];
  usage?: CertificateUsage;
  /** Signing CA; absent → self-signed. */
  issuer?: IssuedCertificate;
  keyType?: KeyType;
  /** Reuse an existing key (PKCS#8 or PKCS#1 PEM) instead of generating one. */
  keyPem?: string;
  validityDays?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** Hex string or small integer; random 64-bit when absent. */
  serial?: string | number;
}

export interface IssuedCertificate {
  certPem: string;
  /** PKCS#8 PEM, as `openssl req -nodes` writes it. Store with mode 0600. */
  keyPem: string;
}

const DAY = 24 * 60 * 60 * 1000;

export function generateKeyPem(keyType: KeyType = 'rsa2048'): string {
  const modulusLength = keyType === 'rsa4096' ? 4096 : keyType === 'rsa3072' ? 3072 : 2048;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function serialHex(serial: string | number | undefined): string {
  if (serial === undefined) {
    const bytes = crypto.randomBytes(8);
    bytes[0]! &= 0x7f; // positive INTEGER
    return bytes.toString('hex');
  }
  const hex = typeof serial === 'number' ? serial.toString(16) : serial.replace(/^0x/i, '');
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  // forge encodes the hex as-is; a leading high bit would make it negative.
  return /^[89a-f]/i.test(even) ? `00${even}` : even;
}

function altName(entry: string): { type: number; value?: string; ip?: string } {
  if (entry.startsWith('IP:')) return { type: 7, ip: entry.slice(3) };
  if (entry.startsWith('URI:')) return { type: 6, value: entry.slice(4) };
  if (entry.startsWith('DNS:')) return { type: 2, value: entry.slice(4) };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(entry) || entry.includes(':')) return { type: 7, ip: entry };
  return { type: 2, value: entry };
}

function toForgeAttributes(subject: string | NameAttribute[]) {
  const attributes = typeof subject === 'string' ? parseSubject(subject) : subject;
  return attributes.map((a) => ({ shortName: a.shortName, value: a.value }));
}

/** Issues a certificate (self-signed when no issuer is given). */
export function issueCertificate(request: CertificateRequest): IssuedCertificate {
  const usage = request.usage ?? (request.issuer ? 'server' : 'ca');
  const keyPem = request.keyPem ?? generateKeyPem(request.keyType);
  const spkiPem = crypto.createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
  const publicKey = forge.pki.publicKeyFromPem(spkiPem);

  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialHex(request.serial);
  // Back-date a minute so a freshly issued certificate is valid on a peer whose clock is slightly behind.
  const notBefore = request.notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = request.notAfter ?? new Date(notBefore.getTime() + (request.validityDays ?? 365) * DAY);
  const subject = toForgeAttributes(request.subject);
  cert.setSubject(subject);

  let signingKeyPem = keyPem;
  if (request.issuer) {
    const issuerCert = forge.pki.certificateFromPem(request.issuer.certPem);
    cert.setIssuer(issuerCert.subject.attributes);
    signingKeyPem = request.issuer.keyPem;
  } else {
    cert.setIssuer(subject);
  }

  const extensions: object[] = [];
  if (usage === 'ca') {
    extensions.push({ name: 'basicConstraints', cA: true, critical: true });
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    extensions.push({ name: 'basicConstraints', cA: false });
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    extensions.push({
      name: 'extKeyUsage',
      serverAuth: usage === 'server' || usage === 'server-and-client',
      clientAuth: usage === 'client' || usage === 'server-and-client',
    });
  }
  if (request.subjectAltNames?.length) {
    extensions.push({ name: 'subjectAltName', altNames: request.subjectAltNames.map(altName) });
  }
  extensions.push({ name: 'subjectKeyIdentifier' });
  if (request.issuer) {
    const issuerCert = forge.pki.certificateFromPem(request.issuer.certPem);
    const ski = issuerCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
    if (ski?.subjectKeyIdentifier) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(ski.subjectKeyIdentifier) });
  }
  cert.setExtensions(extensions);
  signWithNodeCrypto(cert, signingKeyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** What forge's cert.sign() does, with the RSA operation done natively. */
function signWithNodeCrypto(cert: forge.pki.Certificate, signingKeyPem: string): void {
  const mutable = cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1; signatureOid: string; signature: string };
  mutable.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  mutable.tbsCertificate = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const tbsDer = Buffer.from(forge.asn1.toDer(mutable.tbsCertificate).getBytes(), 'binary');
  mutable.signature = crypto.sign('sha256', tbsDer, signingKeyPem).toString('binary');
}
