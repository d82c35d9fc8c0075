// The go-httpbin workload: the endpoints the labs touch, over HTTP and (from its env) HTTPS.
import test from 'ava';
import { Agent, request } from 'undici';
import { freePort, startWorkload, type RunningWorkload } from './spawn-workload.js';
import { makeFixtures, type Fixtures } from './tls-fixtures.js';
import { parseHttpbinConfig } from '../../source/workloads/go-httpbin/index.js';

const host = '127.0.0.1';
let plain: RunningWorkload;
let secure: RunningWorkload;
let fixtures: Fixtures;
let base: string;

test.before(async () => {
  fixtures = makeFixtures(['httpbin.example.com']);
  plain = await startWorkload('go-httpbin', ['-port', String(await freePort(host))], { AGW_POD_IP: host });
  base = `http://${host}:${plain.listening[0]!.port}`;
  secure = await startWorkload('go-httpbin', [], {
    AGW_POD_IP: host, PORT: String(await freePort(host)),
    HTTPS_CERT_FILE: fixtures.files['httpbin.example.com.crt']!, HTTPS_KEY_FILE: fixtures.files['httpbin.example.com.key']!,
  });
});
test.after.always(async () => {
  await Promise.all([plain?.stop(), secure?.stop()]);
  fixtures?.cleanup();
});

test('/get, /headers, /ip, /uuid and /json answer like go-httpbin', async (t) => {
  const get = (await (await request(`${base}/get?a=1&a=2`, { headers: { 'x-lab': 'sni' } })).body.json()) as any;
  t.deepEqual(get.args, { a: ['1', '2'] });
  t.deepEqual(get.headers['X-Lab'], ['sni']);
  t.is(get.method, 'GET');
  t.is(get.origin, '127.0.0.1');
  t.is(get.url, `${base}/get?a=1&a=2`);
  const headers = (await (await request(`${base}/headers`)).body.json()) as any;
  t.truthy(headers.headers.Host);
  t.deepEqual((await (await request(`${base}/ip`)).body.json()) as any, { origin: '127.0.0.1' });
  t.regex(((await (await request(`${base}/uuid`)).body.json()) as any).uuid, /^[0-9a-f-]{36}$/);
  t.is(((await (await request(`${base}/json`)).body.json()) as any).slideshow.title, 'Sample Slide Show');
});

test('POST /post and /anything echo the body; /status and /delay behave', async (t) => {
  const post = (await (await request(`${base}/post`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"k":"v"}' })).body.json()) as any;
  t.deepEqual(post.json, { k: 'v' });
  t.is(post.data, '{"k":"v"}');
  t.is((await request(`${base}/post`)).statusCode, 405);
  const anything = (await (await request(`${base}/anything/deep/path`, { method: 'PUT', body: 'x' })).body.json()) as any;
  t.is(anything.method, 'PUT');
  t.is((await request(`${base}/status/503`)).statusCode, 503);
  const started = performance.now();
  t.is((await request(`${base}/delay/1`)).statusCode, 200);
  t.true(performance.now() - started >= 950);
});

test('HTTPS_CERT_FILE/HTTPS_KEY_FILE serve HTTPS with that certificate', async (t) => {
  const dispatcher = new Agent({ connect: { ca: fixtures.ca.certPem, servername: 'httpbin.example.com' } });
  t.teardown(() => dispatcher.close());
  const response = await request(`https://${host}:${secure.listening[0]!.port}/get`, { dispatcher, headers: { host: 'httpbin.example.com' } });
  t.is(response.statusCode, 200);
  t.is(((await response.body.json()) as any).url, 'https://httpbin.example.com/get');
});

test('flags win over env, and a certificate without a key is refused', (t) => {
  t.is(parseHttpbinConfig(['-port', '9000'], { PORT: '8000' }).port, 9000);
  t.is(parseHttpbinConfig([], { PORT: '8000' }).port, 8000);
  t.throws(() => parseHttpbinConfig(['-https-cert-file', '/c'], {}), { message: /both/ });
});
