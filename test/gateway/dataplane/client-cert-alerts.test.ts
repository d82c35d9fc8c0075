// AllowValidOnly listeners answer a refused client certificate with the alert
// a real OpenSSL/BoringSSL gateway sends, on the wire: real `openssl s_client`
// and curl decrypt (TLS 1.3) or read (TLS 1.2) it and name it. The gateway
// encrypts the TLS 1.3 alert itself (ClientCertGate), so an OpenSSL client
// accepting it is the test that the key, the nonce and the sequence are right.
import test from 'ava';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { writeFileSync } from 'node:fs';
import { issueCertificate } from '../../../source/pki/index.js';
import { probe } from '../../../source/probe/index.js';
import { explain } from '../../../source/explain/index.js';
import { cert, curl, freePort, gatewayIR, httpsListener, labPki, route, runTool, service, startDataplane, startEchoBackend } from './helpers.js';

const HOST = 'secure.example.com';
const OPEN_HOST = 'open.example.com';
const pki = labPki();
const clientCa = issueCertificate({ subject: '/CN=workshop client CA' });
const rogueCa = issueCertificate({ subject: '/CN=rogue CA' });
const issued = {
  client: issueCertificate({ subject: '/CN=learner', usage: 'client', issuer: clientCa }),
  rogue: issueCertificate({ subject: '/CN=learner', usage: 'client', issuer: rogueCa }),
  expired: issueCertificate({ subject: '/CN=late learner', usage: 'client', issuer: clientCa, notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }),
};
const files: Record<keyof typeof issued, { crt: string; key: string }> = {} as never;
for (const [name, c] of Object.entries(issued) as [keyof typeof issued, (typeof issued)['client']][]) {
  files[name] = { crt: path.join(pki.dir, `${name}.crt`), key: path.join(pki.dir, `${name}.key`) };
  writeFileSync(files[name].crt, c.certPem);
  writeFileSync(files[name].key, c.keyPem, { mode: 0o600 });
}
const serverCert = issueCertificate({ subject: `/CN=${HOST}`, subjectAltNames: [HOST, OPEN_HOST], issuer: pki.ca });

const dp = startDataplane();
let port = 0;
let echo: Awaited<ReturnType<typeof startEchoBackend>>;

test.before(async () => {
  echo = await startEchoBackend('echo');
  port = await freePort();
  const backend = service('ns/echo:80', echo.port);
  const strict = httpsListener('strict', HOST, cert('ns/server', serverCert), [route('ns/strict/0/0', { backend })]);
  strict.tls!.frontendValidation = { caPem: clientCa.certPem, mode: 'AllowValidOnly' };
  await dp.dataplane.update(gatewayIR([{ port, transport: 'tls', listeners: [strict] }]));
});

test.after.always(async () => {
  echo.server.close();
  await dp.dataplane.close();
  pki.cleanup();
});

function sClient(extra: string[], version: '1.3' | '1.2') {
  // The request after the handshake makes s_client read, so a TLS 1.3 alert sent after the client's Finished is seen.
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', HOST, '-CAfile', pki.caFile, `-tls${version.replace('.', '_')}`, '-ign_eof', ...extra], `GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
}

for (const version of ['1.3', '1.2'] as const) {
  test(`TLS ${version}: openssl s_client with a certificate from another CA reads the unknown_ca alert`, async (t) => {
    const r = await sClient(['-cert', files.rogue.crt, '-key', files.rogue.key], version);
    t.regex(r.stderr, /tlsv1 alert unknown ca/, r.stdout + r.stderr);
    t.regex(r.stderr, /SSL alert number 48/);
    t.notRegex(r.stdout, /HTTP\/1\.1 200/);
    const line = await dp.waitForLine((f) => f.listener === 'strict' && /unknown_ca/.test(f.error ?? ''));
    t.regex(line.error, /issued by CN=rogue CA, which is not a trusted CA/);
  });

  test(`TLS ${version}: openssl s_client with an expired certificate reads certificate_expired`, async (t) => {
    const r = await sClient(['-cert', files.expired.crt, '-key', files.expired.key], version);
    t.regex(r.stderr, /sslv3 alert certificate expired/, r.stdout + r.stderr);
    t.regex(r.stderr, /SSL alert number 45/);
  });

  test(`TLS ${version}: openssl s_client with the client certificate gets HTTP 200`, async (t) => {
    const r = await sClient(['-cert', files.client.crt, '-key', files.client.key], version);
    t.regex(r.stdout, /HTTP\/1\.1 200/, r.stdout + r.stderr);
    t.notRegex(r.stderr, /alert/);
  });
}

test('no certificate: certificate_required in TLS 1.3, handshake_failure in TLS 1.2', async (t) => {
  const v13 = await sClient([], '1.3');
  t.regex(v13.stderr, /tlsv13 alert certificate required/, v13.stdout + v13.stderr);
  t.regex(v13.stderr, /SSL alert number 116/);
  const v12 = await sClient([], '1.2');
  t.regex(v12.stderr, /sslv3 alert handshake failure/, v12.stdout + v12.stderr);
  t.regex(v12.stderr, /SSL alert number 40/);
});

