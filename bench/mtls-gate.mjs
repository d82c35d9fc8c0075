// Client-certificate gate: what it costs, and that it costs nothing where it
// is not used. One data plane (dist/gateway, or BENCH_DIST's) on one TLS port
// with three listeners: `plain` (no client validation: node's native socket
// path), `fallback` (AllowInsecureFallback: node:tls asks for a certificate,
// no gate) and `strict` (AllowValidOnly: through the ClientCertGate).
// Sequential TLS 1.3 handshakes with a client certificate, one connection
// each, interleaved per round so machine load hits every listener alike;
// median ms per handshake. BENCH_DIST=/path/to/other/dist measures another
// build with the same script (e.g. the branch before the gate) for `plain`.
// Env: BENCH_ROUNDS (default 5), BENCH_HANDSHAKES per listener per round (default 40).
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = process.env.BENCH_DIST ?? path.resolve(here, '..', 'dist');
const ROUNDS = Math.max(1, Math.min(20, Number(process.env.BENCH_ROUNDS ?? 5)));
const HANDSHAKES = Math.max(5, Math.min(500, Number(process.env.BENCH_HANDSHAKES ?? 40)));

const { Dataplane } = await import(pathToFileURL(path.join(dist, 'gateway/dataplane/index.js')).href);
const { issueCertificate } = await import(pathToFileURL(path.join(dist, 'source/pki/index.js')).href);

const ca = issueCertificate({ subject: '/CN=bench CA' });
const client = issueCertificate({ subject: '/CN=bench client', usage: 'client', issuer: ca });
const names = ['plain', 'fallback', 'strict'];
const server = issueCertificate({ subject: '/CN=bench', subjectAltNames: names.map((n) => `${n}.bench`), issuer: ca });

const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const listener = (name, mode) => ({
  name,
  protocol: 'HTTPS',
  hostname: `${name}.bench`,
  tls: {
    mode: 'Terminate',
    certificates: [{ source: 'bench/server', certPem: server.certPem, keyPem: server.keyPem }],
    alpnProtocols: ['http/1.1'],
    ...(mode ? { frontendValidation: { caPem: ca.certPem, mode } } : {}),
  },
  routes: [],
  tlsRoutes: [],
});
const dataplane = new Dataplane({ bindAddress: '127.0.0.1', accessLog: () => undefined, log: () => undefined });
await dataplane.update({
  gateway: { namespace: 'bench', name: 'bench' },
  version: 'bench',
  ports: [{ port, transport: 'tls', listeners: [listener('plain'), listener('fallback', 'AllowInsecureFallback'), listener('strict', 'AllowValidOnly')] }],
});

function handshake(name) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = tls.connect({ host: '127.0.0.1', port, servername: `${name}.bench`, ca: ca.certPem, cert: client.certPem, key: client.keyPem, minVersion: 'TLSv1.3' });
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`${name}: handshake timed out`))), 10_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      socket.destroy();
      resolve(ms);
    });
    socket.once('error', (error) => (clearTimeout(timer), reject(error)));
  });
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (let i = 0; i < 5; i++) for (const n of names) await handshake(n); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const n of names) for (let i = 0; i < HANDSHAKES; i++) samples[n].push(await handshake(n));
}
await dataplane.close();
console.log(`dist: ${dist}`);
for (const n of names) console.log(`${n.padEnd(9)} median ${median(samples[n]).toFixed(2)} ms per handshake (${samples[n].length} handshakes)`);
console.log(`strict/plain ${(median(samples.strict) / median(samples.plain)).toFixed(2)}x`);
