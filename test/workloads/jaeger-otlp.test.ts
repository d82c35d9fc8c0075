// The trace service's OTLP decoders (they parse whatever a client sends) and
// its bounded store. Spans are made by the OpenTelemetry SDK and encoded by
// OpenTelemetry's own serializers, so the decoders are checked against the
// real encodings, protobuf and JSON alike.
import test from 'ava';
import fc from 'fast-check';
import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeJsonTraces, decodeProtobufTraces, OtlpError, OTLP_LIMITS, type DecodedSpan } from '../../source/workloads/jaeger/otlp.js';
import { TraceStore, toJaeger } from '../../source/workloads/jaeger/store.js';

interface SpanSpec {
  name: string;
  attributes: Attributes;
  error?: string;
  child?: boolean;
}

function makeSpans(specs: SpanSpec[]) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc-under-test' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  let parent: Span | undefined;
  for (const spec of specs) {
    const parentContext = spec.child && parent ? trace.setSpan(context.active(), parent) : undefined;
    const span = tracer.startSpan(spec.name, { attributes: spec.attributes }, parentContext);
    if (spec.error) span.setStatus({ code: SpanStatusCode.ERROR, message: spec.error });
    span.end();
    parent = span;
  }
  return exporter.getFinishedSpans();
}

function comparable(spans: DecodedSpan[]) {
  return spans.map((s) => ({ ...s, startTimeUnixNano: String(s.startTimeUnixNano), endTimeUnixNano: String(s.endTimeUnixNano), events: s.events.map((e) => ({ ...e, timeUnixNano: String(e.timeUnixNano) })) }));
}

const attributeValue = fc.oneof(fc.string({ maxLength: 40 }), fc.boolean(), fc.integer({ min: -1e9, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((d) => !Number.isInteger(d)), fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }));
const spanSpec = fc.record({
  name: fc.string({ maxLength: 30 }),
  attributes: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), attributeValue, { maxKeys: 8 }),
  error: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  child: fc.boolean(),
});

test('protobuf and JSON encodings of the same SDK spans decode to the same spans, with every attribute', (t) => {
  fc.assert(
    fc.property(fc.array(spanSpec, { minLength: 1, maxLength: 5 }), (specs) => {
      const spans = makeSpans(specs);
      const fromProtobuf = decodeProtobufTraces(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!));
      const fromJson = decodeJsonTraces(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!));
      t.deepEqual(comparable(fromProtobuf), comparable(fromJson));
      t.is(fromProtobuf.length, spans.length);
      fromProtobuf.forEach((decoded, i) => {
        const original = spans[i]!;
        t.is(decoded.traceId, original.spanContext().traceId);
        t.is(decoded.spanId, original.spanContext().spanId);
        t.is(decoded.parentSpanId, original.parentSpanContext?.spanId ?? '');
        t.is(decoded.name, original.name);
        t.is(decoded.statusCode, original.status.code);
        t.deepEqual(Object.fromEntries(decoded.attributes.map((a) => [a.key, a.value])), original.attributes);
        t.true(decoded.resource.some((a) => a.key === 'service.name' && a.value === 'svc-under-test'));
      });
    }),
    { numRuns: 60 },
  );
});

test('arbitrary bytes end in an OtlpError or spans, never another exception', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      try {
        decodeProtobufTraces(Buffer.from(bytes));
      } catch (error) {
        if (!(error instanceof OtlpError)) throw error;
      }
    }),
    { numRuns: 2000 },
  );
  // Mutations of a valid request reach deeper than random bytes.
  const valid = Buffer.from(ProtobufTraceSerializer.serializeRequest(makeSpans([{ name: 'x', attributes: { a: 'b', n: 3, l: ['p', 'q'] } }]))!);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(valid.length), (edits, cut) => {
      const bytes = Buffer.from(valid).subarray(0, cut || valid.length);
      for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
      try {
        decodeProtobufTraces(bytes);
      } catch (error) {
        if (!(error instanceof OtlpError)) throw error;
      }
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('arbitrary JSON ends in an OtlpError or spans', (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
      try {
        decodeJsonTraces(Buffer.from(text));
      } catch (error) {
        if (!(error instanceof OtlpError)) throw error;
      }
    }),
    { numRuns: 1000 },
  );
  t.throws(() => decodeJsonTraces(Buffer.from('{')), { instanceOf: OtlpError });
});

test('nesting deeper than the limit is refused, not recursed into', (t) => {
  let value: unknown = { stringValue: 'leaf' };
  for (let i = 0; i < OTLP_LIMITS.maxDepth + 2; i++) value = { arrayValue: { values: [value] } };
  const body = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '01'.repeat(16), spanId: '02'.repeat(8), name: 'deep', attributes: [{ key: 'k', value }] }] }] }] };
  t.throws(() => decodeJsonTraces(Buffer.from(JSON.stringify(body))), { instanceOf: OtlpError, message: /nested deeper/ });
});

test('the store keeps the newest traces up to its bound and answers in Jaeger shape', (t) => {
  const store = new TraceStore({ maxTraces: 3, maxSpansPerTrace: 2, maxValueLength: 100 });
  for (let i = 0; i < 5; i++) store.add(decodeJsonTraces(Buffer.from(JsonTraceSerializer.serializeRequest(makeSpans([{ name: `op${i}`, attributes: { i } }]))!)));
  t.is(store.size, 3);
  const found = store.find({ service: 'svc-under-test' });
  t.deepEqual(found.map((trace) => trace.spans[0]!.operationName), ['op4', 'op3', 'op2']);
  t.deepEqual(store.find({ service: 'svc-under-test', tags: { i: '3' } }).map((x) => x.spans[0]!.operationName), ['op3']);
  t.deepEqual(store.find({ service: 'svc-under-test', limit: 1 }).length, 1);
  t.deepEqual(store.services(), ['svc-under-test']);
  t.deepEqual(store.operations('svc-under-test'), ['op2', 'op3', 'op4']);
  const [error] = makeSpans([{ name: 'refused', attributes: { 'http.status': 401 }, error: 'authorization failed: jwt: no token' }]);
  const decoded = decodeJsonTraces(Buffer.from(JsonTraceSerializer.serializeRequest([error!])!));
  const jaeger = toJaeger(decoded[0]!.traceId, decoded);
  const tags = Object.fromEntries(jaeger.spans[0]!.tags.map((tag) => [tag.key, tag]));
  t.deepEqual(tags['http.status'], { key: 'http.status', type: 'int64', value: 401 });
  t.deepEqual(tags.error, { key: 'error', type: 'bool', value: true });
  t.is(tags['otel.status_code']!.value, 'ERROR');
  t.is(tags['otel.status_description']!.value, 'authorization failed: jwt: no token');
  t.is(jaeger.processes[jaeger.spans[0]!.processID]!.serviceName, 'svc-under-test');
});
