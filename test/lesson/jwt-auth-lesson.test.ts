// The jwt-auth lesson as data: it follows the JWT lab text (its manifests
// verbatim where the lesson says so, its ALICE_TOKEN and PEM key exactly),
// every probe's expected explanation exists in the catalogue, every forged
// token of "try to break it" is made by the tokens step and expected to be
// refused, and the commands shown are the lab's own where it has one.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadLesson, packageRoot } from '../../source/lesson/load.js';
import { stepCommands } from '../../source/lesson/step-commands.js';
import { failureModeIds } from '../../source/explain/index.js';
import { conditionHolds } from '../../source/lesson/steps/wait.js';
import { openAiApiKey, PLACEHOLDER_OPENAI_API_KEY } from '../../source/lesson/variables-resolver.js';
import { parseKeyMaterial } from '../../gateway/translate/jwt-policies.js';
import type { ProbeStep, Step, TokensStep } from '../../source/lesson/types.js';

const ALICE_TOKEN =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyAiaXNzIjogInNvbG8uaW8iLCAib3JnIjogInNvbG8uaW8iLCAic3ViIjogImFsaWNlIiwgInRlYW0iOiAiZGV2IiwgImxsbXMiOiB7ICJvcGVuYWkiOiBbICJncHQtMy41LXR1cmJvIiBdIH0gfQ.I7whTti0aDKxlILc5uLK9oo6TljGS6JUrjPVd6z1PxzucUa_cnuKkY0qj_wrkzyVN5djy4t2ggE1uBO8Llpwi-Ygru9hM84-1m53aO07JYFya1VTDsI25tCRG8rYhShDdAP5L935SIARta2QtHhrVcd1Ae7yfTDZ8G1DXLtjR2QelszCd2R8PioCQmqJ8PeKg4sURhu05GlBCZoXES9-rtPVbe6j3YLBTodJAvLHhyy3LgV_QbN7IiZ5qEywdKHoEF4D4aCUf_LqPp4NoqHXnGT4jLzWJEtZXHQ4sgRy_5T93NOLzWLdIjgMjGO_F0aVLwBzU-phykOVfcBPaMvetg';

type Doc = { kind: string; metadata: { name: string }; spec: Record<string, any> };
const docs = (file: string): Doc[] => parseAllDocuments(fs.readFileSync(path.join(packageRoot(), file), 'utf8')).map((d) => d.toJSON() as Doc).filter(Boolean);
/** The lab text's manifests, verbatim (test/cluster/pure/fixtures/jwt-lab.yaml). */
const lab = (kind: string) => docs('test/cluster/pure/fixtures/jwt-lab.yaml').find((d) => d.kind === kind)!;
const manifest = (name: string, kind: string) => docs(`manifests/lessons/jwt-auth/${name}`).find((d) => d.kind === kind)!;
const probe = (steps: Step[], id: string) => steps.find((s): s is ProbeStep => s.id === id && s.kind === 'probe')!;

