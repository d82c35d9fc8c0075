// An AI backend (AgentgatewayBackend spec.ai, kgateway Backend type AI): the
// request goes to the provider's chat path with the provider's Host, the
// model is overridden when configured, auth is set or passed through, and
// the (often streamed) answer is piped back chunk by chunk.
import type { Readable } from 'node:stream';
import type { AiBackendIR } from '../ir/types.js';
import type { Exchange } from '../dataplane/exchange.js';
import type { HeaderRecord } from '../dataplane/request-filters.js';
import { forward, type UpstreamRequest } from './forward.js';
import type { UpstreamPools } from './pools.js';

/** Request bodies larger than this are not rewritten (the model override needs the whole JSON). */
export const MAX_AI_BODY_BYTES = 16 * 1024 * 1024;

async function readBody(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > limit) throw new Error(`request body larger than ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Sets `model` in a JSON request body; other bodies pass unchanged. */
export function overrideModel(body: Buffer, model: string): Buffer {
  if (body.length === 0) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return body;
  (parsed as Record<string, unknown>).model = model;
  return Buffer.from(JSON.stringify(parsed));
}

export async function proxyToAi(ex: Exchange, backend: AiBackendIR, pools: UpstreamPools, request: UpstreamRequest): Promise<void> {
  if (ex.observer) request = ex.observer.aiRequest(backend, request);
  const headers: HeaderRecord = { ...request.headers, host: backend.host };
  if (backend.auth.type === 'set') headers[backend.auth.header.toLowerCase()] = backend.auth.value;
  else if (backend.auth.type === 'none') delete headers.authorization;
  const q = request.path.indexOf('?');
  const path = backend.path + (q >= 0 ? request.path.slice(q) : '');
  let body = request.body;
  if (backend.model && body && typeof (body as Readable).pipe === 'function') {
    try {
      body = overrideModel(await readBody(body as Readable, MAX_AI_BODY_BYTES), backend.model);
    } catch (error) {
      ex.sendLocal(413, `${(error as Error).message}\n`);
      return;
    }
    headers['content-length'] = String(body.length);
    delete headers['transfer-encoding'];
  }
  const endpoint = pools.pick(backend.id, backend.endpoints);
  if (!endpoint) {
    ex.entry.upstream = backend.id;
    ex.sendLocal(503, 'no healthy upstream\n', {}, 'UH');
    return;
  }
  const pool = pools.get({ endpoint, protocol: 'http1', tls: backend.tls });
  forward(ex, pool, `${endpoint.address}:${endpoint.port}`, { method: request.method, path, headers, body });
}
