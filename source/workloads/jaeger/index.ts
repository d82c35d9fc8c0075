// `workload jaeger`: what pods of jaegertracing/all-in-one (and the v2 image
// jaegertracing/jaeger) run in the embedded cluster: an in-memory trace store
// fed by OTLP (HTTP on 4318: protobuf and JSON; gRPC on 4317) and read through
// jaeger-query's HTTP API and a page on 16686. Flags as all-in-one takes them:
// --memory.max-traces (default 1000 here; Jaeger's is unbounded); other flags
// are logged and ignored. Not emulated: Jaeger's own React UI, Zipkin and the
// legacy Jaeger Thrift ports, storage backends.
import http from 'node:http';
import { closeServer, listenOn, untilSignal } from '../common/listen.js';
import { createCollectorHandler, createGrpcCollector, createQueryHandler } from './server.js';
import { STORE_LIMITS, TraceStore } from './store.js';

export const JAEGER_PORTS = { query: 16686, otlpGrpc: 4317, otlpHttp: 4318 };

export function maxTracesFrom(argv: string[], log: (line: string) => void): number {
  let max = STORE_LIMITS.maxTraces;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const m = /^--?memory\.max-traces(?:=(.*))?$/.exec(word);
    if (m) {
      const value = Number(m[1] ?? argv[++i]);
      if (!Number.isInteger(value) || value <= 0) throw new Error(`invalid --memory.max-traces ${JSON.stringify(m[1] ?? argv[i])}`);
      max = Math.min(value, 100_000);
    } else if (word.startsWith('-')) log(`jaeger: ignoring flag ${word} (not emulated)`);
  }
  return max;
}

export async function main(argv: string[]): Promise<number> {
  const log = (line: string) => console.log(line);
  const store = new TraceStore({ ...STORE_LIMITS, maxTraces: maxTracesFrom(argv, log) });
  const collector = http.createServer((req, res) => {
    createCollectorHandler(store, log)(req, res).catch((error: Error) => {
      log(`collector error: ${error.message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const query = http.createServer(createQueryHandler(store));
  const grpc = createGrpcCollector(store, log);
  await listenOn(query, JAEGER_PORTS.query, 'jaeger-query (HTTP API and page)');
  await listenOn(collector, JAEGER_PORTS.otlpHttp, 'OTLP/HTTP receiver');
  await listenOn(grpc as unknown as http.Server, JAEGER_PORTS.otlpGrpc, 'OTLP/gRPC receiver');
  return untilSignal(async () => {
    await Promise.all([closeServer(query), closeServer(collector), closeServer(grpc as unknown as http.Server)]);
  });
}
