// The SNI lab, against the data plane alone: real curl and openssl s_client
// see foo's certificate for foo, bar's for bar, and a connection closed
// before any ServerHello for baz.
import test from 'ava';
import { BAR, BAZ, FOO, cert, curl, freePort, gatewayIR, httpsListener, labPki, route, runTool, service, startDataplane, startEchoBackend } from './helpers.js';

const pki = labPki();
const dp = startDataplane();
let port = 0;
let backendPort = 0;
let backend: Awaited<ReturnType<typeof startEchoBackend>> | undefined;

test.before(async () => {
  backend = await startEchoBackend('mock');
  backendPort = backend.port;
  port = await freePort();
  await dp.dataplane.update(
    gatewayIR([
      {
        port,
        transport: 'tls',
        listeners: [
          httpsListener('foo', FOO, cert('agentgateway-system/foo', pki.foo), [route('agentgateway-system/foo-route/0/0', { hostnames: [FOO], backend: service('agentgateway-system/mock:8000', backendPort) })]),
          httpsListener('bar', BAR, cert('agentgateway-system/bar', pki.bar), [route('agentgateway-system/bar-route/0/0', { hostnames: [BAR], backend: service('agentgateway-system/mock:8000', backendPort) })]),
        ],
      },
    ]),
  );
});

test.after.always(async () => {
  backend?.server.close();
  await dp.dataplane.close();
  pki.cleanup();
});

test('curl to foo gets 200 and the foo certificate', async (t) => {
  const r = await curl(FOO, port, pki.caFile);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /subject: CN=mock-openai-foo\.glootest\.com; O=mock-openai organization/);
  t.regex(r.stderr, /issuer: O=Solo\.io; CN=glootest\.com/);
  t.regex(r.stderr, /< HTTP\/2 200/);
  t.is(JSON.parse(r.stdout).backend, 'mock');
  const line = await dp.waitForLine((f) => f.sni === FOO && f.status === '200');
  t.is(line.listener, 'foo');
  t.is(line.upstream, `127.0.0.1:${backendPort}`);
});

test('curl to bar gets the bar certificate', async (t) => {
  const r = await curl(BAR, port, pki.caFile);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /subject: CN=mock-openai-bar\.glootest\.com; O=solo\.io/);
});

test('curl to baz exits 35: closed before any ServerHello, logged', async (t) => {
  const r = await curl(BAZ, port, pki.caFile);
  t.is(r.code, 35, r.stderr);
  t.notRegex(r.stderr, /Server hello/i);
  const line = await dp.waitForLine((f) => f.sni === BAZ);
  t.is(line.flags, 'NS');
  t.is(line.message, `no listener for SNI ${BAZ}`);
});

test('ALPN: curl --http2 negotiates h2; --http1.1 gets HTTP/1.1', async (t) => {
  const h2 = await curl(FOO, port, pki.caFile, '/', ['--http2']);
  t.is(h2.code, 0);
  t.regex(h2.stderr, /ALPN: server accepted h2/);
  const h1 = await curl(FOO, port, pki.caFile, '/', ['--http1.1']);
  t.is(h1.code, 0);
  t.regex(h1.stderr, /ALPN: server accepted http\/1\.1/);
  t.regex(h1.stderr, /< HTTP\/1\.1 200/);
});

test('openssl s_client -servername foo -alpn h2 shows the foo subject and h2', async (t) => {
  const r = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', FOO, '-alpn', 'h2', '-CAfile', pki.caFile], 'Q\n');
  t.regex(r.stdout, /subject=CN ?= ?mock-openai-foo\.glootest\.com, O ?= ?mock-openai organization/);
  t.regex(r.stdout, /ALPN protocol: h2/);
  t.regex(r.stdout, /Verify return code: 0 \(ok\)/);
});

test('openssl s_client -servername baz shows no peer certificate', async (t) => {
  const r = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', BAZ, '-CAfile', pki.caFile], 'Q\n');
  t.regex(r.stdout, /no peer certificate available/);
  t.regex(r.stdout, /SSL handshake has read 0 bytes/);
});

test('Host of another listener than the SNI chose → 421 Misdirected Request', async (t) => {
  const r = await curl(FOO, port, pki.caFile, '/', ['-H', `Host: ${BAR}`, '--http1.1']);
  t.is(r.code, 0);
  t.regex(r.stderr, /< HTTP\/1\.1 421/);
  const line = await dp.waitForLine((f) => f.status === '421');
  t.is(line.flags, 'MR');
  t.is(line.sni, FOO);
  // HTTP/2 is where this matters: a browser reuses foo's connection for bar when the certificate allows.
  const h2 = await curl(FOO, port, pki.caFile, '/h2-misdirected', ['-H', `Host: ${BAR}`, '--http2']);
  t.regex(h2.stderr, /< HTTP\/2 421/);
});
