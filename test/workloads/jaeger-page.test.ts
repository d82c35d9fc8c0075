// The trace page of the jaeger workload in real headless Chromium (Debian's
// package): it lists recent traces, and one click on a trace shows its spans
// with their attributes (text that was not visible before the click). Writes a
// screenshot of the opened trace for people to look at.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { launchChromium, type Browser } from '../helpers/chromium.js';
import { freePort, startWorkload, type RunningWorkload } from './spawn-workload.js';

let jaeger: RunningWorkload;
let browser: Browser;
const ports = { query: 0, grpc: 0, http: 0 };

async function send(spans: ReturnType<InMemorySpanExporter['getFinishedSpans']>): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${ports.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!) });
  if (res.status !== 200) throw new Error(`collector answered ${res.status}`);
}

test.before(async () => {
  browser = await launchChromium();
  ports.query = await freePort();
  ports.grpc = await freePort();
  ports.http = await freePort();
  jaeger = await startWorkload('jaeger', [], { AGW_PORT_MAP: `16686:${ports.query},4317:${ports.grpc},4318:${ports.http}` }, 3);
});

test.after.always(async () => {
  await browser?.close();
  await jaeger?.stop();
});

test.serial('the page lists recent traces; a click shows the spans and their attributes', async (t) => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'agentgateway' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('page-test');
  const ok = tracer.startSpan('POST /openai', { kind: SpanKind.SERVER, attributes: { 'http.status': 200, 'gen_ai.prompt': '[{"role":"user","content":"Whats your favorite poem?"}]', 'llm.request.model': 'gpt-4o-mini', 'note': '<script>alert(1)</script>' } });
  ok.end();
  const refused = tracer.startSpan('POST /openai', { kind: SpanKind.SERVER, attributes: { 'http.status': 403 } });
  refused.setStatus({ code: SpanStatusCode.ERROR, message: 'authorization failed: jwt: no token' });
  refused.end();
  await send(exporter.getFinishedSpans());

  const page = await browser.open(`http://127.0.0.1:${ports.query}/`);
  const listed = await page.evaluate<{ traces: number; summaries: string[]; visible: string }>(
    `({ traces: document.querySelectorAll('details.trace').length, summaries: [...document.querySelectorAll('details.trace > summary')].map((s) => s.innerText), visible: document.body.innerText })`,
  );
  t.is(listed.traces, 2);
  t.regex(listed.summaries[0]!, /agentgateway: POST \/openai 403 error/, 'newest first, the refusal marked as an error');
  t.regex(listed.summaries[1]!, /agentgateway: POST \/openai 200/);
  t.notRegex(listed.visible, /gen_ai\.prompt/, 'attributes are hidden until a click');

  const okTraceId = ok.spanContext().traceId;
  const afterClick = await page.evaluate<{ open: boolean; visible: string; injected: number }>(
    `(() => { document.querySelector('details[data-trace-id="${okTraceId}"] > summary').click();
      return { open: document.querySelector('details[data-trace-id="${okTraceId}"]').open, visible: document.body.innerText, injected: document.querySelectorAll('.tags script').length }; })()`,
  );
  t.true(afterClick.open);
  t.regex(afterClick.visible, /gen_ai\.prompt\s+\[\{"role":"user","content":"Whats your favorite poem\?"\}\]/);
  t.regex(afterClick.visible, /llm\.request\.model\s+gpt-4o-mini/);
  t.regex(afterClick.visible, /<script>alert\(1\)<\/script>/, 'attribute values are shown as text, not markup');
  t.is(afterClick.injected, 0);

  const file = path.join(os.tmpdir(), `agw-jaeger-page-${process.pid}.png`);
  await page.screenshot(file);
  const png = fs.readFileSync(file);
  t.true(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG screenshot');
  t.log(`screenshot: ${file}`);
});

test.serial('/trace/{id} opens that trace', async (t) => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'linked' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer('page-test').startSpan('GET /linked');
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'authorization failed: jwt: no token' });
  span.end();
  await send(exporter.getFinishedSpans());
  const id = span.spanContext().traceId;
  const page = await browser.open(`http://127.0.0.1:${ports.query}/trace/${id}`);
  const open = await page.evaluate<string[]>(`[...document.querySelectorAll('details[open]')].map((d) => d.dataset.traceId)`);
  t.deepEqual(open, [id]);
  const visible = await page.evaluate<string>('document.body.innerText');
  t.regex(visible, /otel\.status_description\s+authorization failed: jwt: no token/);
});
