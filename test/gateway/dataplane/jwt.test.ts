// JWT policy on a route: a token naming its key by kid passes; a kid-less
// token passes when exactly one key could have signed it (and the log says
// so) and is refused when several could; a wrong signature, a wrong issuer or
// no token at all → 401 with an RFC 6750 WWW-Authenticate challenge naming
// the check that failed.
import test from 'ava';
import http from 'node:http';
import crypto from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import type { JwtPolicyIR } from '../../../gateway/ir/types.js';
import { freePort, gatewayIR, httpListener, route, service, startDataplane, startEchoBackend } from './helpers.js';

const dp = startDataplane();
let port = 0;
let echo: Awaited<ReturnType<typeof startEchoBackend>>;
const signer = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

async function token(key: crypto.KeyObject, header: Record<string, string>, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: 'learner', ...claims }).setProtectedHeader({ alg: 'RS256', ...header }).setIssuer('solo.io').sign(key);
}

function get(path: string, authorization?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: authorization ? { authorization } : {}, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test.before(async () => {
  echo = await startEchoBackend('echo');
  port = await freePort();
  const jwk = (k: crypto.KeyObject, kid: string) => exportJWK(k).then((j) => ({ ...j, kid, alg: 'RS256', use: 'sig' }));
  const strict: JwtPolicyIR = {
    source: 'ns/jwt-policy',
    mode: 'Strict',
    providers: [{ name: 'solo', issuer: 'solo.io', jwks: { keys: [await jwk(signer.publicKey, 'signer'), await jwk(other.publicKey, 'other')] } }],
  };
  const oneKey: JwtPolicyIR = { ...strict, providers: [{ name: 'solo', issuer: 'solo.io', jwks: { keys: [await jwk(signer.publicKey, 'signer')] } }] };
  const backend = service('ns/echo:80', echo.port);
  await dp.dataplane.update(
    gatewayIR([
      {
        port,
        transport: 'http',
        listeners: [
          httpListener('http', undefined, [
            route('ns/secure/0/0', { path: { type: 'PathPrefix', value: '/secure' }, backend, policies: { jwt: strict } }),
            route('ns/one-key/0/0', { path: { type: 'PathPrefix', value: '/one-key' }, backend, policies: { jwt: oneKey } }),
            route('ns/optional/0/0', { path: { type: 'PathPrefix', value: '/optional' }, backend, policies: { jwt: { ...strict, mode: 'Optional' } } }),
          ]),
        ],
      },
    ]),
  );
});

test.after.always(async () => {
  echo.server.close();
  await dp.dataplane.close();
});

test('a token with a known kid passes', async (t) => {
  const r = await get('/secure/kid', `Bearer ${await token(signer.privateKey, { kid: 'signer' })}`);
  t.is(r.status, 200);
});

test('a kid-less token passes when exactly one key could have signed it, and the log says so', async (t) => {
  const r = await get('/one-key/no-kid', `Bearer ${await token(signer.privateKey, { typ: 'JWT' })}`);
  t.is(r.status, 200);
  const line = await dp.waitForLine((f) => f.path === '/one-key/no-kid');
  t.regex(line.message, /token without kid accepted: exactly one key \(kid signer\) could verify it/);
});

test('the same kid-less token is refused when two keys could have signed it: no single key can be chosen', async (t) => {
  const r = await get('/secure/no-kid', `Bearer ${await token(signer.privateKey, { typ: 'JWT' })}`);
  t.is(r.status, 401);
  t.regex(String(r.headers['www-authenticate']), /error="invalid_token", error_description="the token header does not specify a `kid`, and 2 keys could verify it: no single key can be chosen"/);
  t.regex(r.body, /2 keys could verify an "RS256" token/);
});

test('each refusal names the check that failed', async (t) => {
  const signed = (claims: Record<string, unknown>, header: Record<string, string> = { kid: 'signer' }) => token(signer.privateKey, header, claims);
  const cases: [string, string, RegExp][] = [
    ['expired', await signed({ exp: Math.floor(Date.now() / 1000) - 60 }), /exp check failed: the token expired at/],
    ['issuer', await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'signer' }).setIssuer('evil').sign(signer.privateKey), /iss check failed: issuer "evil" is not the provider's issuer "solo.io"/],
    ['stranger', await token(stranger.privateKey, { kid: 'signer' }), /signature check failed: key "signer" did not sign/],
    ['none', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"solo.io"}').toString('base64url')}.`, /alg none: an unsigned token is never accepted/],
    ['hs256', await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'signer' }).setIssuer('solo.io').sign(new TextEncoder().encode('secret')), /alg "HS256" does not fit key "signer" \(kty RSA\)/],
  ];
  for (const [name, jwt, reason] of cases) {
    const r = await get(`/secure/check-${name}`, `Bearer ${jwt}`);
    t.is(r.status, 401, name);
    // The body names the check and what the token said; the challenge names the check in our words only.
    t.regex(r.body, reason, name);
    t.regex(String(r.headers['www-authenticate']), /^Bearer realm="http", error="invalid_token", error_description="[ -~]+"$/, name);
  }
});

