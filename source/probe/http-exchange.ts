// The HTTP request over the connection the probe already holds (and tapped):
// undici gets that exact socket through its `connect` hook, so the response
// is the answer on the very TLS session the probe recorded.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Client as UndiciClient } from 'undici';

type ClientConstructor = typeof UndiciClient;
let clientClass: Promise<ClientConstructor> | undefined;

/** undici, loaded on first use: a probe that fails before HTTP (most failure modes) never pays for it. */
function loadClient(): Promise<ClientConstructor> {
  clientClass ??= import('undici').then((undici) => undici.Client);
  return clientClass;
}

export interface ExchangeRequest {
  origin: string;
  h2: boolean;
  method: string;
  path: string;
  headers: [string, string][];
  body?: string;
  signal: AbortSignal;
  maxBodyBytes: number;
}

export interface ExchangeResult {
  version: '1.1' | '2';
  status: number;
  statusText: string;
  headers: Record<string, string | string[]>;
  body: string;
  bodyTruncated: boolean;
  /** performance.now() when the response headers arrived. */
  headersAt: number;
}

export async function exchange(socket: Duplex, request: ExchangeRequest): Promise<ExchangeResult> {
  // A TLS alert after the handshake (a TLS 1.3 client-certificate refusal) errors the socket, and
  // undici's HTTP/2 session does not always fail the request with it: it would wait for --max-time.
  let socketFailed: (error: Error) => void = () => undefined;
  const failure = new Promise<never>((_resolve, reject) => (socketFailed = reject));
  failure.catch(() => undefined);
  socket.once('error', socketFailed);
  if (socket.errored) socketFailed(socket.errored);
  let handedOut = false;
  let Client: ClientConstructor;
  try {
    Client = await loadClient();
  } catch (error) {
    socket.removeListener('error', socketFailed);
    throw error;
  }
  const client = new Client(request.origin, {
    // One connection, the probed one: a second connect would be a different handshake.
    connect: ((_options: unknown, callback: (error: Error | null, socket: Duplex | null) => void) => {
      // Asynchronously, as a real connector would: undici ignores a resume requested while it is resuming.
      if (handedOut) return process.nextTick(callback, new Error('the probed connection is gone; not opening another'), null);
      handedOut = true;
      process.nextTick(callback, null, socket);
    }) as never,
    allowH2: request.h2,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  try {
    const response = await Promise.race([
      failure,
      client.request({
        path: request.path,
        method: request.method as 'GET',
        headers: request.headers.flat(),
        body: request.body,
        signal: request.signal,
      }),
    ]);
    socket.removeListener('error', socketFailed);
    const headersAt = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      size += buffer.length;
      if (size > request.maxBodyBytes) {
        truncated = true;
        response.body.destroy();
        break;
      }
    }
    const body = Buffer.concat(chunks).subarray(0, request.maxBodyBytes).toString('utf8');
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = value;
    return {
      version: request.h2 ? '2' : '1.1',
      status: response.statusCode,
      statusText: http.STATUS_CODES[response.statusCode] ?? '',
      headers,
      body,
      bodyTruncated: truncated,
      headersAt,
    };
  } finally {
    socket.removeListener('error', socketFailed);
    await client.destroy().catch(() => undefined);
  }
}
