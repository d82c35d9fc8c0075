// The llm-d-inference-sim workload as a real process on loopback, hit with undici.
import test from 'ava';
import { request } from 'undici';
import { freePort, runFailingWorkload, startWorkload, type RunningWorkload } from './spawn-workload.js';
import { parseSimConfig } from '../../source/workloads/inference-sim/config.js';

const host = '127.0.0.1';
let sim: RunningWorkload;
let base: string;

test.before(async () => {
  const port = await freePort(host);
  sim = await startWorkload('inference-sim', ['--model', 'mock-gpt-4o', '--port', String(port), '--max-loras', '2', '--lora-modules', '{"name": "food-review-1"}', '{"name":"food-review-2"}', '--mode', 'echo', '--inter-token-latency', '40'], { AGW_POD_IP: host, POD_NAME: 'sim-pod', POD_NAMESPACE: 'lab' });
  base = `http://${host}:${sim.listening[0]!.port}`;
});
test.after.always(async () => {
  await sim?.stop();
});

const chat = (body: unknown) => request(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('it binds the pod address and the --port it was given', (t) => {
  t.deepEqual(sim.listening[0]!.host, host);
  t.true(base.endsWith(String(sim.listening[0]!.port)));
});

test('/v1/models lists the base model and the LoRA adapters', async (t) => {
  const response = await request(`${base}/v1/models`);
  t.is(response.statusCode, 200);
  const body = (await response.body.json()) as { object: string; data: Array<{ id: string; parent: string | null }> };
  t.is(body.object, 'list');
  t.deepEqual(body.data.map((m) => [m.id, m.parent]), [['mock-gpt-4o', null], ['food-review-1', 'mock-gpt-4o'], ['food-review-2', 'mock-gpt-4o']]);
});

test('a non-streaming chat completion echoes the last user message with usage counts', async (t) => {
  const response = await chat({ model: 'mock-gpt-4o', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'Whats your favorite poem?' }] });
  t.is(response.statusCode, 200);
  t.is(response.headers['x-inference-pod'], 'sim-pod');
  t.is(response.headers['x-inference-namespace'], 'lab');
  const body = (await response.body.json()) as any;
  t.is(body.object, 'chat.completion');
  t.regex(body.id, /^chatcmpl-/);
  t.is(body.model, 'mock-gpt-4o');
  t.true(Number.isInteger(body.created));
  t.deepEqual(body.choices, [{ index: 0, message: { role: 'assistant', content: 'Whats your favorite poem?' }, finish_reason: 'stop' }]);
  t.deepEqual(body.usage, { prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
});

test('a LoRA name is a valid model; an unknown model is a 404 OpenAI-style error', async (t) => {
  const lora = await chat({ model: 'food-review-2', messages: [{ role: 'user', content: 'hi' }] });
  t.is(lora.statusCode, 200);
  t.is(((await lora.body.json()) as any).model, 'food-review-2');
  const unknown = await chat({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] });
  t.is(unknown.statusCode, 404);
  const error = (await unknown.body.json()) as any;
  t.is(error.error.type, 'NotFoundError');
  t.is(error.error.code, 404);
  t.regex(error.error.message, /gpt-5/);
});

test('stream: true sends chat.completion.chunk events one by one, ending with [DONE]', async (t) => {
  const response = await chat({ model: 'mock-gpt-4o', stream: true, messages: [{ role: 'user', content: 'one two three four five six seven eight' }] });
  t.is(response.statusCode, 200);
  t.regex(String(response.headers['content-type']), /^text\/event-stream/);
  const arrivals: Array<{ at: number; text: string }> = [];
  for await (const chunk of response.body) arrivals.push({ at: performance.now(), text: (chunk as Buffer).toString() });
  const events = arrivals.map((a) => a.text).join('').split('\n\n').filter(Boolean);
  t.is(events.at(-1), 'data: [DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')) as any);
  t.true(chunks.every((c) => c.object === 'chat.completion.chunk'));
  t.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  t.is(chunks.map((c) => c.choices[0].delta.content ?? '').join(''), 'one two three four five six seven eight');
  t.is(chunks.at(-1).choices[0].finish_reason, 'stop');
  // Each token was flushed on its own, 40 ms apart (--inter-token-latency 40): 7 gaps = 280 ms from the
  // first token to the last. Reads may coalesce under load, so ask for several reads and half the spread.
  t.true(arrivals.length >= 4, `expected the stream to arrive in several reads, got ${arrivals.length}`);
  const spread = arrivals.at(-1)!.at - arrivals[0]!.at;
  t.true(spread >= 140, `tokens were spread over time (${Math.round(spread)} ms)`);
});

test('/v1/completions and /health answer', async (t) => {
  const response = await request(`${base}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock-gpt-4o', prompt: 'Hello there', max_tokens: 1 }) });
  const body = (await response.body.json()) as any;
  t.is(body.object, 'text_completion');
  t.is(body.choices[0].text, 'Hello');
  t.is(body.choices[0].finish_reason, 'length');
  t.deepEqual(body.usage, { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 });
  t.is((await request(`${base}/health`)).statusCode, 200);
});

test('LoRA adapters load and unload at runtime, and /metrics reports vLLM gauges', async (t) => {
  const post = (path: string, body: unknown) => request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  t.is((await post('/v1/load_lora_adapter', { lora_name: 'tweet-summary', lora_path: '/adapters/tweet' })).statusCode, 200);
  t.is((await post('/v1/load_lora_adapter', { lora_name: 'tweet-summary' })).statusCode, 400, 'loading twice is an error');
  const ids = async () => (((await (await request(`${base}/v1/models`)).body.json()) as any).data as Array<{ id: string }>).map((m) => m.id);
  t.true((await ids()).includes('tweet-summary'));
  t.is((await chat({ model: 'tweet-summary', messages: [{ role: 'user', content: 'x' }] })).statusCode, 200);
  t.is((await post('/v1/unload_lora_adapter', { lora_name: 'tweet-summary' })).statusCode, 200);
  t.false((await ids()).includes('tweet-summary'));
  t.is((await chat({ model: 'tweet-summary', messages: [{ role: 'user', content: 'x' }] })).statusCode, 404);
  const metrics = await (await request(`${base}/metrics`)).body.text();
  t.regex(metrics, /^vllm:num_requests_running\{model_name="mock-gpt-4o"\} \d+$/m); // other tests of this file may be running
  t.regex(metrics, /^vllm:lora_requests_info\{max_lora="2",/m);
});

test('flags are parsed like the real simulator, and bad ones are clear errors', async (t) => {
  const config = parseSimConfig(['--model', 'm', '--served-model-name', 'a', 'b', '--lora-modules', 'x=/p', '--port=9000']);
  t.deepEqual(config.servedModelNames, ['a', 'b']);
  t.deepEqual(config.loras, [{ name: 'x', path: '/p' }]);
  t.is(config.port, 9000);
  t.throws(() => parseSimConfig(['--port', '1']), { message: /--model is required/ });
  t.throws(() => parseSimConfig(['--model', 'm', '--lora-modules', '{"name":']), { message: /not valid JSON/ });
  t.throws(() => parseSimConfig(['--model', 'm', '--mode', 'loud']), { message: /invalid mode/ });
  const failed = await runFailingWorkload('inference-sim', ['--port', '8000']);
  t.is(failed.code, 1);
  t.regex(failed.output, /--model is required/);
});
