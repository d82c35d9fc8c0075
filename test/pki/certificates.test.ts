import test from 'ava';
import crypto from 'node:crypto';
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
