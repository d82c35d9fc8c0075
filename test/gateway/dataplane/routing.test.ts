// Routing tables on a plain HTTP port: matches, filters, weights, redirects,
// timeouts, fixed answers and the upstream failure flags, each checked on the
// wire and in the access log.
import test from 'ava';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import type { BackendIR } from '../../../gateway/ir/types.js';
import { freePort, gatewayIR, httpListener, route, service, startDataplane, startEchoBackend } from './helpers.js';

const dp = startDataplane();
let port = 0;
const backends: Awaited<ReturnType<typeof startEchoBackend>>[] = [];
let h2cBackend: http2.Http2Server | undefined;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => { backend: string; path: string; headers: Record<string, string | undefined>; body: string; method: string };
}

function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: 'app.example.com', ...opts.headers }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

test.before(async () => {
  const a = await startEchoBackend('a');
  const b = await startEchoBackend('b');
  backends.push(a, b);
  h2cBackend = http2.createServer((req, res) => res.end(JSON.stringify({ backend: 'h2c', httpVersion: req.httpVersion, path: req.url })));
  await new Promise<void>((r) => h2cBackend!.listen(0, '127.0.0.1', r));
  const h2c: BackendIR = { kind: 'service', id: 'default/h2c:80', endpoints: [{ address: '127.0.0.1', port: (h2cBackend.address() as net.AddressInfo).port }], protocol: 'h2c' };
  port = await freePort();
  const deadPort = await freePort();
  const A = service('default/a:80', a.port);
  const B = service('default/b:80', b.port);
  const noEndpoints: BackendIR = { kind: 'service', id: 'default/empty:80', endpoints: [], protocol: 'http1' };
  const dead = service('default/dead:80', deadPort);
  const invalid: BackendIR = { kind: 'invalid', id: 'default/missing:80', reason: 'Service default/missing not found', status: 500 };
  await dp.dataplane.update(
    gatewayIR([
      {
        port,
        transport: 'http',
        listeners: [
          httpListener('other', 'other.example.com', [route('default/other/0/0', { backend: B })]),
          httpListener('http', undefined, [
            route('default/exact/0/0', { path: { type: 'Exact', value: '/exact' }, backend: A }),
            route('default/prefix/0/0', { path: { type: 'PathPrefix', value: '/api' }, backend: B }),
            route('default/regex/0/0', { path: { type: 'RegularExpression', value: '/v[0-9]+/items' }, backend: A }),
            route('default/method/0/0', { path: { type: 'PathPrefix', value: '/m' }, method: 'POST', backend: B }),
            route('default/header/0/0', { path: { type: 'PathPrefix', value: '/h' }, headers: [{ name: 'X-Env', type: 'Exact', value: 'canary' }], backend: B }),
            route('default/query/0/0', { path: { type: 'PathPrefix', value: '/q' }, queryParams: [{ name: 'v', type: 'RegularExpression', value: '2|3' }], backend: B }),
            route('default/fallback-h/0/0', { path: { type: 'PathPrefix', value: '/h' }, backend: A }),
            route('default/mods/0/0', {
              path: { type: 'PathPrefix', value: '/mods' },
              filters: [
                { type: 'RequestHeaderModifier', set: [{ name: 'x-set', value: 'one' }], add: [{ name: 'x-add', value: 'two' }], remove: ['x-remove'] },
                { type: 'ResponseHeaderModifier', set: [{ name: 'x-resp', value: 'yes' }], add: [], remove: ['x-backend'] },
              ],
              backend: A,
            }),
            route('default/rewrite-prefix/0/0', { path: { type: 'PathPrefix', value: '/old' }, filters: [{ type: 'URLRewrite', hostname: 'internal.svc', path: { type: 'ReplacePrefixMatch', value: '/new' } }], backend: A }),
            route('default/rewrite-full/0/0', { path: { type: 'PathPrefix', value: '/full' }, filters: [{ type: 'URLRewrite', path: { type: 'ReplaceFullPath', value: '/replaced' } }], backend: A }),
            route('default/redirect/0/0', { path: { type: 'PathPrefix', value: '/moved' }, filters: [{ type: 'RequestRedirect', scheme: 'https', hostname: 'secure.example.com', statusCode: 301, path: { type: 'ReplacePrefixMatch', value: '/here' } }] }),
            route('default/weights/0/0', { path: { type: 'PathPrefix', value: '/weighted' }, backends: [{ weight: 3, backend: A }, { weight: 1, backend: B }] }),
            route('default/zero/0/0', { path: { type: 'PathPrefix', value: '/zero-weight' }, backends: [{ weight: 0, backend: A }, { weight: 1, backend: B }] }),
            route('default/timeout/0/0', { path: { type: 'PathPrefix', value: '/slow' }, requestMs: 300, backend: A }),
            route('default/direct/0/0', { path: { type: 'PathPrefix', value: '/direct' }, directResponse: { status: 503, body: 'all backendRefs invalid' } }),
            route('default/empty/0/0', { path: { type: 'PathPrefix', value: '/empty' }, backend: noEndpoints }),
            route('default/dead/0/0', { path: { type: 'PathPrefix', value: '/dead' }, backend: dead }),
            route('default/invalid/0/0', { path: { type: 'PathPrefix', value: '/invalid' }, backend: invalid }),
            route('default/ai-set/0/0', { path: { type: 'PathPrefix', value: '/ai-set' }, backend: { kind: 'ai', id: 'default/ai-set', provider: 'openai', endpoints: [{ address: '127.0.0.1', port: a.port }], host: 'api.openai.example', path: '/v1/chat/completions', auth: { type: 'set', header: 'Authorization', value: 'Bearer sk-from-secret' } } }),
            route('default/ai-none/0/0', { path: { type: 'PathPrefix', value: '/ai-none' }, backend: { kind: 'ai', id: 'default/ai-none', provider: 'openai', endpoints: [{ address: '127.0.0.1', port: a.port }], host: 'api.openai.example', path: '/v1/chat/completions', auth: { type: 'none' } } }),
            route('default/h2c/0/0', { path: { type: 'PathPrefix', value: '/grpc-ish' }, backend: h2c }),
            route('default/hosts/0/0', { hostnames: ['*.wild.example.com'], path: { type: 'PathPrefix', value: '/wild' }, backend: B }),
          ]),
        ],
      },
    ]),
  );
});

