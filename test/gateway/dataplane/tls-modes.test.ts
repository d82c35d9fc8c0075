// Listener TLS modes beyond plain termination: frontend client-certificate
// validation (AllowValidOnly refuses in the handshake, AllowInsecureFallback
// accepts and marks), TLS passthrough (the backend's own certificate reaches
// the client) and a Terminate TLS listener forwarding plaintext (TLSRoute), or
// TLS again when its backend has a BackendTLSPolicy.
import test from 'ava';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { issueCertificate } from '../../../source/pki/index.js';
import type { ListenerIR } from '../../../gateway/ir/types.js';
import { cert, curl, freePort, gatewayIR, httpsListener, labPki, route, service, startDataplane, startEchoBackend } from './helpers.js';

const pki = labPki();
const clientCa = issueCertificate({ subject: '/CN=client CA' });
const client = issueCertificate({ subject: '/CN=learner', usage: 'client', issuer: clientCa });
const rogue = issueCertificate({ subject: '/CN=rogue', usage: 'client', issuer: issueCertificate({ subject: '/CN=rogue CA' }) });
const passCert = issueCertificate({ subject: '/CN=pass.example.com/O=passthrough backend', subjectAltNames: ['pass.example.com'], issuer: pki.ca });
const tlsTermCert = issueCertificate({ subject: '/CN=tcp.example.com', subjectAltNames: ['tcp.example.com'], issuer: pki.ca });
const strictCert = issueCertificate({ subject: '/CN=strict.example.com', subjectAltNames: ['strict.example.com'], issuer: pki.ca });
const reencryptCert = issueCertificate({ subject: '/CN=reencrypt.example.com', subjectAltNames: ['reencrypt.example.com', 'wrong-ca.example.com'], issuer: pki.ca });
const lenientCert = issueCertificate({ subject: '/CN=lenient.example.com', subjectAltNames: ['lenient.example.com'], issuer: pki.ca });
const files = {
  clientCert: path.join(pki.dir, 'client.crt'),
  clientKey: path.join(pki.dir, 'client.key'),
  rogueCert: path.join(pki.dir, 'rogue.crt'),
  rogueKey: path.join(pki.dir, 'rogue.key'),
};
writeFileSync(files.clientCert, client.certPem);
writeFileSync(files.clientKey, client.keyPem, { mode: 0o600 });
writeFileSync(files.rogueCert, rogue.certPem);
writeFileSync(files.rogueKey, rogue.keyPem, { mode: 0o600 });

const dp = startDataplane();
let port = 0;
let echo: Awaited<ReturnType<typeof startEchoBackend>>;
let passBackend: https.Server;

test.before(async () => {
  echo = await startEchoBackend('echo');
  passBackend = https.createServer({ cert: passCert.certPem, key: passCert.keyPem }, (_req, res) => res.end('from the passthrough backend\n'));
  await new Promise<void>((r) => passBackend.listen(0, '127.0.0.1', r));
  const passPort = (passBackend.address() as net.AddressInfo).port;
  port = await freePort();
  const backend = service('ns/echo:80', echo.port);
  const strict = httpsListener('strict', 'strict.example.com', cert('ns/strict', strictCert), [route('ns/strict/0/0', { backend })]);
  strict.tls!.frontendValidation = { caPem: clientCa.certPem, mode: 'AllowValidOnly' };
  const lenient = httpsListener('lenient', 'lenient.example.com', cert('ns/lenient', lenientCert), [route('ns/lenient/0/0', { backend })]);
  lenient.tls!.frontendValidation = { caPem: clientCa.certPem, mode: 'AllowInsecureFallback' };
  const passthrough: ListenerIR = {
    name: 'pass',
    protocol: 'TLS',
    hostname: 'pass.example.com',
    tls: { mode: 'Passthrough', certificates: [], alpnProtocols: [] },
    routes: [],
    tlsRoutes: [{ id: 'ns/pass/0', route: { namespace: 'ns', name: 'pass' }, hostnames: ['pass.example.com'], backends: [{ weight: 1, backend: service('ns/pass:443', passPort) }] }],
  };
  const tcp: ListenerIR = {
    name: 'tcp',
    protocol: 'TLS',
    hostname: 'tcp.example.com',
    tls: { mode: 'Terminate', certificates: [cert('ns/tcp', tlsTermCert)], alpnProtocols: ['http/1.1'] },
    routes: [],
    tlsRoutes: [{ id: 'ns/tcp/0', route: { namespace: 'ns', name: 'tcp' }, hostnames: [], backends: [{ weight: 1, backend }] }],
  };
  // Terminate, then TLS again to the backend, as a BackendTLSPolicy on the Service asks (conformance
  // BackendTLSPolicyTLSRouteTerminate); the second listener's policy trusts another CA.
  const reencrypt = (name: string, caPem: string): ListenerIR => ({
    name,
    protocol: 'TLS',
    hostname: `${name}.example.com`,
    tls: { mode: 'Terminate', certificates: [cert(`ns/${name}`, reencryptCert)], alpnProtocols: ['http/1.1'] },
    routes: [],
    tlsRoutes: [{ id: `ns/${name}/0`, route: { namespace: 'ns', name }, hostnames: [], backends: [{ weight: 1, backend: service(`ns/pass-${name}:443`, passPort, { tls: { sni: 'pass.example.com', caPem, sessionCache: 'sni' } }) }] }],
  });
  const otherCa = issueCertificate({ subject: '/CN=another CA' });
  await dp.dataplane.update(gatewayIR([{ port, transport: 'tls', listeners: [strict, lenient, passthrough, tcp, reencrypt('reencrypt', pki.ca.certPem), reencrypt('wrong-ca', otherCa.certPem)] }]));
});

