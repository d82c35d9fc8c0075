// RequestMirror: a copy of the request goes to another backend, fire and
// forget. The mirror's answer is read and dropped; its failure or slowness
// never reaches the client: a mirror that falls more than MIRROR_BUFFER_BYTES
// behind on the body is cut off, and each mirrored request gives up after
// MIRROR_TIMEOUT_MS.
import { PassThrough, Transform, type Readable } from 'node:stream';
import type { HttpFilterIR } from '../ir/types.js';
import type { UpstreamRequest } from '../upstream/forward.js';
import type { UpstreamPools } from '../upstream/pools.js';

export const MIRROR_BUFFER_BYTES = 1024 * 1024;
export const MIRROR_TIMEOUT_MS = 30_000;

type MirrorFilter = Extract<HttpFilterIR, { type: 'RequestMirror' }>;

/**
 * Starts the mirrors that apply to this request (their percent drawn) and
 * returns the body the main request should send: the original, or a tee of
 * it when a mirror needs the body too.
 */
export function startMirrors(mirrors: readonly MirrorFilter[], pools: UpstreamPools, request: UpstreamRequest, onError: (message: string) => void, random = Math.random): UpstreamRequest['body'] {
  const chosen = mirrors.filter((m) => m.backend.kind === 'service' && random() * 100 < m.percent);
  if (chosen.length === 0) return request.body;
  const streamed = request.body !== null && typeof request.body === 'object' && 'pipe' in request.body;
  const copies = streamed ? chosen.map(() => new PassThrough()) : [];
  chosen.forEach((mirror, index) => {
    const backend = mirror.backend;
    if (backend.kind !== 'service') return;
    const endpoint = pools.pick(backend.id, backend.endpoints);
    if (!endpoint) {
      copies[index]?.destroy();
      return onError(`mirror ${backend.id}: no healthy upstream`);
    }
    const pool = pools.get({ endpoint, protocol: backend.protocol, tls: backend.tls });
    const body = streamed ? copies[index]! : (request.body as Buffer | string | null);
    pool
      .request({ method: request.method as 'GET', path: request.path, headers: request.headers, body, signal: AbortSignal.timeout(MIRROR_TIMEOUT_MS) })
      .then((response) => response.body.dump())
      .catch((error: Error) => onError(`mirror ${backend.id}: ${error.message}`));
  });
  if (!streamed) return request.body;
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      for (const copy of copies) {
        if (copy.destroyed) continue;
        // Never wait for a mirror: one that falls behind is dropped, the client's request goes on.
        if (copy.writableLength > MIRROR_BUFFER_BYTES) copy.destroy(new Error('mirror fell behind'));
        else copy.write(chunk);
      }
      callback(null, chunk);
    },
    flush(callback) {
      for (const copy of copies) if (!copy.destroyed) copy.end();
      callback();
    },
  });
  const source = request.body as Readable;
  source.on('error', (error) => tee.destroy(error));
  tee.on('close', () => {
    for (const copy of copies) if (!copy.writableEnded) copy.destroy();
  });
  return source.pipe(tee);
}
