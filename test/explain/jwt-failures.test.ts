// The JWT failure modes of the explanation catalogue, as a table: each row is
// an answer a gateway really gives (this workshop's gateway's words are made
// by its own verifier from tokens signed with jose; Envoy's and
// agentgateway's are their documented strings) and the entry that must
// explain it. Every explanation says why and how to fix, shows the token's
// header and claims, and never its signature.
import test from 'ava';
import crypto from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { explain } from '../../source/explain/index.js';
import type { ProbeResult } from '../../source/probe/types.js';
import { JwtVerifier, wwwAuthenticate } from '../../gateway/policy/jwt-verify.js';
import { pemToJwk } from '../../gateway/translate/jwt-policies.js';
import { makeToken } from '../../source/lesson/steps/tokens.js';
import type { TokenSpec } from '../../source/lesson/types.js';
import type { JwtPolicyIR } from '../../gateway/ir/types.js';

const ALICE_TOKEN =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyAiaXNzIjogInNvbG8uaW8iLCAib3JnIjogInNvbG8uaW8iLCAic3ViIjogImFsaWNlIiwgInRlYW0iOiAiZGV2IiwgImxsbXMiOiB7ICJvcGVuYWkiOiBbICJncHQtMy41LXR1cmJvIiBdIH0gfQ.I7whTti0aDKxlILc5uLK9oo6TljGS6JUrjPVd6z1PxzucUa_cnuKkY0qj_wrkzyVN5djy4t2ggE1uBO8Llpwi-Ygru9hM84-1m53aO07JYFya1VTDsI25tCRG8rYhShDdAP5L935SIARta2QtHhrVcd1Ae7yfTDZ8G1DXLtjR2QelszCd2R8PioCQmqJ8PeKg4sURhu05GlBCZoXES9-rtPVbe6j3YLBTodJAvLHhyy3LgV_QbN7IiZ5qEywdKHoEF4D4aCUf_LqPp4NoqHXnGT4jLzWJEtZXHQ4sgRy_5T93NOLzWLdIjgMjGO_F0aVLwBzU-phykOVfcBPaMvetg';
const LAB_PEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAskFAGESgB22iOsGk/UgX
BXTmMtd8R0vphvZ4RkXySOIra/vsg1UKay6aESBoZzeLX3MbBp5laQenjaYJ3U8P
QLCcellbaiyUuE6+obPQVIa9GEJl37GQmZIMQj4y68KHZ4m2WbQVlZVIw/Uw52cw
eGtitLMztiTnsve0xtgdUzV0TaynaQrRW7REF+PtLWitnvp9evweOrzHhQiPLcdm
fxfxCbEJHa0LRyyYatCZETOeZgkOHlYSU0ziyMhHBqpDH1vzXrM573MQ5MtrKkWR
T4ZQKuEe0Acyd2GhRg9ZAxNqs/gbb8bukDPXv4JnFLtWZ/7EooKbUC/QBKhQYAsK
bQIDAQAB
-----END PUBLIC KEY-----`;

function answer(token: string | undefined, status: number, challenge: string | undefined, body: string): ProbeResult {
  const headers: [string, string][] = [['content-type', 'application/json']];
  if (token !== undefined) headers.push(['authorization', `Bearer ${token}`]);
  return {
    request: { url: 'http://127.0.0.1:8080/openai', method: 'POST', headers },
    outcome: 'established',
    curlExitCode: 0,
    records: [],
    http: { version: '1.1', status, headers: challenge ? { 'www-authenticate': challenge } : {}, body, bodyTruncated: false },
    timings: { totalMs: 1 },
  };
}

interface Row {
  name: string;
  result: ProbeResult;
  id: string;
}

const rows: Row[] = [];
const signer = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = signer.publicKey.export({ type: 'spki', format: 'pem' }).toString();

test.before(async () => {
  const kid = await calculateJwkThumbprint(await exportJWK(signer.publicKey), 'sha256');
  const labKey = pemToJwk(LAB_PEM);
  const ours = pemToJwk(publicPem);
  const oneKey: JwtPolicyIR = { source: 'gloo-system/agentgateway-jwt-auth', mode: 'Strict', providers: [{ name: 'selfminted', issuer: 'solo.io', jwks: { keys: [labKey] } }] };
  const twoKeys: JwtPolicyIR = { ...oneKey, providers: [...oneKey.providers, { name: 'rotated', issuer: 'solo.io', jwks: { keys: [ours] } }] };
  const verifier = new JwtVerifier();
  const step = { claims: { iss: 'solo.io', sub: 'bob' }, expiresInSeconds: 3600 };
  const now = Math.floor(Date.now() / 1000);
  const made = async (spec: Partial<TokenSpec> & Pick<TokenSpec, 'recipe'>) => (await makeToken(step, { name: 'x', claims: {}, ...spec }, signer.privateKey, publicPem, kid, now)).token;
  // What this workshop's gateway answers (gateway/dataplane/http-handler.ts): 401, the RFC 6750 challenge, the reason in the body.
  const gateway = async (name: string, policy: JwtPolicyIR, token: string | undefined, id: string) => {
    const outcome = await verifier.verify(policy, token === undefined ? undefined : `Bearer ${token}`);
    if (outcome.ok) throw new Error(`${name}: the verifier accepted the token`);
    rows.push({ name: `gateway: ${name}`, result: answer(token, 401, wwwAuthenticate('http', outcome), `unauthorized: ${outcome.description}\n`), id });
  };
  await gateway('no token', oneKey, undefined, 'jwt-missing');
  await gateway('ALICE_TOKEN with two keys', twoKeys, ALICE_TOKEN, 'jwt-kid-ambiguous');
  await gateway('alg none', twoKeys, await made({ recipe: 'alg-none' }), 'jwt-alg-none');
  await gateway('HS256 keyed with the public key', twoKeys, await made({ recipe: 'hs256-public-key' }), 'jwt-alg-key-mismatch');
  await gateway('expired', twoKeys, await made({ recipe: 'signed', expiresInSeconds: -60 }), 'jwt-expired');
  await gateway('wrong issuer', twoKeys, await made({ recipe: 'signed', claims: { iss: 'evil.example' } }), 'jwt-wrong-issuer');
  await gateway('tampered', twoKeys, await made({ recipe: 'tampered', tamper: { sub: 'admin' } }), 'jwt-bad-signature');
  await gateway('unknown kid', oneKey, await made({ recipe: 'signed' }), 'jwt-unknown-kid');
  await gateway('not a JWT', oneKey, 'not-a-token', 'jwt-malformed');
  await gateway('audience', { ...twoKeys, providers: twoKeys.providers.map((p) => ({ ...p, audiences: ['api.example'] })) }, await made({ recipe: 'signed' }), 'jwt-wrong-audience');
  await gateway('not yet valid', twoKeys, await made({ recipe: 'signed', claims: { nbf: now + 3600 } }), 'jwt-not-yet-valid');
  // The lab text's own sample (Gloo's agentgateway-based build) and Envoy's jwt_authn words.
  rows.push({ name: 'agentgateway: no kid (the lab text)', result: answer(ALICE_TOKEN, 403, undefined, 'authentication failure: the token header does not specify a `kid`'), id: 'jwt-kid-ambiguous' });
  rows.push({ name: 'envoy: expired', result: answer(await made({ recipe: 'signed', expiresInSeconds: -60 }), 401, 'Bearer realm="http://x/openai", error="invalid_token"', 'Jwt is expired'), id: 'jwt-expired' });
  rows.push({ name: 'envoy: issuer', result: answer(await made({ recipe: 'signed' }), 401, 'Bearer realm="http://x/openai", error="invalid_token"', 'Jwt issuer is not configured'), id: 'jwt-wrong-issuer' });
  rows.push({ name: 'envoy: signature', result: answer(await made({ recipe: 'tampered', tamper: { sub: 'admin' } }), 401, 'Bearer realm="http://x/openai", error="invalid_token"', 'Jwt verification fails'), id: 'jwt-bad-signature' });
  rows.push({ name: 'envoy: missing', result: answer(undefined, 401, 'Bearer realm="http://x/openai"', 'Jwt is missing'), id: 'jwt-missing' });
});

test('each JWT refusal is explained by the entry for the check that failed, with why and fix', (t) => {
  t.true(rows.length >= 16);
  for (const row of rows) {
    const explanation = explain(row.result);
    t.is(explanation?.id, row.id, row.name);
    t.truthy(explanation?.cause, row.name);
    t.truthy(explanation?.fix, row.name);
  }
});

test('an explanation shows the token header and claims, never the signature', (t) => {
  for (const row of rows) {
    const token = row.result.request.headers?.find(([n]) => n === 'authorization')?.[1].slice('Bearer '.length);
    const parts = token?.split('.');
    if (!parts || parts.length !== 3) continue;
    const explanation = explain(row.result)!;
    const header = JSON.stringify(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()));
    t.true(explanation.cause.includes(header), `${row.name}: ${explanation.cause}`);
    if (parts[2]) t.false(explanation.cause.includes(parts[2]) || (explanation.fix ?? '').includes(parts[2]), `${row.name}: the signature is not shown`);
  }
});

test('a 401 that is not about a JWT still gets the generic entry, and a success is not a JWT failure', (t) => {
  t.is(explain(answer(undefined, 401, 'Basic realm="x"', 'who are you'))?.id, 'unauthorized-401');
  t.is(explain(answer(ALICE_TOKEN, 200, undefined, '{"choices":[]}'))?.id, 'plain-http-succeeded');
});
