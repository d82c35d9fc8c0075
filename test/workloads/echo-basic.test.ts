// The Gateway API echo server workload: its JSON over HTTP, and TLS details over HTTPS.
import test from 'ava';
import tls from 'node:tls';
import http2 from 'node:http2';
import { once } from 'node:events';
import { Agent, request } from 'undici';
import { freePort, startWorkload, type RunningWorkload } from './spawn-workload.js';
import { makeFixtures, type Fixtures } from './tls-fixtures.js';

const host = '127.0.0.1';
let echo: RunningWorkload;
let fixtures: Fixtures;
let httpPort: number;
let httpsPort: number;
let h2cPort: number;

test.before(async () => {
  fixtures = makeFixtures(['echo.example.com']);
  httpPort = await freePort(host);
  httpsPort = await freePort(host);
  h2cPort = await freePort(host);
  echo = await startWorkload('echo-basic', [], {
    AGW_POD_IP: host, HTTP_PORT: String(httpPort), HTTPS_PORT: String(httpsPort), H2C_PORT: String(h2cPort),
    TLS_SERVER_CERT: fixtures.files['echo.example.com.crt']!, TLS_SERVER_PRIVKEY: fixtures.files['echo.example.com.key']!,
    TLS_CLIENT_CACERTS: fixtures.files['ca.crt']!,
    POD_NAME: 'echo-pod', NAMESPACE: 'lab', SERVICE_NAME: 'echo-svc',
  }, 3);
});
test.after.always(async () => {
  await echo?.stop();
  fixtures?.cleanup();
});

test('HTTP: the RequestAssertions JSON of the conformance echo server', async (t) => {
  const response = await request(`http://${host}:${httpPort}/some/path?x=1`, { headers: { 'x-custom': 'yes', host: 'app.example.com' } });
  t.is(response.statusCode, 200);
  const body = (await response.body.json()) as any;
  t.is(body.path, '/some/path?x=1');
  t.is(body.host, 'app.example.com');
  t.is(body.method, 'GET');
  t.is(body.proto, 'HTTP/1.1');
  t.deepEqual(body.headers['X-Custom'], ['yes']);
  t.is(body.headers.Host, undefined, 'Go leaves Host out of the header map');
  t.is(body.namespace, 'lab');
  t.is(body.service, 'echo-svc');
  t.is(body.pod, 'echo-pod');
  t.is(body.ingress, '');
  t.is(body.tls, undefined);
  t.is(body.sni, '');
  t.is((await request(`http://${host}:${httpPort}/status/418`)).statusCode, 418);
  const health = await request(`http://${host}:${httpPort}/health`);
  t.is(await health.body.text(), 'OK');
});

test('HTTPS: tls details (version, serverName, negotiatedProtocol, cipherSuite) and the client certificate', async (t) => {
  const dispatcher = new Agent({ connect: { ca: fixtures.ca.certPem, servername: 'echo.example.com', cert: fixtures.client.certPem, key: fixtures.client.keyPem } });
  t.teardown(() => dispatcher.close());
  const response = await request(`https://${host}:${httpsPort}/backendTLS`, { dispatcher, headers: { host: 'echo.example.com' } });
  const body = (await response.body.json()) as any;
  t.is(body.tls.version, 'TLSv1.3');
  t.is(body.tls.serverName, 'echo.example.com');
  t.is(body.tls.negotiatedProtocol, 'http/1.1');
  t.regex(body.tls.cipherSuite, /^TLS_/);
  t.is(body.tls.peerCertificates.length, 1);
  t.is(body.tls.peerCertificates[0].replace(/\s/g, ''), fixtures.client.certPem.replace(/\s/g, ''));
  t.is(body.sni, 'echo.example.com', 'the /backendTLS path reports the SNI');
});

test('h2c: HTTP/2 with prior knowledge on H2C_PORT reports proto HTTP/2.0', async (t) => {
  const session = http2.connect(`http://${host}:${h2cPort}`);
  t.teardown(() => session.close());
  const stream = session.request({ ':path': '/h2c', ':authority': 'grpc.example.com' });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  await once(stream, 'end');
  const body = JSON.parse(text);
  t.is(body.proto, 'HTTP/2.0');
  t.is(body.host, 'grpc.example.com');
  t.is(body.path, '/h2c');
});

test('HTTPS: a client certificate from another CA is refused, none is allowed (VerifyClientCertIfGiven)', async (t) => {
  const handshake = (options: tls.ConnectionOptions) => new Promise<string>((resolve) => {
    const socket = tls.connect({ host, port: httpsPort, servername: 'echo.example.com', ca: fixtures.ca.certPem, ...options });
    socket.once('secureConnect', () => {
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.once('close', () => resolve(data.startsWith('HTTP/1.1 200') ? 'ok' : 'closed'));
    socket.once('error', () => resolve('closed'));
  });
  t.is(await handshake({}), 'ok');
  t.is(await handshake({ cert: fixtures.strangerClient.certPem, key: fixtures.strangerClient.keyPem }), 'closed');
});
