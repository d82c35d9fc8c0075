// The proxy's request spans, end to end on loopback: a data plane with
// RequestTracing (the OTel SDK and its OTLP/HTTP exporter) sends to the real
// `workload jaeger` process, and the assertions read Jaeger's query API as a
// Jaeger client would. Covers an AI route (GenAI attributes, content only when
// configured), a JWT rejection (an error span with status and reason), a plain
// service route, OTLP protobuf and gRPC from OpenTelemetry's own serializer,
// and a collector that is down (requests unaffected, spans dropped).
import test from 'ava';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Dataplane } from '../../../gateway/dataplane/index.js';
import type { BackendIR, JwtPolicyIR } from '../../../gateway/ir/types.js';
import { otlpHttpExporter, RequestTracing } from '../../../gateway/tracing/request-tracing.js';
import { freePort, gatewayIR, httpListener, route, service, startEchoBackend } from '../dataplane/helpers.js';
import { startWorkload, type RunningWorkload } from '../../workloads/spawn-workload.js';

let jaeger: RunningWorkload;
const ports = { query: 0, grpc: 0, http: 0 };
let openai: http.Server;
let openaiPort = 0;
let echo: Awaited<ReturnType<typeof startEchoBackend>>;

function fakeOpenAi(): Promise<number> {
  openai = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const request = JSON.parse(body) as { model: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: request.model, choices: [{ index: 0, message: { role: 'assistant', content: 'Roses are red.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 } }));
    });
  });
  return new Promise((resolve) => openai.listen(0, '127.0.0.1', () => resolve((openai.address() as net.AddressInfo).port)));
}

