// Our gateway's data plane (from dist/) with the SNI lab's two HTTPS
// listeners on one port, routing to the bench backend. The access log goes
// to a file, as a pod's stdout would.
// With an OTLP URL, every request also gets a span (gateway/tracing, sampling
// everything), exported to that collector; the spans the collector accepted are
// counted and written to <accessLogFile>.spans at exit ("<exported> <capped>": capped are the
// requests over the traces-per-second cap). TRACE_CAP=none traces every request (no cap).
// With GATEWAY_WORKERS=N (N > 1), multi-worker mode: a node:cluster primary forks N workers,
// each running this data plane on the same port (the primary holds the socket, each worker
// accepts on it: SCHED_NONE, the kernel spreads the connections); each worker appends
// to its own access log (<accessLogFile>.<worker id>).
// Usage: node gateway-target.mjs <backendPort> <certDir> <fooName> <barName> <port> <accessLogFile> [otlpUrl]. Prints "ready <port>".
import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { Dataplane } from '../dist/gateway/dataplane/index.js';
import { otlpHttpExporter, RequestTracing } from '../dist/gateway/tracing/request-tracing.js';

const [backendPort, dir, fooName, barName, port, accessLogFile, otlpUrl] = process.argv.slice(2);
const WORKERS = Number(process.env.GATEWAY_WORKERS ?? 1);
if (WORKERS > 1 && cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const workers = Array.from({ length: WORKERS }, () => cluster.fork());
  await Promise.all(workers.map((worker) => new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  })));
  process.stdout.write(`ready ${port}\n`);
  process.on('SIGTERM', () => {
    for (const worker of workers) worker.process.kill('SIGTERM');
    process.exit(0);
  });
  await new Promise(() => {});
}
const logFile = cluster.isWorker ? `${accessLogFile}.${cluster.worker.id}` : accessLogFile;
const out = fs.createWriteStream(logFile);
let exported = 0;
let tracing;
if (otlpUrl) {
  const inner = otlpHttpExporter(otlpUrl);
  const counting = {
    export: (spans, done) => inner.export(spans, (result) => {
      if (result.code === 0) exported += spans.length;
      done(result);
    }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  const maxTracesPerSecond = process.env.TRACE_CAP === 'none' ? Infinity : process.env.TRACE_CAP ? Number(process.env.TRACE_CAP) : undefined;
  tracing = new RequestTracing({ exporter: counting, maxTracesPerSecond, resource: { 'service.name': 'bench-gateway' } });
}
const dataplane = new Dataplane({ bindAddress: '127.0.0.1', accessLog: (line) => out.write(`${line}\n`), log: () => undefined, tracing });
const certificate = (name) => ({ source: `bench/${name}`, certPem: fs.readFileSync(path.join(dir, `${name}.crt`), 'utf8'), keyPem: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8') });
const backend = { kind: 'service', id: 'bench/backend:80', endpoints: [{ address: '127.0.0.1', port: Number(backendPort) }], protocol: 'http1' };
const listener = (name) => ({
  name,
  protocol: 'HTTPS',
  hostname: name,
  tls: { mode: 'Terminate', certificates: [certificate(name)], alpnProtocols: ['h2', 'http/1.1'] },
  routes: [
    {
      id: `bench/${name}/0/0`,
      route: { namespace: 'bench', name },
      hostnames: [name],
      match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
      filters: [],
      backends: [{ weight: 1, backend }],
      timeouts: { requestMs: 120_000 },
      policies: {},
    },
  ],
  tlsRoutes: [],
});
await dataplane.update({
  gateway: { namespace: 'bench', name: 'gateway' },
  version: 'bench-1',
  ports: [{ port: Number(port), transport: 'tls', listeners: [listener(fooName), listener(barName)] }],
});
if (cluster.isWorker) process.send('ready');
else process.stdout.write(`ready ${port}\n`);
process.on('SIGTERM', () => {
  if (!tracing) process.exit(0);
  tracing.shutdown().finally(() => {
    fs.writeFileSync(`${logFile}.spans`, `${exported} ${tracing.capped}`);
    process.exit(0);
  });
});
