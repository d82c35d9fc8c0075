// Memory that comes back (issue 16 item 5): after many connections — plain
// and TLS, answered, idle and refused at the limit — have closed, the proxy
// keeps nothing of them on the JavaScript heap (no Map or Set keyed by
// connection left behind). Measured with full GCs, so the figure does not
// depend on when V8 would have collected on its own, nor on the machine's load.
// RSS is not asserted here: glibc keeps the freed native memory (OpenSSL's,
// node's) as free chunks of its heap; bench/proxy-memory.mjs measures that.
import test from 'ava';
import net from 'node:net';
import tls from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import { defaultMaxConnections } from '../../../gateway/dataplane/limits.js';
import { FOO, cert, freePort, gatewayIR, httpListener, httpsListener, labPki, route, startDataplane } from './helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const pki = labPki();
// Connections held at once: 1,500, fewer where descriptors are scarce (each costs two here: client and proxy).
const LIMIT = Math.min(1500, defaultMaxConnections() - 50);
const PLAIN = Math.round((LIMIT * 2) / 3);
const SECURE = PLAIN; // the last third of them find the limit reached
const proxy = startDataplane({ accessLog: () => undefined, limits: { maxConnections: LIMIT, idleTimeoutMs: 60_000, headersTimeoutMs: 60_000 } });
const openSockets = () => (proxy.dataplane as unknown as { sockets: Set<unknown> }).sockets.size;
let plainPort = 0;
let tlsPort = 0;

test.before(async () => {
  [plainPort, tlsPort] = await Promise.all([freePort(), freePort()]);
  const answer = route('default/ok', { directResponse: { status: 200, body: 'ok\n' } });
  await proxy.dataplane.update(gatewayIR([
    { port: plainPort, transport: 'http', listeners: [httpListener('http', undefined, [answer])] },
    { port: tlsPort, transport: 'tls', listeners: [httpsListener('foo', FOO, cert('foo', pki.foo), [answer])] },
  ]));
});
test.after.always(async () => {
  await proxy.dataplane.close();
  pki.cleanup();
});

/** Runs `task` over `count` items with at most `width` at once. */
async function pool(count: number, width: number, task: () => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next++ < count) await task();
  }));
}

/** Opens a connection that asks one keep-alive request and stays open; resolves once the answer arrived (or it was refused). */
function askAndStay(socket: net.Socket, sockets: net.Socket[]): Promise<void> {
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.on('data', (d: Buffer) => d.includes('\r\n\r\n') && resolve());
    socket.write('GET / HTTP/1.1\r\nHost: foo.example.test\r\n\r\n');
  });
}

/** One round: `plain` HTTP and `secure` TLS connections held open together (past the limit: 503), then all closed. */
async function round(plain: number, secure: number): Promise<void> {
  const sockets: net.Socket[] = [];
  await pool(plain, 50, () => askAndStay(net.connect(plainPort, '127.0.0.1'), sockets));
  await pool(secure, 20, () => {
    const socket = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: FOO, ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] });
    return new Promise<void>((resolve) => {
      socket.once('secureConnect', () => void askAndStay(socket, sockets).then(resolve));
      socket.once('error', () => resolve());
    });
  });
  for (const s of sockets) s.destroy();
  // Bounded: the proxy sees every close within seconds on loopback.
  for (let i = 0; i < 200 && openSockets() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

test('a second round of connections (plain and TLS held open, TLS refused at the limit), closed, leave nothing on the JavaScript heap', async (t) => {
  // The same round first: code compiled, modules loaded, and node's free list of HTTP parsers
  // (up to 1,000 kept for reuse, _http_common) filled; a leak grows with every round.
  await round(PLAIN, SECURE);
  const before = await heapAfterGc();
  await round(PLAIN, SECURE);
  t.is(openSockets(), 0, 'the proxy still tracks closed connections');
  const after = await heapAfterGc();
  const growth = after - before;
  t.log(`heap used ${(before / 1e6).toFixed(1)} MB before, ${(after / 1e6).toFixed(1)} MB after ${PLAIN} plain and ${SECURE} TLS connections: ${(growth / 1e3).toFixed(0)} KB`);
  // A socket kept in a Map by the proxy is 1–5 KB of heap with what it holds: 1,000 of them would be megabytes.
  t.true(growth < 1_000_000, `heap grew by ${(growth / 1e3).toFixed(0)} KB`);
});

