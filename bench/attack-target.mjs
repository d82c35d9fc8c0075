// The data plane under attack, for bench/proxy-attack.mjs: one build's
// Dataplane (argv[2] = its dist directory) with default limits, an HTTP port
// and a TLS port (listener foo, h2 + http/1.1), both routing to the attack
// backend. It waits for {type:'start'} before reading its limits (so the bench
// can lower its descriptor limit first), then answers {type:'stats'} with
// its memory (V8 heap used and total, external, arrayBuffers, free HTTP
// parsers node keeps), and {type:'gc'} after a full GC. BENCH_PARSER_POOL=N
// caps node's free list of HTTP parsers (default 1000), and BENCH_NO_GC=1
// makes {type:'gc'} only report, for proxy-memory.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, httpPort, tlsPort, backendPort, certDir] = process.argv.slice(2);
import { createRequire } from 'node:module';

let accessLines = 0;
// node keeps up to 1000 freed HTTP parsers for reuse (_http_common's FreeList): ~1.8 KB of native memory each.
const parsers = createRequire(import.meta.url)('_http_common').parsers;
if (process.env.BENCH_PARSER_POOL) parsers.max = Number(process.env.BENCH_PARSER_POOL);
// RSS, descriptors and CPU are read by the bench from /proc (they must work when this process has no descriptor left).
const stats = (id) => ({ type: 'stats', id, ...safeMemory(), accessLines, parsersKept: parsers.list.length });
/** The V8 heap and the memory V8 knows outside it (Buffers, ArrayBuffers); undefined fields when out of descriptors. */
function safeMemory() {
  try {
    const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    return { heapUsed, heapTotal, external, arrayBuffers };
  } catch {
    return {};
  }
}
process.on('message', async (message) => {
  if (message.type === 'start') {
    const { Dataplane } = await import(pathToFileURL(path.join(dist, 'gateway', 'dataplane', 'index.js')).href);
    const dataplane = new Dataplane({ bindAddress: '127.0.0.1', accessLog: () => void accessLines++, log: () => undefined });
    const backend = { kind: 'service', id: 'bench/backend:80', endpoints: [{ address: '127.0.0.1', port: Number(backendPort) }], protocol: 'http1' };
    const route = (name) => ({
      id: `bench/${name}/0/0`,
      route: { namespace: 'bench', name },
      hostnames: [],
      match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
      filters: [],
      backends: [{ weight: 1, backend }],
      timeouts: { requestMs: 120_000 },
      policies: {},
    });
    const read = (f) => fs.readFileSync(path.join(certDir, f), 'utf8');
    await dataplane.update({
      gateway: { namespace: 'bench', name: 'attacked' },
      version: 'attack-1',
      ports: [
        { port: Number(httpPort), transport: 'http', listeners: [{ name: 'http', protocol: 'HTTP', routes: [route('http')], tlsRoutes: [] }] },
        {
          port: Number(tlsPort),
          transport: 'tls',
          listeners: [
            {
              name: 'foo',
              protocol: 'HTTPS',
              hostname: 'foo.attack.test',
              tls: { mode: 'Terminate', certificates: [{ source: 'bench/foo', certPem: read('foo.crt'), keyPem: read('foo.key') }], alpnProtocols: ['h2', 'http/1.1'] },
              routes: [route('foo')],
              tlsRoutes: [],
            },
          ],
        },
      ],
    });
    process.send({ type: 'ready', id: message.id });
  } else if (message.type === 'stats') {
    process.send(stats(message.id));
  } else if (message.type === 'gc') {
    // BENCH_NO_GC=1: answer without collecting, to see what the proxy returns on its own.
    if (!process.env.BENCH_NO_GC) globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!process.env.BENCH_NO_GC) globalThis.gc?.();
    process.send(stats(message.id));
  }
});
process.send({ type: 'loaded' });