test('jwt-auth is listed right after sni-matching, needs setup, and uses the lab text names', async (t) => {
  const order = fs.readFileSync(path.join(packageRoot(), 'lessons', 'order.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  t.is(order[order.indexOf('sni-matching') + 1], 'jwt-auth');
  const lesson = await loadLesson('jwt-auth');
  t.deepEqual(lesson.prerequisites, ['setup']);
  t.is(lesson.namespace, 'gloo-system');
  t.is(lesson.gateway, 'gloo-agentgateway');
  t.is(lesson.steps.at(-1)?.id, 'wrap-up', 'the lesson ends on its wrap-up (a traces step goes right before it)');
});

test('the route, the policy and the real-OpenAI Backend are the lab text\'s; the offline Backend adds only hostOverride and the model', (t) => {
  t.deepEqual(manifest('route-backend.yaml', 'HTTPRoute'), lab('HTTPRoute'));
  t.deepEqual(manifest('jwt-policy.yaml', 'GlooTrafficPolicy'), lab('GlooTrafficPolicy'));
  t.deepEqual(manifest('backend-openai.yaml', 'Backend'), lab('Backend'));
  const offline = structuredClone(manifest('route-backend.yaml', 'Backend'));
  t.deepEqual(offline.spec.ai.llm.hostOverride, { host: 'mock-gpt-4o-svc.gloo-system.svc.cluster.local', port: 8000 });
  t.is(offline.spec.ai.llm.provider.openai.model, 'mock-gpt-4o');
  delete offline.spec.ai.llm.hostOverride;
  delete offline.spec.ai.llm.provider.openai.model;
  t.deepEqual(offline, lab('Backend'));
  const twoKeys = manifest('jwt-policy-two-keys.yaml', 'GlooTrafficPolicy');
  const providers = twoKeys.spec.glooJWT.beforeExtAuth.providers;
  t.deepEqual(providers.selfminted, lab('GlooTrafficPolicy').spec.glooJWT.beforeExtAuth.providers.selfminted, 'the lab key stays as it was');
  t.deepEqual(providers.rotated, { issuer: 'solo.io', jwks: { local: { key: '${PUBLIC_KEY_PEM_JWT_SIGNER}' } } });
  // The lab's PEM key becomes one RSA JWK with its RFC 7638 thumbprint as kid.
  const [key] = parseKeyMaterial(lab('GlooTrafficPolicy').spec.glooJWT.beforeExtAuth.providers.selfminted.jwks.local.key).keys;
  t.is(key?.kty, 'RSA');
  t.regex(String(key?.kid), /^[A-Za-z0-9_-]{43}$/);
});

test('ALICE_TOKEN is the lab\'s, verbatim: 200 with one key, refused for its missing kid with two, 200 again', async (t) => {
  const { steps } = await loadLesson('jwt-auth');
  const expectations = ['alice', 'alice-refused', 'alice-again'].map((id) => {
    const p = probe(steps, id);
    t.deepEqual(p.probe.headers?.find(([n]) => n === 'authorization'), ['authorization', `Bearer ${ALICE_TOKEN}`], id);
    return [p.expect.status, p.explanation ?? null];
  });
  t.deepEqual(expectations, [[200, null], [401, 'jwt-kid-ambiguous'], [200, null]]);
  const ids = steps.map((s) => s.id);
  t.true(ids.indexOf('alice') < ids.indexOf('two-keys') && ids.indexOf('two-keys') < ids.indexOf('alice-refused') && ids.indexOf('alice-refused') < ids.indexOf('one-key') && ids.indexOf('one-key') < ids.indexOf('alice-again'));
});

test('try to break it: each forged token is made by the tokens step and expected refused with its own explanation', async (t) => {
  const { steps } = await loadLesson('jwt-auth');
  const tokens = steps.find((s): s is TokensStep => s.kind === 'tokens')!;
  const made = new Map(tokens.tokens.map((tok) => [`TOKEN_${tok.name.toUpperCase().replace(/-/g, '_')}`, tok]));
  const cases = [
    ['break-alg-none', 'jwt-alg-none', 'alg-none'],
    ['break-hs256', 'jwt-alg-key-mismatch', 'hs256-public-key'],
    ['break-expired', 'jwt-expired', 'signed'],
    ['break-wrong-issuer', 'jwt-wrong-issuer', 'signed'],
    ['break-tampered', 'jwt-bad-signature', 'tampered'],
  ] as const;
  for (const [id, explanation, recipe] of cases) {
    const p = probe(steps, id);
    t.is(p.expect.status, 401, id);
    t.is(p.explanation, explanation, id);
    const variable = /^Bearer \$\{(TOKEN_[A-Z0-9_]+)\}$/.exec(p.probe.headers?.find(([n]) => n === 'authorization')?.[1] ?? '')?.[1];
    t.is(made.get(variable ?? '')?.recipe, recipe, id);
  }
  t.true((made.get('TOKEN_EXPIRED')?.expiresInSeconds ?? 0) < 0);
  t.is(made.get('TOKEN_WRONG_ISSUER')?.claims.iss, 'evil.example');
  t.is(tokens.claims.iss, 'solo.io');
  const known = new Set(failureModeIds());
  for (const step of steps) if (step.kind === 'probe' && step.explanation) t.true(known.has(step.explanation), `${step.id}: ${step.explanation} is in the catalogue`);
});

test('the commands shown: the lab\'s secret command with $OPENAI_API_KEY, the lab\'s GATEWAY_IP lookup, tokens read from their files', async (t) => {
  const lesson = await loadLesson('jwt-auth');
  const shown = (id: string) => stepCommands(lesson, lesson.steps.find((s) => s.id === id)!, { home: '/tmp/agw-home', kubeconfig: '/tmp/k.yaml' }).map((c) => c.command);
  const [secret] = shown('api-key');
  t.regex(secret!, /create secret generic openai-secret -n gloo-system --from-literal="Authorization=Bearer \$OPENAI_API_KEY" --dry-run=client -o yaml \| kubectl .* apply -f -$/);
  const bob = shown('bob');
  t.true(bob.some((c) => c.includes('--selector=gateway.networking.k8s.io/gateway-name=gloo-agentgateway')));
  t.true(bob.includes('export TOKEN_BOB=$(cat "/tmp/agw-home/work/jwt-auth/bob.jwt")'));
  t.true(bob.some((c) => c.startsWith('curl ') && c.includes('"authorization: Bearer ${TOKEN_BOB}"')));
  t.true(shown('tokens').some((c) => c.includes('openssl dgst -sha256 -sign jwt-signer.key') && c.includes('> bob.jwt')));
  for (const step of lesson.steps) if (step.kind !== 'explain') t.true(shown(step.id).length > 0, `${step.id} shows a command`);
});

test('an unset OPENAI_API_KEY gives an obvious placeholder, never a bare "Bearer "', (t) => {
  t.is(openAiApiKey({}), PLACEHOLDER_OPENAI_API_KEY);
  t.is(openAiApiKey({ OPENAI_API_KEY: '  ' }), PLACEHOLDER_OPENAI_API_KEY);
  t.is(openAiApiKey({ OPENAI_API_KEY: 'sk-real' }), 'sk-real');
  t.regex(PLACEHOLDER_OPENAI_API_KEY, /placeholder-not-a-real-key/);
});

test('a wait on a policy reads its per-ancestor conditions (GEP-713), for the current generation only', (t) => {
  const policy = (observedGeneration: number) => ({
    apiVersion: 'gloo.solo.io/v1alpha1',
    kind: 'GlooTrafficPolicy',
    metadata: { name: 'p', namespace: 'gloo-system', generation: 2 },
    status: { ancestors: [{ ancestorRef: { name: 'gloo-agentgateway' }, conditions: [{ type: 'Accepted', status: 'True', observedGeneration }] }] },
  });
  t.true(conditionHolds(policy(2), { type: 'Accepted', status: 'True' }));
  t.false(conditionHolds(policy(1), { type: 'Accepted', status: 'True' }), 'a condition of the previous generation does not count');
});
