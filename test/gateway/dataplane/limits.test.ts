// Slow, idle and too many clients (issue 16 item 5): a slowloris is closed
// after the headers timeout, an idle TLS connection and an idle HTTP/2
// session after the idle timeout, and past the connection limit a new
// connection gets a polite 503 while the connections already open keep working.
import test from 'ava';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { FOO, cert, freePort, gatewayIR, httpListener, httpsListener, labPki, route, startDataplane } from './helpers.js';

const pki = labPki();
const HEADERS_MS = 300;
const IDLE_MS = 400;
const timed = startDataplane({ limits: { headersTimeoutMs: HEADERS_MS, idleTimeoutMs: IDLE_MS, tlsHandshakeTimeoutMs: 300 } });
const limited = startDataplane({ limits: { maxConnections: 4 } });
let plainPort = 0;
let tlsPort = 0;
let limitedPort = 0;

const answer = route('default/ok', { directResponse: { status: 200, body: 'ok\n' } });

test.before(async () => {
  [plainPort, tlsPort, limitedPort] = await Promise.all([freePort(), freePort(), freePort()]);
  await timed.dataplane.update(gatewayIR([
    { port: plainPort, transport: 'http', listeners: [httpListener('http', undefined, [answer])] },
    { port: tlsPort, transport: 'tls', listeners: [httpsListener('foo', FOO, cert('foo', pki.foo), [answer])] },
  ]));
  await limited.dataplane.update(gatewayIR([{ port: limitedPort, transport: 'http', listeners: [httpListener('http', undefined, [answer])] }]));
});
test.after.always(async () => {
  await Promise.all([timed.dataplane.close(), limited.dataplane.close()]);
  pki.cleanup();
});

/** Resolves with the ms from `since` to the socket's close, or rejects after `boundMs`. */
function closedWithin(socket: net.Socket, since: number, boundMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${boundMs} ms`));
    }, boundMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - since);
    });
  });
}

test('a slowloris (one header byte every 50 ms, never finishing) is closed after the headers timeout', async (t) => {
  const socket = net.connect(plainPort, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  const started = Date.now();
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString()));
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 50);
  const ms = await closedWithin(socket, started, 5000).finally(() => clearInterval(drip));
  t.true(ms >= HEADERS_MS - 50, `closed after ${ms} ms`);
  t.regex(received, /^HTTP\/1\.1 408 Request Timeout/);
});

test('an idle TLS connection (handshake done, no request) is closed after the headers timeout', async (t) => {
  const socket = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: FOO, ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString())); // read, or the close is never seen
  const ms = await closedWithin(socket, Date.now(), 5000);
  t.true(ms >= HEADERS_MS - 100, `closed after ${ms} ms`);
});

test('a TLS client that never finishes its ClientHello is closed after the handshake timeout', async (t) => {
  const socket = net.connect(tlsPort, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.resume();
  socket.write(Buffer.from([0x16, 0x03, 0x01, 0x01, 0x00, 0x01])); // a record header promising 256 bytes, then nothing
  const ms = await closedWithin(socket, Date.now(), 5000);
  t.true(ms >= 250, `closed after ${ms} ms`);
  await timed.waitForLine((f) => (f.msg ?? f.message ?? '').includes('no complete ClientHello within 300 ms'));
});

test('an idle HTTP/2 session is closed after the idle timeout; one request on it worked first', async (t) => {
  const session = http2.connect(`https://${FOO}:${tlsPort}`, { ca: pki.ca.certPem, servername: FOO, createConnection: () => tls.connect({ host: '127.0.0.1', port: tlsPort, servername: FOO, ca: pki.ca.certPem, ALPNProtocols: ['h2'] }) });
  session.on('error', () => undefined);
  const status = await new Promise<number>((resolve, reject) => {
    const req = session.request({ ':path': '/' });
    req.on('response', (h) => resolve(Number(h[':status'])));
    req.on('error', reject);
    req.resume();
    req.end();
  });
  t.is(status, 200);
  const idleFrom = Date.now();
  const ms = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('HTTP/2 session still open after 5 s')), 5000);
    session.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - idleFrom);
    });
  });
  t.true(ms >= IDLE_MS - 100, `closed after ${ms} ms`);
});

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
  });
}

test('past the connection limit a new connection gets 503 with Retry-After; open ones keep working; after they close, new ones are served', async (t) => {
  const held = await Promise.all(Array.from({ length: 4 }, () => new Promise<net.Socket>((resolve) => {
    const s = net.connect(limitedPort, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
  })));
  // The server side counts a connection once it is accepted: wait for the 5th to be refused, bounded.
  let refused = '';
  for (let i = 0; i < 50 && !refused.startsWith('HTTP/1.1 503'); i++) refused = await httpGet(limitedPort);
  t.regex(refused, /^HTTP\/1\.1 503 Service Unavailable/);
  t.regex(refused, /retry-after: 1/i);
  t.regex(refused, /proxy connection limit reached/);
  const line = await limited.waitForLine((f) => (f.flags ?? '').includes('OM'));
  t.regex(line.msg ?? line.message ?? '', /connection limit 4 reached/);
  // An open connection is still served.
  const answered = new Promise<string>((resolve) => {
    let text = '';
    held[0]!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('ok\n')) resolve(text);
    });
  });
  held[0]!.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  t.regex(await answered, /^HTTP\/1\.1 200/);
  await Promise.all(held.map((s) => new Promise((resolve) => (s.once('close', resolve), s.destroy()))));
  let served = '';
  for (let i = 0; i < 50 && !served.startsWith('HTTP/1.1 200'); i++) served = await httpGet(limitedPort);
  t.regex(served, /^HTTP\/1\.1 200/);
});
