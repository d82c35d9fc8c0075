// The filters added for conformance, on the wire through a real data plane:
// CORS (HTTPRouteCORS's cases), RequestMirror (HTTPRouteRequestMirror: the
// mirror backend sees the request, body included, and the client's answer
// comes from the main backend only) and filters on a backendRef
// (HTTPRouteBackendRequestHeaderModifier / -RequestRedirect / -URLRewrite).
import test from 'ava';
import http from 'node:http';
import { freePort, gatewayIR, httpListener, route, service, startDataplane, startEchoBackend } from './helpers.js';

const dp = startDataplane();
let port = 0;
let main: Awaited<ReturnType<typeof startEchoBackend>>;
let mirror: Awaited<ReturnType<typeof startEchoBackend>>;
let other: Awaited<ReturnType<typeof startEchoBackend>>;

function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: 'app.example.com', ...opts.headers }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Resolves when the backend has received a request for `path` (bounded). */
async function receivedBy(backend: typeof mirror, path: string, timeoutMs = 5000): Promise<{ path: string; headers: http.IncomingHttpHeaders; body: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = backend.requests.find((r) => r.path === path);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`${path} never reached the backend; it saw ${backend.requests.map((r) => r.path).join(', ') || 'nothing'}`);
    // The backend records a request when its body has ended; look again after its next request or 50 ms.
    await new Promise<void>((resolve) => {
      const onRequest = () => {
        clearTimeout(timer);
        setImmediate(resolve);
      };
      const timer = setTimeout(() => {
        backend.server.off('request', onRequest);
        resolve();
      }, 50);
      backend.server.once('request', onRequest);
    });
  }
}

test.before(async () => {
  [main, mirror, other] = await Promise.all([startEchoBackend('main'), startEchoBackend('mirror'), startEchoBackend('other')]);
  port = await freePort();
  const MAIN = service('default/main:80', main.port);
  const MIRROR = service('default/mirror:80', mirror.port);
  const OTHER = service('default/other:80', other.port);
  const cors1 = { type: 'CORS' as const, allowOrigins: ['https://www.foo.com', 'https://*.bar.com'], allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['x-header-1', 'x-header-2'], exposeHeaders: ['x-header-3', 'x-header-4'], allowCredentials: true, maxAgeSeconds: 3600 };
  const cors2 = { type: 'CORS' as const, allowOrigins: ['https://www.foo.com'], allowMethods: ['*'], allowHeaders: [], exposeHeaders: [], allowCredentials: false };
  await dp.dataplane.update(
    gatewayIR([
      {
        port,
        transport: 'http',
        listeners: [
          httpListener('http', undefined, [
            route('default/cors-1/0/0', { path: { type: 'PathPrefix', value: '/cors-1' }, filters: [cors1], backend: MAIN }),
            route('default/cors-2/0/0', { path: { type: 'PathPrefix', value: '/cors-2' }, filters: [cors2], backend: MAIN }),
            route('default/mirror/0/0', { path: { type: 'PathPrefix', value: '/mirror' }, filters: [{ type: 'RequestMirror', backend: MIRROR, percent: 100 }], backend: MAIN }),
            route('default/mirror-never/0/0', { path: { type: 'PathPrefix', value: '/never' }, filters: [{ type: 'RequestMirror', backend: MIRROR, percent: 0 }], backend: MAIN }),
            route('default/backend-filters/0/0', {
              path: { type: 'PathPrefix', value: '/backend-filters' },
              backends: [{ weight: 1, backend: MAIN, filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'x-chosen', value: 'main' }], add: [], remove: [] }, { type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/rewritten' } }] }],
            }),
            route('default/backend-redirect/0/0', {
              path: { type: 'PathPrefix', value: '/backend-redirect' },
              backends: [{ weight: 1, backend: OTHER, filters: [{ type: 'RequestRedirect', statusCode: 302, hostname: 'redirected.example.com' }] }],
            }),
          ]),
        ],
      },
    ]),
  );
});

