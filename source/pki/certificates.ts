// Certificates for labs, tests and the embedded cluster. node-forge builds the
// X.509 structure (node:crypto cannot); everything costly is native: keys come
// from node:crypto (~100x faster than forge's JS RSA keygen) and so does the
// signature over the TBSCertificate (forge's JS RSA signing took 0.3–0.9 s per
// certificate on a loaded 2-core machine). forge writes RSA keys only, so the
// SubjectPublicKeyInfo, key identifiers, the issuer's name and the signature
// algorithm are node:crypto's and put into forge's TBSCertificate: RSA and
// ECDSA P-256 keys, and either kind of issuer, go through the same path.
import crypto from 'node:crypto';
import forge from 'node-forge';
import { parseSubject, type NameAttribute } from './distinguished-name.js';

export type KeyType = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'ecdsa-p256';
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
  if (keyType === 'ecdsa-p256') return crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
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
  const publicKey = crypto.createPublicKey(keyPem);

  const cert = forge.pki.createCertificate();
  cert.publicKey = STAND_IN_PUBLIC_KEY; // replaced by the real SubjectPublicKeyInfo in signed()
  cert.serialNumber = serialHex(request.serial);
  // Back-date a minute so a freshly issued certificate is valid on a peer whose clock is slightly behind.
  const notBefore = request.notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = request.notAfter ?? new Date(notBefore.getTime() + (request.validityDays ?? 365) * DAY);
  const subject = toForgeAttributes(request.subject);
  cert.setSubject(subject);
  const issuer = request.issuer ? issuerFacts(request.issuer.certPem) : undefined;
  cert.setIssuer(issuer ? [] : subject); // an issuer's own name is put in as it is encoded, in signed()

  const extensions: object[] = [];
  if (usage === 'ca') {
    extensions.push({ name: 'basicConstraints', cA: true, critical: true });
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    extensions.push({ name: 'basicConstraints', cA: false });
    // keyEncipherment is RSA key transport; an ECDSA key only signs.
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: publicKey.asymmetricKeyType === 'rsa', critical: true });
    extensions.push({
      name: 'extKeyUsage',
      serverAuth: usage === 'server' || usage === 'server-and-client',
      clientAuth: usage === 'client' || usage === 'server-and-client',
    });
  }
  if (request.subjectAltNames?.length) {
    extensions.push({ name: 'subjectAltName', altNames: request.subjectAltNames.map(altName) });
  }
  const { asn1 } = forge;
  const spki = asn1.fromDer(publicKey.export({ type: 'spki', format: 'der' }).toString('binary'));
  extensions.push({ name: 'subjectKeyIdentifier', value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, keyIdentifier(spki)) });
  if (issuer?.keyIdentifier) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuer.keyIdentifier });
  cert.setExtensions(extensions);
  return { certPem: signed(cert, spki, issuer?.name, request.issuer?.keyPem ?? keyPem), keyPem };
}

// forge's TBSCertificate needs an RSA key object to encode; its bytes never reach the certificate.
const STAND_IN_PUBLIC_KEY = forge.pki.rsa.setPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'));
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/** RFC 5280 4.2.1.2 (1): the SHA-1 of the subjectPublicKey bits (an RSAPublicKey, an EC point), as a binary string. */
function keyIdentifier(spki: forge.asn1.Asn1): string {
  // forge keeps a BIT STRING's contents, after their first byte (the unused bits, 0 here).
  const bits = (spki.value as (forge.asn1.Asn1 & { bitStringContents: string })[])[1]!.bitStringContents.slice(1);
  return crypto.createHash('sha1').update(Buffer.from(bits, 'binary')).digest().toString('binary');
}

/** The issuer's subject name as encoded in its certificate, and its key identifier (binary string), read with forge's ASN.1 reader, which takes any key type. */
function issuerFacts(certPem: string): { name: forge.asn1.Asn1; keyIdentifier?: string } {
  const der = Buffer.from(new crypto.X509Certificate(certPem).raw).toString('binary');
  const tbs = (forge.asn1.fromDer(der).value as forge.asn1.Asn1[])[0]!;
  const fields = tbs.value as forge.asn1.Asn1[];
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, spki, … [3] extensions.
  const offset = fields[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const name = fields[4 + offset]!;
  const extensions = fields.find((f) => f.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && f.type === 3);
  for (const extension of ((extensions?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value ?? []) as forge.asn1.Asn1[]) {
    const parts = extension.value as forge.asn1.Asn1[];
    if (forge.asn1.derToOid(parts[0]!.value as string) !== OID_SUBJECT_KEY_IDENTIFIER) continue;
    return { name, keyIdentifier: forge.asn1.fromDer(parts[parts.length - 1]!.value as string).value as string };
  }
  return { name };
}

function signatureAlgorithm(signingKey: crypto.KeyObject): forge.asn1.Asn1 {
  const { asn1 } = forge;
  const oid = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
  // RFC 4055: RSA's parameters are NULL; RFC 5758: ECDSA's are absent.
  return signingKey.asymmetricKeyType === 'ec'
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [oid(OID_ECDSA_WITH_SHA256)])
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [oid(forge.pki.oids.sha256WithRSAEncryption!), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);
}

/** What forge's cert.sign() does, with node:crypto's key, algorithm and signature (PEM out). */
function signed(cert: forge.pki.Certificate, spki: forge.asn1.Asn1, issuerName: forge.asn1.Asn1 | undefined, signingKeyPem: string): string {
  const { asn1 } = forge;
  const algorithm = signatureAlgorithm(crypto.createPrivateKey(signingKeyPem));
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!; // encoded by forge, then replaced
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const fields = tbs.value as forge.asn1.Asn1[];
  // [0] version, serial, signature, issuer, validity, subject, spki: see getTBSCertificate.
  fields[2] = algorithm;
  if (issuerName) fields[3] = issuerName;
  fields[6] = spki;
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = crypto.sign('sha256', tbsDer, signingKeyPem);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${signature.toString('binary')}`),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(certificate).getBytes() });
}
