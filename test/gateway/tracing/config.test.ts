// Tracing configuration in agentgateway's format, and the GenAI facts read from
// OpenAI chat requests and answers (JSON and server-sent events).
import test from 'ava';
import fc from 'fast-check';
import { exporterUrl, fieldSource, parseTracingConfig, tracingConfigFor } from '../../../gateway/tracing/config.js';
import { BodyCapture, parseChatRequest, parseChatResponse } from '../../../gateway/tracing/genai.js';
import { emptyTranslateInput } from '../../../gateway/translate/input-types.js';

const AGENTGATEWAY_DOC_CONFIG = `config:
  tracing:
    otlpEndpoint: http://jaeger-collector.observability.svc.cluster.local:4318
    otlpProtocol: http
    randomSampling: true
    fields:
      add:
        gen_ai.operation.name: '"chat"'
        gen_ai.system: "llm.provider"
        gen_ai.prompt: "llm.prompt"
        gen_ai.completion: 'llm.completion.map(c, {"role":"assistant", "content": c})'
        gen_ai.usage.completion_tokens: "llm.output_tokens"
        gen_ai.request: "flatten(llm.params)"
`;

test("agentgateway's documented tracing block parses; unknown CEL is reported, not guessed", (t) => {
  const { config, warnings } = parseTracingConfig(AGENTGATEWAY_DOC_CONFIG, 'ns/cm');
  t.truthy(config);
  t.is(config!.protocol, 'http');
  t.is(config!.samplingRatio, 1);
  t.deepEqual(config!.add['gen_ai.operation.name'], { kind: 'literal', value: 'chat' });
  t.deepEqual(config!.add['gen_ai.prompt'], { kind: 'llm', variable: 'prompt' });
  t.deepEqual(config!.add['gen_ai.completion'], { kind: 'llm', variable: 'completion' });
  t.deepEqual(config!.add['gen_ai.usage.completion_tokens'], { kind: 'llm', variable: 'outputTokens' });
  t.false('gen_ai.request' in config!.add);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /fields\.add\.gen_ai\.request: "flatten\(llm\.params\)" is a CEL expression this gateway does not evaluate/);
});

test('no tracing block, no endpoint or a bad ratio: off or defaulted, with a reason', (t) => {
  t.is(parseTracingConfig('config: {}', 's').config, undefined);
  const noEndpoint = parseTracingConfig('config:\n  tracing:\n    randomSampling: true\n', 's');
  t.is(noEndpoint.config, undefined);
  t.regex(noEndpoint.warnings[0]!, /no otlpEndpoint/);
  t.is(parseTracingConfig('config:\n  tracing:\n    otlpEndpoint: http://x:4318\n', 's').config!.protocol, 'grpc', "grpc is agentgateway's default");
  t.is(parseTracingConfig('config:\n  tracing:\n    otlpEndpoint: http://x:4318\n    randomSampling: 0.25\n', 's').config!.samplingRatio, 0.25);
  t.is(parseTracingConfig('config:\n  tracing:\n    otlpEndpoint: http://x:4318\n    randomSampling: "false"\n', 's').config!.samplingRatio, 0);
  const bad = parseTracingConfig('config:\n  tracing:\n    otlpEndpoint: http://x:4318\n    randomSampling: 7\n', 's');
  t.is(bad.config!.samplingRatio, 1);
  t.regex(bad.warnings[0]!, /neither a boolean nor a ratio/);
  t.regex(parseTracingConfig(': : :\n\t- [', 's').warnings[0]!, /not YAML/);
});

test('fieldSource knows literals and llm.* variables and nothing else', (t) => {
  t.deepEqual(fieldSource('"openai.chat"'), { kind: 'literal', value: 'openai.chat' });
  t.deepEqual(fieldSource('llm.requestModel'), { kind: 'llm', variable: 'requestModel' });
  t.deepEqual(fieldSource('flatten_recursive(llm.prompt)'), { kind: 'llm', variable: 'prompt' });
  t.deepEqual(fieldSource('request.path'), { kind: 'request', variable: 'path' });
  t.is(fieldSource('jwt.sub'), undefined);
  t.is(fieldSource('llm.prompt + "x"'), undefined);
});

test("the proxy reads its Gateway namespace's ConfigMap first, then the install's", (t) => {
  const cm = (namespace: string, endpoint: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name: 'agent-gateway-config' }, data: { 'config.yaml': `config:\n  tracing:\n    otlpEndpoint: ${endpoint}\n    otlpProtocol: http\n` } });
  const input = { ...emptyTranslateInput(), configMaps: [cm('agentgateway-system', 'http://install:4318'), cm('team', 'http://team:4318')] } as any;
  t.is(tracingConfigFor(input, 'team').config!.endpoint, 'http://team:4318');
  t.is(tracingConfigFor(input, 'other').config!.endpoint, 'http://install:4318');
  t.is(tracingConfigFor({ ...emptyTranslateInput(), configMaps: [] } as any, 'other').config, undefined);
});

