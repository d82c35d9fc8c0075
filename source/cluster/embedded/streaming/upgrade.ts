// Streaming subresources of pods, reached by an HTTP Upgrade on the API
// server's port as on a real cluster: `pods/exec` (WebSocket, the
// v5/v4.channel.k8s.io protocols kubectl ≥ 1.30 speaks) and `pods/portforward`
// (SPDY/3.1, directly or tunnelled in a WebSocket as kubectl ≥ 1.31 does).
// Authentication and the pod lookup happen here, once; each protocol lives in
// its own module, loaded on first use.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../apiserver/api-error.js';
import type { ApiContext } from '../apiserver/api-context.js';
import { authenticate } from '../apiserver/auth.js';
import { PODS } from '../controllers/resource-keys.js';
import type { KubeObject } from '../store/store-types.js';

export const STREAMING_SUBRESOURCES = ['exec', 'attach', 'portforward'] as const;

export interface StreamingRequest {
  ctx: ApiContext;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  pod: KubeObject;
  query: URLSearchParams;
}

/** The comma-separated tokens of a request header (repeated headers included), trimmed, case kept. */
export function headerTokens(value: string | string[] | undefined): string[] {
  return [value ?? []].flat().flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;

/** Answers an upgrade that cannot go ahead with a Status, as an HTTP response on the raw socket. */
export function rejectUpgrade(socket: Duplex, error: unknown, log?: (line: string) => void): void {
  const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', `Internal error occurred: ${(error as Error)?.message ?? String(error)}`);
  if (!(error instanceof ApiError)) log?.(`api: streaming: ${(error as Error)?.stack ?? String(error)}`);
  if (socket.destroyed) return;
  const body = JSON.stringify(apiError.toStatus());
  const reason = apiError.code === 401 ? 'Unauthorized' : apiError.code === 404 ? 'Not Found' : apiError.code === 400 ? 'Bad Request' : 'Error';
  socket.end(`HTTP/1.1 ${apiError.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function handleUpgrade(ctx: ApiContext & { token: string }, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  void (async () => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    authenticate(req, ctx.token);
    const match = PATH.exec(url.pathname);
    if (!match) throw ApiError.noSuchResource();
    const [, namespace, name, subresource] = match.map((part) => decodeURIComponent(part)) as [string, string, string, string];
    const pod = ctx.store.get(PODS, namespace, name);
    if (!pod) throw ApiError.notFound('pods', name);
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Running') throw ApiError.badRequest(`pod ${name} is not running (phase ${phase ?? 'Pending'}); ${subresource} needs a running pod`);
    const request: StreamingRequest = { ctx, req, socket, head, pod, query: url.searchParams };
    switch (subresource) {
      case 'exec':
        return (await import('./exec.js')).handleExec(request);
      case 'portforward':
        return (await import('./port-forward.js')).handlePortForward(request);
      default:
        throw ApiError.badRequest('attach is not supported by the embedded cluster: a pod is a process on this machine; read what it prints with kubectl logs');
    }
  })().catch((error: unknown) => rejectUpgrade(socket, error, ctx.log));
}
