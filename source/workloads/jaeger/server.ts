// The trace service's HTTP faces: OTLP/HTTP on the collector port (POST
// /v1/traces, protobuf or JSON), OTLP/gRPC's Export on 4317 (h2c), and on the
// query port Jaeger's query API plus a page listing recent traces.
import http from 'node:http';
import http2 from 'node:http2';
import { decodeJsonTraces, decodeProtobufTraces, OtlpError } from './otlp.js';
import { tracePage } from './page.js';
import type { TraceStore } from './store.js';

/** Export requests larger than this are refused with 413 (Jaeger's own default is 4 MiB for gRPC). */
export const MAX_OTLP_BODY_BYTES = 4 * 1024 * 1024;

function readBody(req: http.IncomingMessage | http2.Http2ServerRequest, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** OTLP/HTTP: 200 with an empty ExportTraceServiceResponse in the request's encoding. */
export function createCollectorHandler(store: TraceStore, log: (line: string) => void = () => undefined) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/v1/traces') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'POST' });
      res.end('405 method not allowed, supported: [POST]\n');
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const isJson = type === 'application/json';
    if (!isJson && type !== 'application/x-protobuf') {
      res.writeHead(415, { 'content-type': 'text/plain' });
      res.end(`415 unsupported media type, supported: [application/json, application/x-protobuf]\n`);
      return;
    }
    if ((req.headers['content-encoding'] ?? 'identity') !== 'identity') {
      res.writeHead(415, { 'content-type': 'text/plain' });
      res.end(`415 unsupported content encoding ${req.headers['content-encoding']}\n`);
      return;
    }
    const body = await readBody(req, MAX_OTLP_BODY_BYTES);
    if (body === 'too-large') {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`request body larger than ${MAX_OTLP_BODY_BYTES} bytes\n`);
      return;
    }
    try {
      const spans = isJson ? decodeJsonTraces(body) : decodeProtobufTraces(body);
      store.add(spans);
    } catch (error) {
      if (!(error instanceof OtlpError)) throw error;
      log(`rejected an OTLP request: ${error.message}`);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`${error.message}\n`);
      return;
    }
    if (isJson) json(res, 200, {});
    else {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
      res.end();
    }
  };
}

/** OTLP/gRPC: one unary method, TraceService/Export, over h2c. */
export function createGrpcCollector(store: TraceStore, log: (line: string) => void = () => undefined): http2.Http2Server {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const trailers = (code: number, message: string) => {
      if (!stream.headersSent) stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(code), ...(message ? { 'grpc-message': encodeURIComponent(message) } : {}) }));
      stream.end(code === 0 ? Buffer.from([0, 0, 0, 0, 0]) : undefined);
    };
    if (headers[':path'] !== '/opentelemetry.proto.collector.trace.v1.TraceService/Export') {
      trailers(12, `unknown method ${headers[':path']}`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_OTLP_BODY_BYTES + 5) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (size > MAX_OTLP_BODY_BYTES + 5) return trailers(8, 'message larger than the limit');
      const frame = Buffer.concat(chunks);
      if (frame.length < 5) return trailers(13, 'missing gRPC message frame');
      if (frame[0] !== 0) return trailers(12, 'compressed messages are not supported');
      const length = frame.readUInt32BE(1);
      if (length !== frame.length - 5) return trailers(13, 'gRPC frame length does not match the body');
      try {
        store.add(decodeProtobufTraces(frame.subarray(5)));
      } catch (error) {
        if (!(error instanceof OtlpError)) throw error;
        log(`rejected an OTLP/gRPC request: ${error.message}`);
        return trailers(3, error.message);
      }
      trailers(0, '');
    });
    stream.on('error', () => undefined);
  });
  server.on('sessionError', () => undefined);
  return server;
}

const ID = /^[0-9a-fA-F]{1,32}$/;
/** Traces listed on the page. */
const PAGE_TRACES = 50;

/** jaeger-query: the HTTP API under /api and the page at /. */
export function createQueryHandler(store: TraceStore) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://jaeger-query');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 405, msg: 'method not allowed' }] });
      return;
    }
    if (path === '/api/services') {
      const data = store.services();
      json(res, 200, { data, total: data.length, limit: 0, offset: 0, errors: null });
      return;
    }
    const operations = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
    if (operations) {
      const data = store.operations(decodeURIComponent(operations[1]!));
      json(res, 200, { data, total: data.length, limit: 0, offset: 0, errors: null });
      return;
    }
    if (path === '/api/traces') {
      const service = url.searchParams.get('service');
      if (!service) {
        json(res, 400, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg: "parameter 'service' is required" }] });
        return;
      }
      let tags: Record<string, string> | undefined;
      const tagsText = url.searchParams.get('tags');
      if (tagsText) {
        try {
          const parsed: unknown = JSON.parse(tagsText);
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
          tags = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
        } catch (error) {
          json(res, 400, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg: `malformed 'tags' parameter: ${(error as Error).message}` }] });
          return;
        }
      }
      const number = (name: string) => {
        const v = url.searchParams.get(name);
        return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
      };
      const data = store.find({ service, operation: url.searchParams.get('operation') ?? undefined, start: number('start'), end: number('end'), limit: number('limit'), tags });
      json(res, 200, { data, total: data.length, limit: 0, offset: 0, errors: null });
      return;
    }
    const one = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (one) {
      const id = one[1]!;
      const trace = ID.test(id) ? store.get(id) : undefined;
      if (!trace) {
        json(res, 404, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
        return;
      }
      json(res, 200, { data: [trace], total: 0, limit: 0, offset: 0, errors: null });
      return;
    }
    if (path === '/' || path === '/search' || path.startsWith('/trace/')) {
      const open = path.startsWith('/trace/') ? path.slice(7).toLowerCase() : undefined;
      const traces = store.recent(PAGE_TRACES);
      const one = open && ID.test(open) ? store.get(open) : undefined;
      if (one && !traces.some((t) => t.traceID === one.traceID)) traces.unshift(one);
      const html = tracePage(traces, one?.traceID);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    json(res, 404, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: '404 page not found' }] });
  };
}
