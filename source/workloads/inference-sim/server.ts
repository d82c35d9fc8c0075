// The OpenAI-compatible HTTP API of llm-d-inference-sim: /v1/chat/completions
// and /v1/completions (JSON, or SSE chunks with `stream: true`), /v1/models,
// /health and /ready, /v1/load_lora_adapter and /v1/unload_lora_adapter, and
// a few of vLLM's Prometheus metrics on /metrics. Unknown models get a 404
// OpenAI-style error.
import http from 'node:http';
import crypto from 'node:crypto';
import { generate, messageText, promptTokens, tokenize, type ChatMessage } from './completions.js';
import type { SimConfig } from './config.js';

/** Streaming with a zero inter-token latency would arrive as one burst; this keeps chunks observable. */
const MIN_STREAM_TOKEN_DELAY_MS = 10;
const MAX_BODY_BYTES = 1 << 20;

interface CompletionRequest {
  model?: unknown;
  messages?: ChatMessage[];
  prompt?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: boolean };
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function openAiError(response: http.ServerResponse, status: number, type: string, message: string, param: string | null = null): void {
  sendJson(response, status, { error: { message, type, param, code: status } });
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error('request body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function createSimServer(config: SimConfig, env: NodeJS.ProcessEnv = process.env): http.Server {
  const created = Math.floor(Date.now() / 1000);
  const loras = [...config.loras];
  const isKnownModel = (model: string) => config.servedModelNames.includes(model) || loras.some((l) => l.name === model);
  let running = 0;
  const runningLoras = new Map<string, number>();
  const podHeaders: Record<string, string> = {
    ...(env.POD_NAME ? { 'x-inference-pod': env.POD_NAME } : {}),
    ...(env.POD_NAMESPACE ? { 'x-inference-namespace': env.POD_NAMESPACE } : {}),
  };

  function models() {
    const base = config.servedModelNames.map((id) => ({ id, object: 'model', created, owned_by: 'vllm', root: config.model, parent: null }));
    const adapters = loras.map((l) => ({ id: l.name, object: 'model', created, owned_by: 'vllm', root: l.path ?? l.name, parent: l.base_model_name ?? config.servedModelNames[0] }));
    return { object: 'list', data: [...base, ...adapters] };
  }

  function metrics(): string {
    const active = [...runningLoras].filter(([, n]) => n > 0).map(([name]) => name).join(',');
    return [
      '# HELP vllm:num_requests_running Number of requests currently running on GPU.',
      '# TYPE vllm:num_requests_running gauge',
      `vllm:num_requests_running{model_name="${config.servedModelNames[0]}"} ${running}`,
      '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
      '# TYPE vllm:num_requests_waiting gauge',
      `vllm:num_requests_waiting{model_name="${config.servedModelNames[0]}"} 0`,
      '# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.',
      '# TYPE vllm:gpu_cache_usage_perc gauge',
      `vllm:gpu_cache_usage_perc{model_name="${config.servedModelNames[0]}"} 0`,
      '# HELP vllm:lora_requests_info Running stats on lora requests.',
      '# TYPE vllm:lora_requests_info gauge',
      `vllm:lora_requests_info{max_lora="${config.maxLoras}",running_lora_adapters="${active}",waiting_lora_adapters=""} ${Date.now() / 1000}`,
      '',
    ].join('\n');
  }

  async function loadLora(request: http.IncomingMessage, response: http.ServerResponse, load: boolean): Promise<void> {
    let body: { lora_name?: unknown; lora_path?: unknown };
    try {
      body = JSON.parse(await readBody(request)) as typeof body;
    } catch (error) {
      return openAiError(response, 400, 'BadRequestError', `invalid request body: ${(error as Error).message}`);
    }
    if (typeof body.lora_name !== 'string' || !body.lora_name) return openAiError(response, 400, 'BadRequestError', 'lora_name is required', 'lora_name');
    const index = loras.findIndex((l) => l.name === body.lora_name);
    if (load) {
      if (index >= 0) return openAiError(response, 400, 'BadRequestError', `The lora adapter '${body.lora_name}' has already been loaded.`, 'lora_name');
      loras.push({ name: body.lora_name, ...(typeof body.lora_path === 'string' ? { path: body.lora_path } : {}) });
    } else {
      if (index < 0) return openAiError(response, 404, 'NotFoundError', `The lora adapter '${body.lora_name}' cannot be found.`, 'lora_name');
      loras.splice(index, 1);
    }
    response.writeHead(200).end();
  }

  async function complete(request: http.IncomingMessage, response: http.ServerResponse, kind: 'chat' | 'text'): Promise<void> {
    let body: CompletionRequest;
    try {
      body = JSON.parse(await readBody(request)) as CompletionRequest;
      if (!body || typeof body !== 'object') throw new Error('the body is not a JSON object');
    } catch (error) {
      return openAiError(response, 400, 'BadRequestError', `invalid request body: ${(error as Error).message}`);
    }
    const model = typeof body.model === 'string' ? body.model : config.servedModelNames[0]!;
    if (!isKnownModel(model)) return openAiError(response, 404, 'NotFoundError', `The model \`${model}\` does not exist.`, 'model');
    let prompt: string;
    let promptCount: number;
    if (kind === 'chat') {
      if (!Array.isArray(body.messages) || body.messages.length === 0) return openAiError(response, 400, 'BadRequestError', 'messages must be a non-empty array', 'messages');
      const lastUser = [...body.messages].reverse().find((m) => m?.role === 'user');
      prompt = messageText(lastUser?.content);
      promptCount = promptTokens(body.messages);
    } else {
      prompt = Array.isArray(body.prompt) ? body.prompt.map(String).join(' ') : typeof body.prompt === 'string' ? body.prompt : '';
      promptCount = tokenize(prompt).length;
    }
    const limit = [body.max_completion_tokens, body.max_tokens].find((v) => typeof v === 'number') as number | undefined;
    if (limit !== undefined && promptCount + limit > config.maxModelLen) {
      return openAiError(response, 400, 'BadRequestError', `This model's maximum context length is ${config.maxModelLen} tokens. However, you requested ${promptCount + limit} tokens (${promptCount} in the messages, ${limit} in the completion). Please reduce the length of the messages or completion.`);
    }
    const { tokens, finishReason } = generate(config.mode, prompt, limit);
    running++;
    const isLora = loras.some((l) => l.name === model);
    if (isLora) runningLoras.set(model, (runningLoras.get(model) ?? 0) + 1);
    try {
      await respond();
    } finally {
      running--;
      if (isLora) runningLoras.set(model, (runningLoras.get(model) ?? 1) - 1);
    }

    async function respond(): Promise<void> {
      const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${crypto.randomUUID()}`;
      const createdAt = Math.floor(Date.now() / 1000);
      const usage = { prompt_tokens: promptCount, completion_tokens: tokens.length, total_tokens: promptCount + tokens.length };

      if (body.stream === true) {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...podHeaders });
        response.flushHeaders();
        const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
        const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
          `data: ${JSON.stringify({ id, object, created: createdAt, model, choices: [{ index: 0, ...choice }], ...extra })}\n\n`;
        const send = (text: string) => new Promise<void>((resolve) => (response.write(text) ? resolve() : response.once('drain', resolve)));
        await sleep(config.timeToFirstTokenMs);
        if (kind === 'chat') await send(chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
        for (let i = 0; i < tokens.length; i++) {
          if (response.destroyed) return;
          if (i > 0) await sleep(Math.max(config.interTokenLatencyMs, MIN_STREAM_TOKEN_DELAY_MS));
          await send(chunk(kind === 'chat' ? { delta: { content: tokens[i] }, finish_reason: null } : { text: tokens[i], finish_reason: null }));
        }
        await send(chunk(kind === 'chat' ? { delta: {}, finish_reason: finishReason } : { text: '', finish_reason: finishReason }));
        if (body.stream_options?.include_usage) await send(`data: ${JSON.stringify({ id, object, created: createdAt, model, choices: [], usage })}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      await sleep(config.timeToFirstTokenMs + config.interTokenLatencyMs * Math.max(tokens.length - 1, 0));
      const text = tokens.join('');
      const choice = kind === 'chat'
        ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: finishReason }
        : { index: 0, text, logprobs: null, finish_reason: finishReason };
      sendJson(response, 200, { id, object: kind === 'chat' ? 'chat.completion' : 'text_completion', created: createdAt, model, choices: [choice], usage }, podHeaders);
    }
  }

  return http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sim');
    const route = `${request.method} ${url.pathname}`;
    console.log(`${new Date().toISOString()} ${route}`);
    const handle = async () => {
      switch (route) {
        case 'POST /v1/chat/completions': return complete(request, response, 'chat');
        case 'POST /v1/completions': return complete(request, response, 'text');
        case 'GET /v1/models': return sendJson(response, 200, models());
        case 'POST /v1/load_lora_adapter': return loadLora(request, response, true);
        case 'POST /v1/unload_lora_adapter': return loadLora(request, response, false);
        case 'GET /metrics':
          response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          response.end(metrics());
          return;
        case 'GET /health':
        case 'GET /ready':
          response.writeHead(200).end();
          return;
        default:
          return openAiError(response, 404, 'NotFoundError', `route ${route} not found`);
      }
    };
    handle().catch((error: unknown) => {
      if (!response.headersSent) openAiError(response, 500, 'InternalServerError', (error as Error).message);
      else response.destroy();
    });
  });
}