test.after.always(async () => {
  await dp.dataplane.close();
  for (const b of [main, mirror, other]) b?.server.close();
});

test('CORS preflight from an exact or wildcard origin is answered by the gateway with every allow header', async (t) => {
  for (const origin of ['https://www.foo.com', 'https://www.bar.com', 'https://xpto.www.bar.com']) {
    const reply = await send('/cors-1', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-header-1, x-header-2' } });
    t.is(reply.status, 200);
    t.is(reply.headers['access-control-allow-origin'], origin);
    t.is(reply.headers['access-control-allow-methods'], 'GET, OPTIONS');
    t.is(reply.headers['access-control-allow-headers'], 'x-header-1, x-header-2');
    t.is(reply.headers['access-control-expose-headers'], 'x-header-3, x-header-4');
    t.is(reply.headers['access-control-max-age'], '3600');
    t.is(reply.headers['access-control-allow-credentials'], 'true');
  }
  t.false(main.requests.some((r) => r.headers['access-control-request-method'] !== undefined && r.headers.origin !== 'https://foobar.com'), 'an allowed preflight is never forwarded');
});

test('CORS from an origin not allowed: no allow-origin, on preflight and on the actual request', async (t) => {
  const preflight = await send('/cors-1', { method: 'OPTIONS', headers: { origin: 'https://foobar.com', 'access-control-request-method': 'GET' } });
  t.is(preflight.headers['access-control-allow-origin'], undefined);
  const actual = await send('/cors-1', { headers: { origin: 'https://foobar.com' } });
  t.is(actual.status, 200);
  t.is(actual.headers['access-control-allow-origin'], undefined);
});

test('CORS actual request from an allowed origin: forwarded, and the answer carries allow-origin', async (t) => {
  const reply = await send('/cors-1', { headers: { origin: 'https://www.bar.com' } });
  t.is(reply.status, 200);
  t.is(reply.headers['x-backend'], 'main');
  t.is(reply.headers['access-control-allow-origin'], 'https://www.bar.com');
});

test('CORS allowMethods "*" answers the requested method and no allow-credentials without allowCredentials', async (t) => {
  const reply = await send('/cors-2', { method: 'OPTIONS', headers: { origin: 'https://www.foo.com', 'access-control-request-method': 'POST' } });
  t.is(reply.status, 200);
  t.is(reply.headers['access-control-allow-methods'], 'POST');
  t.is(reply.headers['access-control-allow-origin'], 'https://www.foo.com');
  t.is(reply.headers['access-control-allow-credentials'], undefined);
});

test('RequestMirror: the mirror receives the request with its body; the client gets the main backend\'s answer', async (t) => {
  const reply = await send('/mirror/post', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'mirrored body' });
  t.is(reply.status, 200);
  t.is(reply.headers['x-backend'], 'main');
  t.is(JSON.parse(reply.body).body, 'mirrored body');
  const copy = await receivedBy(mirror, '/mirror/post');
  t.is(copy.body, 'mirrored body');
  const none = await send('/never/get');
  t.is(none.status, 200);
  t.false(mirror.requests.some((r) => r.path === '/never/get'), 'percent 0 mirrors nothing');
});

test('backendRef filters apply when that backend is chosen: header modifier and URL rewrite, then a redirect', async (t) => {
  const reply = await send('/backend-filters/x');
  t.is(reply.status, 200);
  const seen = JSON.parse(reply.body) as { path: string; headers: Record<string, string> };
  t.is(seen.path, '/rewritten/x');
  t.is(seen.headers['x-chosen'], 'main');
  const redirect = await send('/backend-redirect/y');
  t.is(redirect.status, 302);
  // No port in the filter and no scheme change: the listener's port (Gateway API redirect rules).
  t.is(redirect.headers.location, `http://redirected.example.com:${port}/backend-redirect/y`);
  t.is(other.requests.length, 0, 'a redirect never reaches the backend');
});