test.after.always(async () => {
  for (const b of backends) b.server.close();
  h2cBackend?.close();
  await dp.dataplane.close();
});

test('Exact matches only the exact path', async (t) => {
  t.is((await send('/exact')).json().backend, 'a');
  const r = await send('/exact/more');
  t.is(r.status, 404);
  const line = await dp.waitForLine((f) => f.path === '/exact/more');
  t.is(line.flags, 'NR');
});

test('PathPrefix matches whole segments', async (t) => {
  t.is((await send('/api')).json().backend, 'b');
  t.is((await send('/api/v1?x=1')).json().path, '/api/v1?x=1');
  t.is((await send('/apix')).status, 404);
});

test('RegularExpression matches the whole path', async (t) => {
  t.is((await send('/v2/items')).json().backend, 'a');
  t.is((await send('/v2/items/9')).status, 404);
});

test('method, header and query matches', async (t) => {
  t.is((await send('/m', { method: 'POST', body: 'x' })).json().backend, 'b');
  t.is((await send('/m')).status, 404);
  t.is((await send('/h', { headers: { 'x-env': 'canary' } })).json().backend, 'b');
  t.is((await send('/h', { headers: { 'x-env': 'stable' } })).json().backend, 'a');
  t.is((await send('/q?v=3')).json().backend, 'b');
  t.is((await send('/q?v=4')).status, 404);
});

test('Host chooses the listener on a plain port; route hostnames use wildcards', async (t) => {
  t.is((await send('/anything', { headers: { host: 'other.example.com:8080' } })).json().backend, 'b');
  t.is((await send('/wild', { headers: { host: 'x.wild.example.com' } })).json().backend, 'b');
  t.is((await send('/wild', { headers: { host: 'wild.example.com' } })).status, 404);
});

test('request and response header modifiers', async (t) => {
  const r = await send('/mods', { headers: { 'x-remove': 'gone', 'x-add': 'one' } });
  const seen = r.json().headers;
  t.is(seen['x-set'], 'one');
  t.is(seen['x-add'], 'one, two');
  t.is(seen['x-remove'], undefined);
  t.is(r.headers['x-resp'], 'yes');
  t.is(r.headers['x-backend'], undefined);
});

