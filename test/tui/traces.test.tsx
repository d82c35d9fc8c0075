// The lesson screen's trace view: span trees with the attributes a learner
// looks for, at 80x24, toggled with t; and the live service reading the real
// trace workload through the Service it finds in the cluster.
import test from 'ava';
import React from 'react';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { App } from '../../source/tui/app/App.js';
import { lineText } from '../../source/tui/common/lines.js';
import { traceLines, traceViewsFromJaeger } from '../../source/tui/traces/trace-lines.js';
import { fetchRecentTraces } from '../../source/tui/services/traces.js';
import type { ClusterClient } from '../../source/cluster/client.js';
import { fakeServices } from './helpers/fixtures.js';
import { keys, plainText, renderSized, waitForFrame } from './helpers/render.js';
import { freePort, startWorkload } from '../workloads/spawn-workload.js';

// Jaeger's /api/traces answer for two requests, as the trace service returns it.
const jaegerBody = {
  data: [
    {
      traceID: 'a1',
      processes: { p1: { serviceName: 'agentgateway', tags: [] } },
      warnings: null,
      spans: [
        {
          traceID: 'a1', spanID: 's1', flags: 1, operationName: 'POST /openai', references: [], startTime: 1_796_231_944_953_000, duration: 12_300, processID: 'p1', logs: [], warnings: null,
          tags: [
            { key: 'http.response.status_code', type: 'int64', value: 200 },
            { key: 'gateway.route', type: 'string', value: 'agentgateway-system/openai/0/0' },
            { key: 'gateway.response_flags', type: 'string', value: '-' },
            { key: 'gen_ai.request.model', type: 'string', value: 'gpt-4o-mini' },
            { key: 'gen_ai.usage.input_tokens', type: 'int64', value: 7 },
            { key: 'gen_ai.usage.output_tokens', type: 'int64', value: 4 },
          ],
        },
      ],
    },
    {
      traceID: 'b2',
      processes: { p1: { serviceName: 'agentgateway', tags: [] } },
      warnings: null,
      spans: [
        {
          traceID: 'b2', spanID: 's2', flags: 1, operationName: 'POST /openai', references: [], startTime: 1_796_231_945_953_000, duration: 800, processID: 'p1', logs: [], warnings: null,
          tags: [
            { key: 'http.response.status_code', type: 'int64', value: 401 },
            { key: 'gateway.response_flags', type: 'string', value: 'JW' },
            { key: 'otel.status_code', type: 'string', value: 'ERROR' },
            { key: 'error', type: 'bool', value: true },
            { key: 'otel.status_description', type: 'string', value: 'authorization failed: jwt: no bearer token' },
          ],
        },
        { traceID: 'b2', spanID: 's3', flags: 1, operationName: 'jwt verify', references: [{ refType: 'CHILD_OF', traceID: 'b2', spanID: 's2' }], startTime: 1_796_231_945_953_100, duration: 300, processID: 'p1', logs: [], warnings: null, tags: [] },
      ],
    },
  ],
};

test('trace lines: newest first, a span tree, status, route, flags, model, tokens and the error reason', (t) => {
  const text = traceLines({ traces: traceViewsFromJaeger(jaegerBody) }, 52).map(lineText);
  const refused = text.findIndex((l) => l.startsWith('✘ POST /openai 401'));
  const ok = text.findIndex((l) => l.startsWith('● POST /openai 200'));
  t.true(refused > 0 && ok > refused, text.join('\n'));
  t.regex(text[refused + 1]!, /^ {4}flags JW$/);
  t.regex(text[refused + 2]!, /^ {4}error authorization failed: jwt: no bearer token$/);
  t.regex(text[refused + 3]!, /^ {2}● jwt verify {2}0\.3 ms/, 'the child span is indented under its parent');
  t.regex(text[ok + 1]!, /route agentgateway-system\/openai\/0\/0/);
  t.regex(text[ok + 2]!, /model gpt-4o-mini · tokens 7 in, 4 out/);
  for (const line of text) t.true(line.length <= 52, line);
  // A long reason wraps under its span instead of being cut.
  const narrow = traceLines({ traces: traceViewsFromJaeger(jaegerBody) }, 30).map(lineText);
  const at = narrow.findIndex((l) => /^ {4}error authorization$/.test(l));
  t.deepEqual(narrow.slice(at, at + 3), ['    error authorization', '    failed: jwt: no bearer', '    token'], narrow.join('\n'));
  t.deepEqual(traceViewsFromJaeger({ data: 'nope' }), []);
  t.regex(traceLines({ traces: [], problem: 'No trace service' }, 52).map(lineText).join('\n'), /No trace service/);
});

test('t shows the traces in place of the step at 80x24, and t again brings the step back', async (t) => {
  const services = fakeServices({ recentTraces: async () => ({ traces: traceViewsFromJaeger(jaegerBody) }) });
  const ui = renderSized(<App services={services} initialStack={[{ name: 'home' }, { name: 'lesson', lessonId: 'sni-matching' }]} />, 80, 24);
  t.teardown(() => ui.instance.unmount());
  await waitForFrame(ui.lastFrame, (f) => f.includes('step 3/5'), 'the lesson');
  ui.stdin.write('t');
  const frame = await waitForFrame(ui.lastFrame, (f) => f.includes('POST /openai 401'), 'the trace view');
  const rows = plainText(frame).replace(/\n$/, '').split('\n');
  t.true(rows.length <= 24, `${rows.length} rows`);
  for (const row of rows) t.true([...row].length <= 80, row);
  t.regex(plainText(frame), /Traces/);
  t.regex(plainText(frame), /flags JW/);
  t.regex(plainText(frame), /t traces/, 'the footer names the key');
  ui.stdin.write('t');
  await waitForFrame(ui.lastFrame, (f) => f.includes('Two HTTPS listeners') && !f.includes('POST /openai'), 'the step again');
  t.pass();
});

test('the live trace service reads the real trace workload through the Service the cluster has', async (t) => {
  const [query, grpc, otlp] = [await freePort(), await freePort(), await freePort()];
  const jaeger = await startWorkload('jaeger', [], { AGW_PORT_MAP: `16686:${query},4317:${grpc},4318:${otlp}` }, 3);
  t.teardown(() => jaeger.stop());
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'agentgateway' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer('tui-test').startSpan('POST /openai', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 401, 'gateway.response_flags': 'JW' } });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'authorization failed: jwt: no bearer token' });
  span.end();
  const sent = await fetch(`http://127.0.0.1:${otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!) });
  t.is(sent.status, 200);
  // The Service as the embedded cluster has it: a ClusterIP, and (where the port moved) the port-map annotation.
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'observability', name: 'jaeger-query', annotations: { 'agw-workshop.dev/port-map': `16686:${query}` } }, spec: { clusterIP: '127.0.0.1' } };
  const client = { get: async () => service } as unknown as ClusterClient;
  const state = await fetchRecentTraces({ embedded: true }, () => client, 8);
  t.is(state.problem, undefined);
  t.is(state.traces.length, 1);
  t.true(state.traces[0]!.spans[0]!.error);
  t.is(state.traces[0]!.spans[0]!.attributes['otel.status_description'], 'authorization failed: jwt: no bearer token');

  const none = await fetchRecentTraces({ embedded: true }, () => ({ get: async () => undefined }) as unknown as ClusterClient, 8);
  t.regex(none.problem!, /Service observability\/jaeger-query does not exist/);
});
