// `workload go-httpbin`: the endpoints of mccutchen/go-httpbin the labs use,
// configured as the image is: flags -host -port -https-cert-file
// -https-key-file -max-body-size -max-duration, or env HOST, PORT,
// HTTPS_CERT_FILE, HTTPS_KEY_FILE (flags win). With a certificate it serves
// HTTPS on the same port. Endpoints: /get /headers /ip /user-agent /uuid /json
// /anything[/...] /post /put /patch /delete /status/{codes} /delay/{n}
// /hostname /response-headers.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import os from 'node:os';
import type tls from 'node:tls';
import { closeServer, listenOn, mountedPath, untilSignal } from '../common/listen.js';
import { canonicalHeaderKey } from '../common/tls-info.js';
import { FlagError, parseFlags } from '../common/flags.js';

export interface HttpbinConfig { port: number; certFile?: string; keyFile?: string; maxBodySize: number; maxDurationMs: number }

export function parseHttpbinConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): HttpbinConfig {
  const flags = parseFlags(argv, { values: ['host', 'port', 'https-cert-file', 'https-key-file', 'max-body-size', 'max-duration', 'prefix', 'allowed-redirect-domains', 'log-format', 'srv-max-header-bytes', 'srv-read-header-timeout', 'srv-read-timeout', 'exclude-headers'], booleans: ['use-real-hostname'] });
  const portText = flags.values.get('port') ?? env.PORT ?? '8080';
  if (!/^\d+$/.test(portText)) throw new FlagError(`invalid value "${portText}" for port`);
  const certFile = flags.values.get('https-cert-file') ?? env.HTTPS_CERT_FILE;
  const keyFile = flags.values.get('https-key-file') ?? env.HTTPS_KEY_FILE;
  if (Boolean(certFile) !== Boolean(keyFile)) throw new FlagError('https cert and key must both be provided');
  const durationText = flags.values.get('max-duration') ?? env.MAX_DURATION ?? '10s';
  const duration = /^(\d+)(ms|s|m)$/.exec(durationText);
  return {
    port: Number(portText),
    ...(certFile ? { certFile, keyFile } : {}),
    maxBodySize: Number(flags.values.get('max-body-size') ?? env.MAX_BODY_SIZE ?? 1024 * 1024),
    maxDurationMs: duration ? Number(duration[1]) * ({ ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[duration[2]!]! : 10_000,
  };
}

const SAMPLE_JSON = {
  slideshow: {
    author: 'Yours Truly', date: 'date of publication', title: 'Sample Slide Show',
    slides: [{ title: 'Wake up to WonderWidgets!', type: 'all' }, { items: ['Why <em>WonderWidgets</em> are great', 'Who <em>buys</em> WonderWidgets'], title: 'Overview', type: 'all' }],
  },
};

function headersOf(request: http.IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) (out[canonicalHeaderKey(request.rawHeaders[i]!)] ??= []).push(request.rawHeaders[i + 1]!);
  return out;
}

function argsOf(url: URL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (out[k] ??= []).push(v);
  return out;
}

function origin(request: http.IncomingMessage): string {
  const forwarded = request.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || request.socket.remoteAddress || '';
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createHttpbinHandler(config: HttpbinConfig) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const scheme = (request.socket as tls.TLSSocket).encrypted ? 'https' : 'http';
    const url = new URL(request.url ?? '/', `${scheme}://${request.headers.host ?? 'localhost'}`);
    const path = url.pathname;
    const method = request.method ?? 'GET';
    console.log(`${new Date().toISOString()} ${method} ${request.url}`);
    const basic = () => ({ args: argsOf(url), headers: headersOf(request), method, origin: origin(request), url: url.toString() });
    const withBody = async () => {
      const body = await readBody(request, config.maxBodySize);
      const text = body.toString('utf8');
      let json: unknown = null;
      if ((request.headers['content-type'] ?? '').includes('json') && text) {
        try { json = JSON.parse(text); } catch { json = null; }
      }
      const form: Record<string, string[]> = {};
      if ((request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(text)) (form[k] ??= []).push(v);
      }
      return { ...basic(), data: Object.keys(form).length ? '' : text, files: {}, form, json };
    };
    const methodRoute: Record<string, string> = { '/post': 'POST', '/put': 'PUT', '/patch': 'PATCH', '/delete': 'DELETE' };
    if (methodRoute[path]) {
      if (method !== methodRoute[path]) return send(response, 405, { status_code: 405, error: 'Method Not Allowed' });
      return send(response, 200, await withBody());
    }
    if (path === '/get') return send(response, 200, basic());
    if (path === '/headers') return send(response, 200, { headers: headersOf(request) });
    if (path === '/ip') return send(response, 200, { origin: origin(request) });
    if (path === '/user-agent') return send(response, 200, { 'user-agent': request.headers['user-agent'] ?? '' });
    if (path === '/uuid') return send(response, 200, { uuid: crypto.randomUUID() });
    if (path === '/json') return send(response, 200, SAMPLE_JSON);
    if (path === '/hostname') return send(response, 200, { hostname: process.env.POD_NAME ?? os.hostname() });
    if (path === '/anything' || path.startsWith('/anything/')) return send(response, 200, await withBody());
    if (path === '/response-headers') {
      const headers: Record<string, string[]> = argsOf(url);
      for (const [k, v] of Object.entries(headers)) response.setHeader(k, v);
      return send(response, 200, headers);
    }
    const status = /^\/status\/([\d,:.]+)$/.exec(path);
    if (status) {
      const codes = status[1]!.split(',').map((c) => Number(c.split(':')[0]));
      const code = codes[Math.floor(Math.random() * codes.length)]!;
      if (!(code >= 100 && code <= 599)) return send(response, 400, { status_code: 400, error: `invalid status code: ${status[1]}` });
      response.writeHead(code);
      response.end();
      return;
    }
    const delay = /^\/delay\/(\d+(?:\.\d+)?)(ms|s)?$/.exec(path);
    if (delay) {
      const ms = Number(delay[1]) * (delay[2] === 'ms' ? 1 : 1000);
      if (ms > config.maxDurationMs) return send(response, 400, { status_code: 400, error: `delay must be less than ${config.maxDurationMs / 1000}s` });
      await new Promise((resolve) => setTimeout(resolve, ms));
      return send(response, 200, await withBody());
    }
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<html><body><h1>go-httpbin</h1><p>HTTP request &amp; response service.</p></body></html>\n');
      return;
    }
    send(response, 404, { status_code: 404, error: 'Not Found' });
  };
}

export async function main(argv: string[]): Promise<number> {
  const config = parseHttpbinConfig(argv);
  const handler = createHttpbinHandler(config);
  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
    handler(request, response).catch((error: Error & { status?: number }) => {
      if (!response.headersSent) send(response, error.status ?? 500, { status_code: error.status ?? 500, error: error.message });
      else response.destroy();
    });
  };
  const server = config.certFile
    ? https.createServer({ cert: fs.readFileSync(mountedPath(config.certFile)), key: fs.readFileSync(mountedPath(config.keyFile!)) }, onRequest)
    : http.createServer(onRequest);
  await listenOn(server, config.port, `go-httpbin (${config.certFile ? 'https' : 'http'})`);
  return untilSignal(() => closeServer(server));
}
