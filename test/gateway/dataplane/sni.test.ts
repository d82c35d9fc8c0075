// The SNI lab, against the data plane alone: real curl and openssl s_client
// see foo's certificate for foo, bar's for bar, and a connection closed
// before any ServerHello for baz.
import test from 'ava';
import net from 'node:net';
import tls from 'node:tls';
import { records } from './hello-builder.js';
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

/** A relay that re-frames the client's first record (its ClientHello) into 1-byte TLS records, one write each, then pipes. */
function oneByteRecordRelay(target: number): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: target });
      upstream.setNoDelay(true);
      let first = Buffer.alloc(0);
      const onFirst = (data: Buffer) => {
        first = Buffer.concat([first, data]);
        if (first.length < 5 || first.length < 5 + first.readUInt16BE(3)) return;
        client.off('data', onFirst);
        const end = 5 + first.readUInt16BE(3);
        const fragmented = records(first.subarray(5, end), 1);
        for (let i = 0; i < fragmented.length; i += 6) upstream.write(fragmented.subarray(i, i + 6));
        upstream.write(first.subarray(end));
        client.pipe(upstream);
        upstream.pipe(client);
      };
      client.on('data', onFirst);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() }));
  });
}

test('a ClientHello split into 1-byte TLS records still picks the listener by SNI and completes the handshake (issue 16 item 6)', async (t) => {
  const relay = await oneByteRecordRelay(port);
  t.teardown(relay.close);
  const subject = await new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: relay.port, servername: BAR, ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] }, () => {
      resolve(socket.getPeerX509Certificate()!.subject);
      socket.destroy();
    });
    socket.once('error', reject);
  });
  t.regex(subject, /CN=mock-openai-bar\.glootest\.com/);
});