test('no token → 401 with a Bearer challenge', async (t) => {
  const r = await get('/secure/none');
  t.is(r.status, 401);
  t.is(r.headers['www-authenticate'], 'Bearer realm="http"');
  t.is((await dp.waitForLine((f) => f.path === '/secure/none')).flags, 'JW');
});

test('a token signed by an unknown key → 401 invalid_token', async (t) => {
  const r = await get('/secure/stranger', `Bearer ${await token(stranger.privateKey, {})}`);
  t.is(r.status, 401);
  t.regex(String(r.headers['www-authenticate']), /error="invalid_token"/);
});

test('a wrong issuer or an unknown kid → 401', async (t) => {
  const wrongIssuer = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'signer' }).setIssuer('evil').sign(signer.privateKey);
  t.is((await get('/secure/iss', `Bearer ${wrongIssuer}`)).status, 401);
  const unknownKid = await get('/secure/kid2', `Bearer ${await token(signer.privateKey, { kid: 'nope' })}`);
  t.is(unknownKid.status, 401);
  t.is(unknownKid.headers['www-authenticate'], 'Bearer realm="http", error="invalid_token", error_description="token uses an unknown key (kid)"');
  t.regex(unknownKid.body, /token uses the unknown key "nope"/);
});

test('Optional mode lets a request without a token through but still rejects a bad one', async (t) => {
  t.is((await get('/optional/none')).status, 200);
  t.is((await get('/optional/bad', 'Bearer not.a.token')).status, 401);
});

test('a kid with CR/LF gets a 401, not a reset; nothing of the token is echoed into response headers', async (t) => {
  const evil = await token(signer.privateKey, { kid: 'x\r\nset-cookie: owned=1\r\nx-injected: yes' });
  const r = await get('/secure', `Bearer ${evil}`);
  t.is(r.status, 401);
  t.is(r.headers['set-cookie'], undefined);
  t.is(r.headers['x-injected'], undefined);
  t.is(r.headers['www-authenticate'], 'Bearer realm="http", error="invalid_token", error_description="token uses an unknown key (kid)"');
  t.false(JSON.stringify(r.headers).includes('owned'));
  t.regex(r.body, /token uses the unknown key "x\\r\\nset-cookie/, 'the body quotes it, escaped');
});

test('an Authorization header over the header limit is 431, not a reset', async (t) => {
  const huge = `Bearer ${'a'.repeat(20_000)}`;
  const r = await get('/secure', huge);
  t.is(r.status, 431);
});

test('jku and x5u in a token header are never fetched', async (t) => {
  const hits: string[] = [];
  const trap = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => trap.close());
  const trapUrl = `http://127.0.0.1:${(trap.address() as import('node:net').AddressInfo).port}`;
  const forged = await token(stranger.privateKey, { jku: `${trapUrl}/jwks.json`, x5u: `${trapUrl}/cert.pem` });
  const r = await get('/secure', `Bearer ${forged}`);
  t.is(r.status, 401);
  const signedWithKid = await token(stranger.privateKey, { kid: 'signer', jku: `${trapUrl}/jwks.json` });
  t.is((await get('/secure', `Bearer ${signedWithKid}`)).status, 401);
  t.deepEqual(hits, []);
});
