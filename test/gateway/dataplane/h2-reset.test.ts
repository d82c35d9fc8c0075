// HTTP/2 cancellation (issue 16 item 4): a client's RST_STREAM aborts the
// upstream request and is logged with the downstream-disconnect flag; a
// connection is limited to 100 concurrent streams and a rapid-reset flood
// (CVE-2023-44487) ends with GOAWAY ENHANCE_YOUR_CALM.
import test from 'ava';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { FOO, cert, freePort, gatewayIR, httpsListener, labPki, route, service, startDataplane } from './helpers.js';

const pki = labPki();
const dp = startDataplane();
let port = 0;
let backend: http.Server;
const arrived: string[] = [];
const aborted: string[] = [];
let onBackendEvent: (() => void) | undefined;

test.before(async () => {
  // A backend that never answers /hold: only an abort ends those requests.
  backend = http.createServer((req, res) => {
    arrived.push(req.url ?? '');
    onBackendEvent?.();
    if (req.url?.startsWith('/hold')) {
      res.on('close', () => {
        if (!res.writableFinished) aborted.push(req.url ?? '');
        onBackendEvent?.();
      });
      return;
    }
    res.end('ok\n');
  });
  const backendPort = await new Promise<number>((resolve) => backend.listen(0, '127.0.0.1', () => resolve((backend.address() as net.AddressInfo).port)));
  port = await freePort();
  await dp.dataplane.update(gatewayIR([{ port, transport: 'tls', listeners: [httpsListener('foo', FOO, cert('foo', pki.foo), [route('ns/r', { hostnames: [FOO], backend: service('ns/b', backendPort) })])] }]));
});
test.after.always(async () => {
  backend.closeAllConnections();
  backend.close();
  await dp.dataplane.close();
  pki.cleanup();
});

function connect(): http2.ClientHttp2Session {
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca: pki.ca.certPem, servername: FOO });
  session.on('error', () => undefined);
  return session;
}

function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onBackendEvent = undefined;
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    onBackendEvent = () => {
      if (!check()) return;
      clearTimeout(timer);
      onBackendEvent = undefined;
      resolve();
    };
  });
}

test.serial('RST_STREAM aborts the upstream request of each cancelled stream, logged DC with the reset code', async (t) => {
  const session = connect();
  t.teardown(() => session.destroy());
  const N = 20;
  const streams = Array.from({ length: N }, (_, i) => {
    const stream = session.request({ ':path': `/hold-${i}`, ':authority': FOO });
    stream.on('error', () => undefined);
    stream.end();
    return stream;
  });
  await until(`${N} requests at the backend`, () => arrived.filter((p) => p.startsWith('/hold-')).length === N);
  for (const stream of streams) stream.close(http2.constants.NGHTTP2_CANCEL);
  await until(`${N} upstream requests aborted`, () => aborted.filter((p) => p.startsWith('/hold-')).length === N);
  t.is(aborted.filter((p) => p.startsWith('/hold-')).length, N);
  const line = await dp.waitForLine((f) => f.path === '/hold-0');
  t.is(line.flags, 'DC');
  t.regex(line.message ?? '', /downstream reset the stream \(RST_STREAM code 8\)/);
});

test.serial('the proxy announces at most 100 concurrent streams per connection', async (t) => {
  const session = connect();
  t.teardown(() => session.destroy());
  await new Promise((resolve) => session.once('remoteSettings', resolve));
  t.is(session.remoteSettings.maxConcurrentStreams, 100);
});

test.serial('a rapid-reset flood gets GOAWAY ENHANCE_YOUR_CALM; another client is still served', async (t) => {
  const session = connect();
  t.teardown(() => session.destroy());
  await new Promise((resolve) => session.once('remoteSettings', resolve));
  const goaway = new Promise<number>((resolve) => {
    session.once('goaway', (code: number) => resolve(code));
    session.once('close', () => resolve(-1));
  });
  let opened = 0;
  // Bounded: at most 5000 streams opened and reset at once, as the attack does.
  for (; opened < 5000 && !session.closed && !session.destroyed; opened++) {
    try {
      const stream = session.request({ ':path': `/flood-${opened}`, ':authority': FOO });
      stream.on('error', () => undefined);
      stream.close(http2.constants.NGHTTP2_CANCEL);
    } catch {
      break;
    }
    if (opened % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
  }
  const code = await Promise.race([goaway, new Promise<number>((resolve) => setTimeout(() => resolve(-2), 10_000))]);
  t.is(code, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, `goaway code ${code} after ${opened} streams; ${dp.lines.filter((l) => l.includes("/flood-")).length} access lines; ${arrived.filter((p) => p.startsWith("/flood-")).length} at the backend; logs ${dp.logs.slice(-3).join(" | ")}`);
  const other = connect();
  t.teardown(() => other.destroy());
  const status = await new Promise<number>((resolve, reject) => {
    const req = other.request({ ':path': '/valid', ':authority': FOO });
    req.on('response', (h) => resolve(Number(h[':status'])));
    req.on('error', reject);
    req.resume();
    req.end();
  });
  t.is(status, 200);
});
