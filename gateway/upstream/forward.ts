// Sends one request to an upstream through an undici dispatcher and streams
// the response back as it arrives: each chunk is written when undici hands it
// over (no buffering, so SSE reaches the client event by event), with
// backpressure both ways.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Exchange } from '../dataplane/exchange.js';
import type { HeaderRecord } from '../dataplane/request-filters.js';
import { downstreamResponseHeaders } from './headers.js';
import type { StagedError } from './tls-connector.js';

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: HeaderRecord;
  body: Readable | Buffer | string | null;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

function describe(error: Error): string {
  const code = (error as Error & { code?: string }).code;
  const message = error.message.trim();
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

export function forward(ex: Exchange, dispatcher: Dispatcher, upstreamAddress: string, request: UpstreamRequest): void {
  // HTTP/1.1 and HTTP/2 compat responses share this surface; one type keeps the calls simple.
  const res = ex.res as import('node:http').ServerResponse;
  ex.entry.upstream = upstreamAddress;
  let started = false;
  let controller: Dispatcher.DispatchController | undefined;
  let abortReason: Error | undefined;
  ex.onAbort((reason) => {
    abortReason = reason;
    controller?.abort(reason);
  });

  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
      if (abortReason) c.abort(abortReason);
    },
    onResponseStart(c, statusCode, headers) {
      if (statusCode < 200) return;
      started = true;
      const out = downstreamResponseHeaders(headers);
      for (const edit of ex.responseHeaderEdits) edit(out);
      if (res.destroyed) {
        c.abort(new Error('downstream closed'));
        return;
      }
      res.writeHead(statusCode, out);
      // Let headers of a streamed response leave now, not with the first chunk.
      if (typeof res.flushHeaders === 'function' && !out['content-length']) res.flushHeaders();
    },
    onResponseData(c, chunk) {
      ex.observer?.responseChunk(chunk);
      if (!res.write(chunk)) {
        c.pause();
        res.once('drain', () => c.resume());
      }
    },
    onResponseEnd(_c, trailers) {
      // gRPC's status lives in trailers; HTTP/2 and chunked HTTP/1.1 carry them, others drop them.
      if (trailers && Object.keys(trailers).length) {
        try {
          res.addTrailers(trailers as Record<string, string>);
        } catch {
          // a trailer node refuses (e.g. a hop-by-hop name) is not worth the response
        }
      }
      res.end();
    },
    onResponseError(_c, error) {
      if (abortReason || ex.settled) return; // we aborted it: the answer was already decided
      const stagedError = error as StagedError;
      ex.entry.error = describe(error);
      if (started || res.headersSent) {
        ex.flag('UC');
        res.destroy();
        return;
      }
      const code = (error as Error & { code?: string }).code ?? '';
      const stage = stagedError.upstreamStage ?? (CONNECT_ERRORS.has(code) ? 'connect' : code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') ? 'tls' : undefined);
      // Envoy flags a failed TCP connect and a failed TLS handshake alike (UF); the body says which.
      const text = stage === 'tls' ? `upstream TLS error: ${describe(error)}\n` : stage === 'connect' ? `upstream connect error: ${describe(error)}\n` : `upstream reset: ${describe(error)}\n`;
      ex.sendLocal(503, text, {}, stage ? 'UF' : 'UC');
    },
  };

  try {
    dispatcher.dispatch(
      {
        origin: undefined,
        method: request.method as Dispatcher.HttpMethod,
        path: request.path,
        headers: request.headers,
        body: request.body,
      },
      handler,
    );
  } catch (error) {
    ex.entry.error = describe(error as Error);
    ex.sendLocal(502, `bad upstream request: ${(error as Error).message}\n`);
  }
}
