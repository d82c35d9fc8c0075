// The API server's CA, serving certificate and bearer token, made at first
// start and reused after (so kubeconfigs stay valid across restarts). The
// certificate code (node-forge) is imported only when something must be made.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../../state/atomic-write.js';

export interface ClusterPki {
  caPem: string;
  certPem: string;
  keyPem: string;
  token: string;
}

function files(dir: string) {
  return {
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    cert: path.join(dir, 'apiserver.crt'),
    key: path.join(dir, 'apiserver.key'),
    token: path.join(dir, 'token'),
  };
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function stillValid(certPem: string): boolean {
  try {
    const cert = new crypto.X509Certificate(certPem);
    return Date.parse(cert.validTo) > Date.now() + 24 * 60 * 60 * 1000 && cert.checkIP('127.0.0.1') !== undefined;
  } catch {
    return false;
  }
}

export async function ensureClusterPki(dir: string): Promise<ClusterPki> {
  const f = files(dir);
  const existing = { caPem: readIfPresent(f.caCert), certPem: readIfPresent(f.cert), keyPem: readIfPresent(f.key), token: readIfPresent(f.token)?.trim() };
  if (existing.caPem && existing.certPem && existing.keyPem && existing.token && stillValid(existing.certPem)) {
    return existing as ClusterPki;
  }
  // ECDSA P-256, as kubeadm can make (encryptionAlgorithm ECDSA-P256): a key takes well under a
  // millisecond, where an RSA 2048 key took 60-430 ms, a random search for primes that made a
  // first `cluster up` slow by chance (bench/README.md, cluster.mjs).
  const { issueCertificate } = await import('../../../pki/certificates.js');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = issueCertificate({ subject: '/O=agw-workshop/CN=agw-workshop cluster CA', usage: 'ca', validityDays: 3650, keyType: 'ecdsa-p256' });
  const serving = issueCertificate({
    keyType: 'ecdsa-p256',
    subject: '/O=agw-workshop/CN=kube-apiserver',
    subjectAltNames: ['IP:127.0.0.1', 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    usage: 'server',
    issuer: ca,
    validityDays: 825,
  });
  const token = existing.token ?? crypto.randomBytes(32).toString('base64url');
  writeFileAtomicSync(f.caKey, ca.keyPem, { mode: 0o600 });
  writeFileAtomicSync(f.caCert, ca.certPem, { mode: 0o644 });
  writeFileAtomicSync(f.key, serving.keyPem, { mode: 0o600 });
  writeFileAtomicSync(f.cert, serving.certPem, { mode: 0o644 });
  writeFileAtomicSync(f.token, `${token}\n`, { mode: 0o600 });
  return { caPem: ca.certPem, certPem: serving.certPem, keyPem: serving.keyPem, token };
}