test('a cluster Service name resolves to its ClusterIP; a bare endpoint gets /v1/traces', (t) => {
  const services = [{ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'observability', name: 'jaeger-collector' }, spec: { clusterIP: '127.9.96.4' } }] as any;
  t.is(exporterUrl('http://jaeger-collector.observability.svc.cluster.local:4318', services), 'http://127.9.96.4:4318/v1/traces');
  t.is(exporterUrl('http://jaeger-collector.observability:4318/custom/path', services), 'http://127.9.96.4:4318/custom/path');
  t.is(exporterUrl('http://collector.example.com:4318', services), 'http://collector.example.com:4318/v1/traces');
  t.is(exporterUrl('http://missing.observability.svc:4318', services), 'http://missing.observability.svc:4318/v1/traces');
});

test('a chat request gives model, stream and messages', (t) => {
  const facts = parseChatRequest(Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', stream: true, max_tokens: 50, messages: [{ role: 'user', content: 'Whats your favorite poem?' }, { role: 'user', content: [{ type: 'text', text: 'part' }] }] })));
  t.deepEqual(facts, { model: 'gpt-4o-mini', stream: true, maxTokens: 50, temperature: undefined, messages: [{ role: 'user', content: 'Whats your favorite poem?' }, { role: 'user', content: 'part' }] });
  t.is(parseChatRequest(Buffer.from('not json')), undefined);
});

test('a JSON answer and an SSE stream give the same facts', (t) => {
  const json = parseChatResponse(Buffer.from(JSON.stringify({ id: 'c1', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2 } })), 'application/json');
  const sse = parseChatResponse(
    Buffer.from(
      ['data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"Hello"}}]}', 'data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}]}', 'data: {"id":"c1","model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}', 'data: [DONE]', ''].join('\n\n'),
    ),
    undefined,
  );
  t.deepEqual(json, { id: 'c1', model: 'm', inputTokens: 5, outputTokens: 2, finishReasons: ['stop'], completion: ['Hello there'] });
  t.deepEqual(sse, json);
});

test('parsers of answers never throw and the capture stays bounded', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), fc.boolean(), (bytes, sse) => {
      parseChatResponse(Buffer.from(bytes), sse ? 'text/event-stream' : undefined);
      parseChatRequest(Buffer.from(bytes));
    }),
  );
  const capture = new BodyCapture(10);
  capture.push(Buffer.alloc(6));
  t.is(capture.bytes()!.length, 6);
  capture.push(Buffer.alloc(6));
  t.true(capture.overflowed);
  t.is(capture.bytes(), undefined);
});

test('the proxy follows its ConfigMap: on when configured (to the Service ClusterIP), rebuilt on change, off when removed, grpc refused with a reason', async (t) => {
  const { ConfiguredTracing } = await import('../../../gateway/tracing/configured-tracing.js');
  const logs: string[] = [];
  const configured = new ConfiguredTracing('agentgateway-system', (line) => logs.push(line));
  const cm = (protocol: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'agentgateway-system', name: 'agent-gateway-config' }, data: { 'config.yaml': `config:\n  tracing:\n    otlpEndpoint: http://jaeger-collector.observability.svc.cluster.local:4318\n    otlpProtocol: ${protocol}\n` } });
  const services = [{ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'observability', name: 'jaeger-collector' }, spec: { clusterIP: '127.7.96.1' } }];
  const input = (configMaps: unknown[]) => ({ ...emptyTranslateInput(), configMaps, services }) as any;
  configured.configure(input([cm('http')]));
  await configured.settled();
  const first = configured.tracing;
  t.truthy(first);
  t.regex(logs.at(-1)!, /exporting spans to http:\/\/127\.7\.96\.1:4318\/v1\/traces/);
  configured.configure(input([cm('http')]));
  await configured.settled();
  t.is(configured.tracing, first, 'the same configuration keeps the same exporter');
  configured.configure(input([cm('grpc')]));
  t.is(configured.tracing, undefined);
  t.true(logs.some((l) => /otlpProtocol grpc: this gateway exports OTLP\/HTTP only/.test(l)));
  configured.configure(input([cm('http')]));
  await configured.settled();
  t.truthy(configured.tracing);
  configured.configure(input([]));
  t.is(configured.tracing, undefined);
  t.is(logs.at(-1), 'tracing: off');
  await configured.shutdown();
});
