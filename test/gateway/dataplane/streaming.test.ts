// An AI backend behind an HTTPS listener, as in the SNI lab: the request path
// becomes the provider's chat path, Host and model are set, the caller's
// Authorization passes through, and a streamed (SSE) completion arrives chunk
// by chunk — over HTTP/2 and HTTP/1.1 — not buffered into one piece.
import test from 'ava';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import type { BackendIR } from '../../../gateway/ir/types.js';
import { FOO, cert, freePort, gatewayIR, httpsListener, labPki, route, startDataplane } from './helpers.js';

const pki = labPki();
const dp = startDataplane();
let port = 0;
let backend: http.Server;
/** Resolves when the backend sees a streamed response's connection go away before it ended. */
let onBackendAbort: (() => void) | undefined;
const seen: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const EVENTS = 5;
const GAP_MS = 100;

/** A mock OpenAI that streams EVENTS chat chunks GAP_MS apart. */
function startSseBackend(): Promise<number> {
  backend = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      const model = (JSON.parse(body) as { model: string }).model;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.on('close', () => {
        if (!res.writableFinished) onBackendAbort?.();
      });
      let i = 0;
      const timer = setInterval(() => {
        if (i === EVENTS) {
          clearInterval(timer);
          res.end('data: [DONE]\n\n');
          return;
        }
        res.write(`data: ${JSON.stringify({ model, choices: [{ delta: { content: `word${i}` } }] })}\n\n`);
        i++;
      }, GAP_MS);
    });
  });
  return new Promise((resolve) => backend.listen(0, '127.0.0.1', () => resolve((backend.address() as net.AddressInfo).port)));
}

test.before(async () => {
  const backendPort = await startSseBackend();
  port = await freePort();
  const ai: BackendIR = {
    kind: 'ai',
    id: 'agentgateway-system/mock-openai',
    provider: 'openai',
    model: 'mock-gpt-4o',
    endpoints: [{ address: '127.0.0.1', port: backendPort }],
    host: 'mock-gpt-4o-svc.agentgateway-system.svc.cluster.local',
    path: '/v1/chat/completions',
    auth: { type: 'passthrough' },
  };
  await dp.dataplane.update(
    gatewayIR([{ port, transport: 'tls', listeners: [httpsListener('foo', FOO, cert('ns/foo', pki.foo), [route('ns/foo-route/0/0', { hostnames: [FOO], backend: ai, requestMs: 120_000 })])] }]),
  );
});

test.after.always(async () => {
  backend.close();
  await dp.dataplane.close();
  pki.cleanup();
});

const requestBody = JSON.stringify({ model: 'whatever-the-client-says', stream: true, messages: [{ role: 'user', content: 'Whats your favorite poem?' }] });

function assertStreamed(t: import('ava').ExecutionContext, arrivals: { at: number; text: string }[]): void {
  const text = arrivals.map((a) => a.text).join('');
  t.is((text.match(/^data: \{/gm) ?? []).length, EVENTS);
  t.regex(text, /data: \[DONE\]/);
  t.regex(text, /"model":"mock-gpt-4o"/);
  // Each event arrived on its own, about GAP_MS after the previous one: nothing waited for the end.
  const eventArrivals = arrivals.filter((a) => a.text.includes('data: {'));
  t.true(eventArrivals.length >= EVENTS - 1, `events arrived in ${eventArrivals.length} pieces`);
  const spread = eventArrivals[eventArrivals.length - 1].at - eventArrivals[0].at;
  t.true(spread >= (EVENTS - 2) * GAP_MS, `first to last event took ${spread} ms`);
}

test.serial('SSE over HTTP/2 arrives chunk by chunk; path, Host, model and auth are set', async (t) => {
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca: pki.ca.certPem, servername: FOO });
  t.teardown(() => session.close());
  const arrivals: { at: number; text: string }[] = [];
  const status = await new Promise<number>((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/', ':authority': FOO, 'content-type': 'application/json', authorization: 'Bearer sk-client' });
    let code = 0;
    stream.on('response', (h) => (code = Number(h[':status'])));
    stream.on('data', (d: Buffer) => arrivals.push({ at: Date.now(), text: d.toString() }));
    stream.on('end', () => resolve(code));
    stream.on('error', reject);
    stream.end(requestBody);
  });
  t.is(status, 200);
  assertStreamed(t, arrivals);
  const upstream = seen[seen.length - 1];
  t.is(upstream.path, '/v1/chat/completions');
  t.is(upstream.headers.host, 'mock-gpt-4o-svc.agentgateway-system.svc.cluster.local');
  t.is(upstream.headers.authorization, 'Bearer sk-client');
  t.is(JSON.parse(upstream.body).model, 'mock-gpt-4o');
  t.is(JSON.parse(upstream.body).messages[0].content, 'Whats your favorite poem?');
  const line = await dp.waitForLine((f) => f.proto === 'HTTP/2' && f.status === '200');
  t.is(line.sni, FOO);
  t.is(line.listener, 'foo');
  t.is(line.flags, '-');
  t.is(line.route, 'ns/foo-route/0/0');
});

test.serial('SSE over HTTP/1.1 arrives chunk by chunk', async (t) => {
  const arrivals: { at: number; text: string }[] = [];
  const status = await new Promise<number>((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: FOO, ca: pki.ca.certPem, method: 'POST', path: '/anything', headers: { host: FOO, 'content-type': 'application/json' }, agent: false, ALPNProtocols: ['http/1.1'] } as https.RequestOptions,
      (res) => {
        res.on('data', (d: Buffer) => arrivals.push({ at: Date.now(), text: d.toString() }));
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(requestBody);
  });
  t.is(status, 200);
  assertStreamed(t, arrivals);
});

test.serial('a client that goes away mid-stream is logged DC and the upstream request is aborted', async (t) => {
  const backendAborted = new Promise<void>((resolve) => (onBackendAbort = resolve));
  await new Promise<void>((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: FOO, ca: pki.ca.certPem, method: 'POST', path: '/leave-early', headers: { host: FOO, 'content-type': 'application/json' }, agent: false, ALPNProtocols: ['http/1.1'] } as https.RequestOptions,
      (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end(requestBody);
  });
  await backendAborted;
  const line = await dp.waitForLine((f) => f.path === '/leave-early');
  t.is(line.flags, 'DC');
  t.is(line.status, '200');
});