async function getJson(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${ports.query}${path}`);
  return { status: res.status, body: await res.json() };
}

function request(port: number, path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A data plane with tracing to `url`, serving /ai (an AI backend), /secure (JWT) and /echo. */
async function tracedGateway(tracing: RequestTracing) {
  const dataplane = new Dataplane({ bindAddress: '127.0.0.1', accessLog: () => undefined, log: () => undefined, tracing });
  const port = await freePort();
  const ai: BackendIR = { kind: 'ai', id: 'agentgateway-system/openai', provider: 'openai', endpoints: [{ address: '127.0.0.1', port: openaiPort }], host: 'api.openai.com', path: '/v1/chat/completions', auth: { type: 'passthrough' } };
  const jwt: JwtPolicyIR = { source: 'agentgateway-system/jwt', mode: 'Strict', providers: [{ name: 'selfminted', issuer: 'solo.io', jwks: { keys: [] } }] };
  await dataplane.update(
    gatewayIR([
      {
        port,
        transport: 'http',
        listeners: [
          httpListener('http', undefined, [
            route('agentgateway-system/openai/0/0', { path: { type: 'PathPrefix', value: '/openai' }, backend: ai }),
            route('agentgateway-system/secure/0/0', { path: { type: 'PathPrefix', value: '/secure' }, backend: ai, policies: { jwt } }),
            route('agentgateway-system/echo/0/0', { path: { type: 'PathPrefix', value: '/echo' }, backend: service('agentgateway-system/echo:80', echo.port) }),
          ]),
        ],
      },
    ]),
  );
  return { dataplane, port };
}

const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Whats your favorite poem?' }] });

function tagsOf(span: any): Record<string, any> {
  return Object.fromEntries(span.tags.map((tag: any) => [tag.key, tag.value]));
}

test.before(async () => {
  ports.query = await freePort();
  ports.grpc = await freePort();
  ports.http = await freePort();
  jaeger = await startWorkload('jaeger', ['--memory.max-traces=100'], { AGW_PORT_MAP: `16686:${ports.query},4317:${ports.grpc},4318:${ports.http}` }, 3);
  openaiPort = await fakeOpenAi();
  echo = await startEchoBackend('echo');
});

test.after.always(async () => {
  await jaeger?.stop();
  openai?.close();
  echo?.server.close();
});

test('spans of an AI request, a JWT rejection and a service request reach Jaeger with their attributes', async (t) => {
  const tracing = new RequestTracing({
    exporter: otlpHttpExporter(`http://127.0.0.1:${ports.http}/v1/traces`),
    resource: { 'service.name': 'gw-content' },
    add: { 'gen_ai.prompt': { kind: 'llm', variable: 'prompt' }, 'gen_ai.completion': { kind: 'llm', variable: 'completion' } },
  });
  const gw = await tracedGateway(tracing);
  try {
    t.is((await request(gw.port, '/openai', { method: 'POST', body: chat, headers: { 'content-type': 'application/json' } })).status, 200);
    t.is((await request(gw.port, '/secure', { method: 'POST', body: chat, headers: { 'content-type': 'application/json' } })).status, 401);
    t.is((await request(gw.port, '/echo/x?y=1', { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } })).status, 200);
    await tracing.flush();

    const services = await getJson('/api/services');
    t.true(services.body.data.includes('gw-content'));
    const { status, body } = await getJson('/api/traces?service=gw-content&limit=10');
    t.is(status, 200);
    t.is(body.errors, null);
    t.is(body.data.length, 3);
    const byPath = new Map<string, any>(body.data.map((trace: any) => [tagsOf(trace.spans[0])['url.path'], trace]));

    const ai = tagsOf(byPath.get('/openai').spans[0]);
    t.like(ai, {
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'http.status': 200,
      'http.route': '/openai',
      'gateway.listener': 'http',
      'gateway.route': 'agentgateway-system/openai/0/0',
      'gateway.response_flags': '-',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'llm.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 4,
      'llm.request.tokens': 7,
      'span.kind': 'server',
    });
    t.is(ai['gen_ai.prompt'], JSON.stringify([{ role: 'user', content: 'Whats your favorite poem?' }]));
    t.is(ai['gen_ai.completion'], JSON.stringify([{ role: 'assistant', content: 'Roses are red.' }]));
    t.is(ai.error, undefined);
    t.is(byPath.get('/openai').spans[0].operationName, 'POST /openai');

    const refused = tagsOf(byPath.get('/secure').spans[0]);
    t.like(refused, { 'http.status': 401, 'http.response.status_code': 401, 'gateway.response_flags': 'JW', error: true, 'otel.status_code': 'ERROR', 'error.type': 'authorization failed' });
    t.regex(refused['otel.status_description'], /^authorization failed: jwt: /);

    const echoed = byPath.get('/echo/x');
    t.is(echoed.traceID, '0af7651916cd43dd8448eb211c80319c', 'the incoming traceparent is the parent');
    t.deepEqual(echoed.spans[0].references, [{ refType: 'CHILD_OF', traceID: '0af7651916cd43dd8448eb211c80319c', spanID: 'b7ad6b7169203331' }]);
    t.like(tagsOf(echoed.spans[0]), { 'url.query': 'y=1', 'gateway.upstream': `127.0.0.1:${echo.port}` });
    t.is(tagsOf(echoed.spans[0])['gen_ai.operation.name'], undefined, 'no GenAI attributes off AI routes');

    // Jaeger's query API shape: one trace by id, processes, microsecond times.
    const one = await getJson(`/api/traces/${byPath.get('/openai').traceID}`);
    t.is(one.status, 200);
    const trace = one.body.data[0];
    t.deepEqual(Object.keys(trace).sort(), ['processes', 'spans', 'traceID', 'warnings']);
    const span = trace.spans[0];
    t.deepEqual(Object.keys(span).sort(), ['duration', 'flags', 'logs', 'operationName', 'processID', 'references', 'spanID', 'startTime', 'tags', 'traceID', 'warnings']);
    t.regex(span.spanID, /^[0-9a-f]{16}$/);
    t.true(Math.abs(span.startTime - Date.now() * 1000) < 60_000_000, 'startTime is in microseconds since the epoch');
    t.is(trace.processes[span.processID].serviceName, 'gw-content');
    for (const tag of span.tags) t.true(['string', 'bool', 'int64', 'float64'].includes(tag.type));
  } finally {
    await gw.dataplane.close();
    await tracing.shutdown();
  }
});

test('prompt and completion are recorded only when the configuration asks for them', async (t) => {
  const tracing = new RequestTracing({ exporter: otlpHttpExporter(`http://127.0.0.1:${ports.http}/v1/traces`), resource: { 'service.name': 'gw-no-content' } });
  const gw = await tracedGateway(tracing);
  try {
    t.is((await request(gw.port, '/openai', { method: 'POST', body: chat, headers: { 'content-type': 'application/json' } })).status, 200);
    await tracing.flush();
    const { body } = await getJson('/api/traces?service=gw-no-content');
    const tags = tagsOf(body.data[0].spans[0]);
    t.is(tags['gen_ai.request.model'], 'gpt-4o-mini');
    t.is(tags['gen_ai.prompt'], undefined);
    t.is(tags['gen_ai.completion'], undefined);
  } finally {
    await gw.dataplane.close();
    await tracing.shutdown();
  }
});