test('hop-by-hop headers stay on their hop; X-Forwarded-For/-Proto are added', async (t) => {
  const r = await send('/api', { headers: { connection: 'keep-alive, x-hop', 'x-hop': 'secret', 'x-forwarded-for': '10.0.0.1' } });
  const seen = r.json().headers;
  t.is(seen['x-hop'], undefined);
  t.is(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
  t.is(seen['x-forwarded-proto'], 'http');
  t.is(seen.host, 'app.example.com');
});

test('URLRewrite: hostname and ReplacePrefixMatch; ReplaceFullPath', async (t) => {
  const r = (await send('/old/thing?k=v')).json();
  t.is(r.path, '/new/thing?k=v');
  t.is(r.headers.host, 'internal.svc');
  t.is((await send('/full/a/b')).json().path, '/replaced');
});

test('RequestRedirect builds the Location from scheme, host and path', async (t) => {
  const r = await send('/moved/x?y=1');
  t.is(r.status, 301);
  t.is(r.headers.location, 'https://secure.example.com/here/x?y=1');
});

test('weighted backends follow their weights; weight 0 is never chosen', async (t) => {
  const counts: Record<string, number> = { a: 0, b: 0 };
  for (let i = 0; i < 200; i++) counts[(await send('/weighted')).json().backend]++;
  t.true(counts.a > counts.b * 1.8, JSON.stringify(counts));
  t.true(counts.b > 20, JSON.stringify(counts));
  for (let i = 0; i < 30; i++) t.is((await send('/zero-weight')).json().backend, 'b');
});

test('timeouts.request answers 504 with flag UT (Envoy: upstream request timeout)', async (t) => {
  const started = Date.now();
  const r = await send('/slow');
  t.is(r.status, 504);
  // The backend answers /slow after 2 s; the 504 had to come before that (a bound on order, not on speed).
  t.true(Date.now() - started < 2000);
  const line = await dp.waitForLine((f) => f.path === '/slow');
  t.is(line.flags, 'UT');
});

test('direct responses (no flag, as in Envoy), no endpoints (UH), connect failure (UF), invalid backend', async (t) => {
  const direct = await send('/direct');
  t.is(direct.status, 503);
  t.is(direct.body, 'all backendRefs invalid');
  // Envoy has no flag for a direct response (DR is its downstream remote reset): none here either.
  t.is((await dp.waitForLine((f) => f.path === '/direct')).flags, '-');
  t.is((await send('/empty')).status, 503);
  t.is((await dp.waitForLine((f) => f.path === '/empty')).flags, 'UH');
  t.is((await send('/dead')).status, 503);
  const dead = await dp.waitForLine((f) => f.path === '/dead');
  t.is(dead.flags, 'UF');
  t.regex(dead.error ?? '', /ECONNREFUSED/);
  const invalid = await send('/invalid');
  t.is(invalid.status, 500);
  t.regex(invalid.body, /not found/);
});

test('an h2c backend (appProtocol kubernetes.io/h2c) is spoken to in cleartext HTTP/2', async (t) => {
  const raw = await send('/grpc-ish/x');
  t.is(raw.status, 200, raw.body);
  const r = raw.json() as unknown as { backend: string; httpVersion: string; path: string };
  t.is(r.backend, 'h2c');
  t.is(r.httpVersion, '2.0');
  t.is(r.path, '/grpc-ish/x');
});

test('AI backend auth: set replaces the caller\'s key, none removes it; no model override keeps the body', async (t) => {
  const body = JSON.stringify({ model: 'client-model', messages: [] });
  const set = (await send('/ai-set?x=1', { method: 'POST', body, headers: { authorization: 'Bearer sk-caller', 'content-type': 'application/json' } })).json();
  t.is(set.path, '/v1/chat/completions?x=1');
  t.is(set.headers.authorization, 'Bearer sk-from-secret');
  t.is(set.headers.host, 'api.openai.example');
  t.is(set.body, body);
  const none = (await send('/ai-none', { method: 'POST', body, headers: { authorization: 'Bearer sk-caller' } })).json();
  t.is(none.headers.authorization, undefined);
});