// The reference: what OpenSSL itself does inside node:tls, without the gate. A missing certificate gets
// OpenSSL's own alerts (the gate sends the same ones); an untrusted one gets no alert at all, which is
// why the gate exists.
test('reference, plain node:tls: OpenSSL\'s own alerts for no certificate, none for an untrusted one', async (t) => {
  const server = tls.createServer({ cert: serverCert.certPem, key: serverCert.keyPem, ca: clientCa.certPem, requestCert: true, rejectUnauthorized: true }, (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const plainPort = (server.address() as net.AddressInfo).port;
  const plain = (extra: string[], version: string) =>
    runTool('openssl', ['s_client', '-connect', `127.0.0.1:${plainPort}`, '-servername', HOST, '-CAfile', pki.caFile, `-tls${version}`, '-ign_eof', ...extra], `GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
  try {
    t.regex((await plain([], '1_3')).stderr, /tlsv13 alert certificate required/);
    t.regex((await plain([], '1_2')).stderr, /sslv3 alert handshake failure/);
    const rogue = await plain(['-cert', files.rogue.crt, '-key', files.rogue.key], '1_3');
    t.notRegex(rogue.stderr, /alert/, rogue.stderr);
    t.notRegex(rogue.stdout, /HTTP\/1\.1 200/);
  } finally {
    server.close();
  }
});

test('curl: unknown_ca is reported as such (TLS 1.3 after the handshake: exit 56; TLS 1.2: exit 35)', async (t) => {
  const v13 = await curl(HOST, port, pki.caFile, '/', ['--cert', files.rogue.crt, '--key', files.rogue.key]);
  t.regex(v13.stderr, /tlsv1 alert unknown ca/, v13.stderr);
  t.is(v13.code, 56);
  const v12 = await curl(HOST, port, pki.caFile, '/', ['--tls-max', '1.2', '--cert', files.rogue.crt, '--key', files.rogue.key]);
  t.regex(v12.stderr, /tlsv1 alert unknown ca/, v12.stderr);
  t.is(v12.code, 35);
  const ok = await curl(HOST, port, pki.caFile, '/ok', ['--cert', files.client.crt, '--key', files.client.key]);
  t.is(ok.code, 0, ok.stderr);
});

// What the workshop's probe reports for the same refusals, and how the explanation catalogue tells them.
async function probeStrict(cert?: keyof typeof files, tlsMaxVersion?: 'TLSv1.2') {
  const result = await probe({
    url: `https://${HOST}:${port}/`,
    resolve: [`${HOST}:${port}:127.0.0.1`],
    caFile: pki.caFile,
    ...(cert ? { certFile: files[cert].crt, keyFile: files[cert].key } : {}),
    ...(tlsMaxVersion ? { tlsMaxVersion } : {}),
    maxTimeMs: 10_000,
  });
  return { result, explanation: explain(result) };
}

test('probe + explanations: no certificate in TLS 1.3 is certificate_required after the handshake, with its timing', async (t) => {
  const { result, explanation } = await probeStrict();
  t.is(result.outcome, 'client-certificate-required');
  t.is(result.curlExitCode, 56);
  t.like(result.tls?.alert, { code: 116, direction: 'in' });
  t.is(explanation?.id, 'mtls-certificate-required-after-handshake');
  t.regex(explanation?.cause ?? '', /the client's Finished at [\d.]+ ms, the alert at [\d.]+ ms/);
  const finished = result.records.find((r) => r.direction === 'out' && r.what === 'Finished')!;
  const alert = result.records.find((r) => r.direction === 'in' && r.what === 'Alert')!;
  t.true(alert.atMs >= finished.atMs, 'the alert came after the client finished');
  t.true(alert.decrypted, 'read by decrypting the gateway\'s record with the probe\'s own keys');
});

test('probe + explanations: the rogue CA is unknown_ca (exit 56 in TLS 1.3, 35 in TLS 1.2); an expired certificate is certificate_expired', async (t) => {
  const v13 = await probeStrict('rogue');
  t.is(v13.result.outcome, 'client-certificate-rejected');
  t.is(v13.result.curlExitCode, 56);
  t.is(v13.explanation?.id, 'mtls-unknown-ca');
  t.regex(v13.explanation?.cause ?? '', /its issuer is CN=rogue CA/);
  const v12 = await probeStrict('rogue', 'TLSv1.2');
  t.is(v12.result.outcome, 'client-certificate-rejected');
  t.is(v12.result.curlExitCode, 35);
  t.is(v12.explanation?.id, 'mtls-unknown-ca');
  t.regex(v12.explanation?.cause ?? '', /In TLS 1\.2 .* ends the handshake \(curl exit 35\)/);
  const expired = await probeStrict('expired');
  t.is(expired.explanation?.id, 'mtls-certificate-expired');
  const ok = await probeStrict('client');
  t.is(ok.result.http?.status, 200);
});