test('query API errors have Jaeger shape', async (t) => {
  const missing = await getJson('/api/traces');
  t.is(missing.status, 400);
  t.deepEqual(missing.body.errors, [{ code: 400, msg: "parameter 'service' is required" }]);
  const notFound = await getJson(`/api/traces/${'ab'.repeat(16)}`);
  t.is(notFound.status, 404);
  t.deepEqual(notFound.body, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
});

function sdkSpans(service: string) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer('t').startSpan('sent-as-protobuf', { attributes: { 'http.status': 403 } });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'authorization failed' });
  span.end();
  return exporter.getFinishedSpans();
}

test('the collector takes OTLP protobuf over HTTP and over gRPC', async (t) => {
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(sdkSpans('proto-http'))!);
  const res = await fetch(`http://127.0.0.1:${ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  t.is(res.status, 200);
  const bad = await fetch(`http://127.0.0.1:${ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0xff, 0xff]) });
  t.is(bad.status, 400);
  t.is((await fetch(`http://127.0.0.1:${ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status, 415);

  const message = Buffer.from(ProtobufTraceSerializer.serializeRequest(sdkSpans('proto-grpc'))!);
  const frame = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), message]);
  frame.writeUInt32BE(message.length, 1);
  const session = http2.connect(`http://127.0.0.1:${ports.grpc}`);
  const grpcStatus = await new Promise<string | undefined>((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export', 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('trailers', (trailers) => resolve(trailers['grpc-status'] as string | undefined));
    stream.on('error', reject);
    stream.resume();
    stream.end(frame);
  });
  session.close();
  t.is(grpcStatus, '0');

  for (const service of ['proto-http', 'proto-grpc']) {
    const { body: found } = await getJson(`/api/traces?service=${service}`);
    t.is(found.data.length, 1, service);
    t.like(tagsOf(found.data[0].spans[0]), { 'http.status': 403, error: true, 'otel.status_description': 'authorization failed' });
  }
});

test('a collector that is down costs requests nothing: they succeed and the spans are dropped', async (t) => {
  const closedPort = await freePort();
  const tracing = new RequestTracing({ exporter: otlpHttpExporter(`http://127.0.0.1:${closedPort}/v1/traces`), resource: { 'service.name': 'gw-down' } });
  const gw = await tracedGateway(tracing);
  try {
    for (let i = 0; i < 20; i++) t.is((await request(gw.port, '/echo/down')).status, 200);
    const started = Date.now();
    // The SDK rejects a flush whose export failed with the list of errors.
    const failure = await tracing.flush().then(() => undefined, (reason: unknown) => reason);
    t.regex(JSON.stringify(failure) ?? '', /ECONNREFUSED/);
    t.true(Date.now() - started < 15_000, 'a flush to a closed port ends, bounded by the export timeout and its retries');
    const { body } = await getJson('/api/traces?service=gw-down');
    t.deepEqual(body.data, []);
  } finally {
    await gw.dataplane.close();
    await tracing.shutdown();
  }
});

test('at most maxTracesPerSecond requests a second are traced, a client-sampled traceparent included; the bucket refills with time', async (t) => {
  const memory = new InMemorySpanExporter();
  let clock = 0;
  const tracing = new RequestTracing({ exporter: memory, maxTracesPerSecond: 3, now: () => clock, resource: { 'service.name': 'gw-cap' } });
  const gw = await tracedGateway(tracing);
  try {
    const sampledParent = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    for (let i = 0; i < 10; i++) t.is((await request(gw.port, '/echo/cap', { headers: i % 2 ? sampledParent : {} })).status, 200);
    await tracing.flush();
    t.is(memory.getFinishedSpans().length, 3, 'the first three of the second were traced');
    t.is(tracing.capped, 7);
    clock += 1000 / 3; // a third of a second: one token back
    for (let i = 0; i < 2; i++) t.is((await request(gw.port, '/echo/cap')).status, 200);
    await tracing.flush();
    t.is(memory.getFinishedSpans().length, 4);
    t.is(tracing.capped, 8);
    t.like(memory.getFinishedSpans()[0]!.attributes, { 'url.path': '/echo/cap', 'http.response.status_code': 200 });
  } finally {
    await gw.dataplane.close();
    await tracing.shutdown();
  }
});
