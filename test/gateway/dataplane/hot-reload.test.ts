// Configuration swaps under traffic: a client holds a keep-alive connection
// with a response streaming through it while the IR is replaced with a new
// certificate and new routes. New handshakes see the new certificate at once,
// the open stream finishes, and the next request on the old connection gets
// the new routes. Ports added and removed open and close their sockets.
import test from 'ava';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { issueCertificate } from '../../../source/pki/index.js';
import type { GatewayIR } from '../../../gateway/ir/types.js';
import { FOO, cert, freePort, gatewayIR, httpListener, httpsListener, labPki, route, service, startDataplane } from './helpers.js';

const pki = labPki();
const rotated = issueCertificate({ subject: `/CN=${FOO}/O=rotated organization`, subjectAltNames: [FOO], issuer: pki.ca, serial: 7 });
const dp = startDataplane();
let backend: http.Server;
let backendPort = 0;
let port = 0;

/** Streams 6 chunks, 120 ms apart, then ends. */
function startStreamingBackend(): Promise<void> {
  backend = http.createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let i = 0;
      const timer = setInterval(() => {
        res.write(`chunk ${i}\n`);
        if (++i === 6) {
          clearInterval(timer);
          res.end();
        }
      }, 120);
      return;
    }
    res.end(`plain ${req.url}\n`);
  });
  return new Promise((resolve) => backend.listen(0, '127.0.0.1', () => ((backendPort = (backend.address() as net.AddressInfo).port), resolve())));
}

function config(version: 'v1' | 'v2', extraPorts: GatewayIR['ports'] = []): GatewayIR {
  const certificate = version === 'v1' ? cert('ns/foo', pki.foo) : cert('ns/foo', rotated);
  const filters = [{ type: 'ResponseHeaderModifier' as const, set: [{ name: 'x-config', value: version }], add: [], remove: [] }];
  return gatewayIR([
    { port, transport: 'tls', listeners: [httpsListener('foo', FOO, certificate, [route('ns/foo/0/0', { filters, backend: service('ns/stream:80', backendPort) })])] },
    ...extraPorts,
  ]);
}

function fingerprint(pem: string): string {
  return new crypto.X509Certificate(pem).fingerprint256;
}

function handshake(): Promise<{ socket: tls.TLSSocket; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: FOO, ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] }, () =>
      resolve({ socket, fingerprint: socket.getPeerX509Certificate()!.fingerprint256 }),
    );
    socket.once('error', reject);
  });
}

/** A keep-alive agent whose one connection is `socket`. */
function onSocket(socket: net.Socket): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => socket;
  return agent;
}

test.before(async () => {
  await startStreamingBackend();
  port = await freePort();
  await dp.dataplane.update(config('v1'));
});

test.after.always(async () => {
  backend.close();
  await dp.dataplane.close();
  pki.cleanup();
});

test.serial('certificate swap: new handshakes get the new certificate, the open stream and connection keep working', async (t) => {
  const { socket, fingerprint: before } = await handshake();
  const agent = onSocket(socket);
  t.teardown(() => agent.destroy());
  t.is(before, fingerprint(pki.foo.certPem));
  // One keep-alive connection, owned by an https-like agent built on our socket.
  const chunks: { at: number; text: string }[] = [];
  let endStream!: () => void;
  const streamDone = new Promise<void>((resolve) => (endStream = resolve));
  const firstChunk = new Promise<void>((resolveFirst) => {
    const req = http.request({ agent, path: '/stream', headers: { host: FOO } }, (res) => {
      t.is(res.headers['x-config'], 'v1');
      res.on('data', (d: Buffer) => {
        chunks.push({ at: Date.now(), text: d.toString() });
        resolveFirst();
      });
      res.on('end', () => endStream());
    });
    req.end();
  });
  await firstChunk;

  const swapStarted = performance.now();
  const result = await dp.dataplane.update(config('v2'));
  const after = await handshake();
  const swapToNewCert = performance.now() - swapStarted;
  after.socket.destroy();
  t.is(after.fingerprint, fingerprint(rotated.certPem));
  t.true(result.applyMs < 100, `swap took ${result.applyMs} ms`);
  t.log(`config change → new certificate served in ${swapToNewCert.toFixed(1)} ms (apply ${result.applyMs} ms)`);

  await streamDone;
  t.is(chunks.map((c) => c.text).join(''), [0, 1, 2, 3, 4, 5].map((i) => `chunk ${i}\n`).join(''));
  t.false(socket.destroyed, 'the open connection survived the swap');
  // The next request on the same (old) connection is served with the new routes.
  const second = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request({ agent, path: '/again', headers: { host: FOO } }, (res) => {
      t.is(res.socket, socket, 'same connection');
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
  t.is(second.statusCode, 200);
  t.is(second.headers['x-config'], 'v2');
  second.resume();
  socket.destroy();
});

test.serial('ports added by a swap open; ports removed stop accepting while open connections finish', async (t) => {
  const extra = await freePort();
  const plain = { port: extra, transport: 'http' as const, listeners: [httpListener('plain', undefined, [route('ns/plain/0/0', { backend: service('ns/stream:80', backendPort) })])] };
  await dp.dataplane.update(config('v2', [plain]));
  // A keep-alive connection on the new port, with a request in flight while the port is removed.
  const socket = net.connect(extra, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const agent = onSocket(socket);
  t.teardown(() => agent.destroy());
  const inFlight = new Promise<string>((resolve, reject) => {
    const req = http.request({ agent, path: '/stream' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
  await dp.dataplane.update(config('v2'));
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(extra, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve('connected')));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  t.is(refused, 'ECONNREFUSED');
  t.is(await inFlight, [0, 1, 2, 3, 4, 5].map((i) => `chunk ${i}\n`).join(''));
  socket.destroy();
});

test.serial('drain (SIGTERM): no new connections, the in-flight stream finishes, then everything closes', async (t) => {
  const { socket } = await handshake();
  const agent = onSocket(socket);
  t.teardown(() => agent.destroy());
  let firstChunk!: () => void;
  const started = new Promise<void>((resolve) => (firstChunk = resolve));
  const body = new Promise<string>((resolve, reject) => {
    const req = http.request({ agent, path: '/stream', headers: { host: FOO } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => {
        text += d;
        firstChunk();
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
  await started;
  const drained = dp.dataplane.drain(5000);
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve('connected')));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  t.is(refused, 'ECONNREFUSED');
  t.is(await body, [0, 1, 2, 3, 4, 5].map((i) => `chunk ${i}\n`).join(''));
  await drained;
});