test.after.always(async () => {
  echo.server.close();
  passBackend.close();
  await dp.dataplane.close();
  pki.cleanup();
});

// Serial: it runs alone, before the other tests, so the 'strict' handshake failure it waits for is its own
// (the rogue-certificate test below fails a 'strict' handshake too, and under load its line can come first).
test.serial('AllowValidOnly: no client certificate → the handshake fails, no HTTP', async (t) => {
  // TLS 1.2: the server judges the (empty) client Certificate before its own Finished, so its error is
  // always the certificate one. In TLS 1.3 the client may already have sent its request and closed, and
  // the server can see that reset first (the probe tests cover the TLS 1.3 case from the client's side).
  const r = await curl('strict.example.com', port, pki.caFile, '/', ['--tls-max', '1.2']);
  t.not(r.code, 0);
  t.notRegex(r.stderr, /< HTTP/);
  const line = await dp.waitForLine((f) => f.listener === 'strict' && f.message === 'TLS handshake failed');
  t.regex(line.error, /certificate/i);
});

test('AllowValidOnly: a certificate from another CA is refused too', async (t) => {
  const r = await curl('strict.example.com', port, pki.caFile, '/', ['--cert', files.rogueCert, '--key', files.rogueKey]);
  t.not(r.code, 0);
  t.notRegex(r.stderr, /< HTTP/);
});

test('AllowValidOnly: a valid client certificate gets through, marked valid', async (t) => {
  const r = await curl('strict.example.com', port, pki.caFile, '/valid', ['--cert', files.clientCert, '--key', files.clientKey]);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).backend, 'echo');
  const line = await dp.waitForLine((f) => f.path === '/valid');
  t.is(line.client_cert, 'valid');
});

test('AllowInsecureFallback: accepted without or with a bad certificate, and marked', async (t) => {
  const none = await curl('lenient.example.com', port, pki.caFile, '/none');
  t.is(none.code, 0, none.stderr);
  t.is((await dp.waitForLine((f) => f.path === '/none')).client_cert, 'none');
  const bad = await curl('lenient.example.com', port, pki.caFile, '/bad', ['--cert', files.rogueCert, '--key', files.rogueKey]);
  t.is(bad.code, 0, bad.stderr);
  t.regex((await dp.waitForLine((f) => f.path === '/bad')).client_cert, /^invalid:/);
});

test('Passthrough: the client sees the backend\'s own certificate', async (t) => {
  const r = await curl('pass.example.com', port, pki.caFile);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /subject: CN=pass\.example\.com; O=passthrough backend/);
  t.is(r.stdout, 'from the passthrough backend\n');
  const line = await dp.waitForLine((f) => f.listener === 'pass');
  t.is(line.proto, 'TLS-passthrough');
});

test('Terminate TLS listener forwards plaintext to the TLSRoute backend', async (t) => {
  const r = await curl('tcp.example.com', port, pki.caFile, '/over-tcp', ['--http1.1']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /subject: CN=tcp\.example\.com/);
  t.is(JSON.parse(r.stdout).path, '/over-tcp');
});

test('Terminate TLS listener with backend TLS: the decrypted bytes go out over TLS to the policy\'s name, verified', async (t) => {
  const r = await curl('reencrypt.example.com', port, pki.caFile, '/reencrypted', ['--http1.1']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'from the passthrough backend\n');
});

test('Terminate TLS listener with backend TLS: a backend certificate from another CA is refused, flagged UF (as in Envoy: upstream connection failure), nothing sent', async (t) => {
  const line = dp.waitForLine((f) => f.listener === 'wrong-ca');
  const r = await curl('wrong-ca.example.com', port, pki.caFile, '/never', ['--http1.1']);
  t.not(r.code, 0);
  const fields = await line;
  t.is(fields.flags, 'UF');
  t.regex(fields.error ?? '', /^upstream TLS error: .*certificate/i);
});
