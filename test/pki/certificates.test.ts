import test from 'ava';
import crypto from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { issueCertificate, inspectCertificate, parseSubject, writeCertificateFiles } from '../../source/pki/index.js';

test('a CA signs a server certificate that verifies against it, with the subject order kept', (t) => {
  const ca = issueCertificate({ subject: '/O=Solo.io/CN=glootest.com', usage: 'ca' });
  const leaf = issueCertificate({
    subject: '/CN=mock-openai-foo.glootest.com/O=mock-openai organization',
    subjectAltNames: ['mock-openai-foo.glootest.com', 'IP:127.0.0.1'],
    issuer: ca,
    serial: 0,
  });
  const caCert = new crypto.X509Certificate(ca.certPem);
  const leafCert = new crypto.X509Certificate(leaf.certPem);
  t.true(leafCert.verify(caCert.publicKey));
  t.true(leafCert.checkIssued(caCert));
  t.is(leafCert.checkHost('mock-openai-foo.glootest.com'), 'mock-openai-foo.glootest.com');
  t.is(leafCert.checkIP('127.0.0.1'), '127.0.0.1');
  const facts = inspectCertificate(leaf.certPem);
  t.is(facts.subject, 'CN=mock-openai-foo.glootest.com; O=mock-openai organization');
  t.is(facts.issuer, 'O=Solo.io; CN=glootest.com');
  t.false(facts.isCA);
  t.true(inspectCertificate(ca.certPem).isCA);
});

test('subjects in openssl -subj syntax are parsed in order and bad ones are named', (t) => {
  t.deepEqual(parseSubject('/O=Solo.io/CN=glootest.com'), [
    { shortName: 'O', value: 'Solo.io' },
    { shortName: 'CN', value: 'glootest.com' },
  ]);
  t.throws(() => parseSubject('CN=x'), { message: /must look like/ });
  t.throws(() => parseSubject('/XX=y'), { message: /unknown attribute "XX"/ });
});

test('keys are written 0600 and certificates 0644', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-pki-'));
  const ca = issueCertificate({ subject: '/CN=test-ca' });
  const files = await writeCertificateFiles(dir, 'ca', ca);
  t.is((await fs.stat(files.keyFile)).mode & 0o777, 0o600);
  t.is((await fs.stat(files.certFile)).mode & 0o777, 0o644);
  await fs.rm(dir, { recursive: true });
});

test('an expired certificate is issued when asked, for labs that show expiry', (t) => {
  const past = new Date(Date.now() - 10 * 86400_000);
  const cert = issueCertificate({ subject: '/CN=old', notBefore: past, notAfter: new Date(past.getTime() + 86400_000) });
  t.true(new Date(inspectCertificate(cert.certPem).notAfter).getTime() < Date.now());
});

test('RSA and ECDSA P-256 keys, and issuers of either kind: each chain verifies, key identifiers follow RFC 5280, and a TLS handshake accepts it', async (t) => {
  const pairs = [['rsa2048', 'rsa2048'], ['ecdsa-p256', 'ecdsa-p256'], ['rsa2048', 'ecdsa-p256'], ['ecdsa-p256', 'rsa2048']] as const;
  for (const [caKey, leafKey] of pairs) {
    const label = `${caKey} CA, ${leafKey} leaf`;
    const ca = issueCertificate({ subject: '/O=agw-workshop/CN=test CA', usage: 'ca', keyType: caKey });
    const leaf = issueCertificate({ subject: '/CN=leaf.test', subjectAltNames: ['leaf.test', 'IP:127.0.0.1'], issuer: ca, keyType: leafKey });
    const caCert = new crypto.X509Certificate(ca.certPem);
    const leafCert = new crypto.X509Certificate(leaf.certPem);
    t.is(leafCert.publicKey.asymmetricKeyType, leafKey === 'ecdsa-p256' ? 'ec' : 'rsa', label);
    t.true(caCert.verify(caCert.publicKey), label);
    t.true(leafCert.verify(caCert.publicKey), label);
    t.true(leafCert.checkIssued(caCert), label);
    t.is(leafCert.issuer, caCert.subject, label);
    // Subject key identifier: SHA-1 of the subjectPublicKey bits (an RSAPublicKey, or the EC point);
    // the leaf's authority key identifier is its CA's.
    const spki = leafCert.publicKey.export({ type: 'spki', format: 'der' });
    const bits = leafKey === 'ecdsa-p256' ? spki.subarray(spki.length - 65) : leafCert.publicKey.export({ type: 'pkcs1', format: 'der' });
    const skiOf = (der: Buffer) => der.toString('hex').toUpperCase();
    const ski = crypto.createHash('sha1').update(bits).digest();
    t.true(leafCert.raw.includes(Buffer.concat([Buffer.from('0414', 'hex'), ski])), `${label}: subject key identifier ${skiOf(ski)}`);
    const caSki = crypto.createHash('sha1').update(caKey === 'ecdsa-p256' ? caCert.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65) : caCert.publicKey.export({ type: 'pkcs1', format: 'der' })).digest();
    t.true(leafCert.raw.includes(Buffer.concat([Buffer.from('8014', 'hex'), caSki])), `${label}: authority key identifier`);
    // A real handshake: the client trusts only the CA and checks the name.
    const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const client = tls.connect({ host: '127.0.0.1', port, servername: 'leaf.test', ca: ca.certPem });
    const [answer] = await Promise.all([new Promise<string>((resolve, reject) => { let got = ''; client.on('data', (d) => (got += d)).on('end', () => resolve(got)).on('error', reject); })]);
    t.is(answer, 'ok', label);
    server.close();
  }
});
