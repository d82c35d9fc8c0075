// The JWT lab end to end, with the real CLI against its own embedded cluster:
// `run jwt-auth --json` (setup first) observes every promise of the lab on the
// wire; then the lab text's own commands, typed as written with the real
// kubectl and curl, give the same answers: no token → 4xx with
// WWW-Authenticate, ALICE_TOKEN → 200, a second key → the kid-less token
// refused with the reason, every forged token refused; then cleanup twice
// leaves no lesson object and replay passes again. Serial: one cluster.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { startTestCluster, run, requireTool, cliPath, repoRoot, type CommandResult, type TestCluster } from '../helpers/cluster.js';
import type { RunnerEvent } from '../../source/lesson/events.js';
import { runFailures as failures, runnerEvents as events } from '../helpers/runner-events.js';

type ProbeEvent = Extract<RunnerEvent, { type: 'probe-result' }>;
const NS = 'gloo-system';
const ALICE_TOKEN =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyAiaXNzIjogInNvbG8uaW8iLCAib3JnIjogInNvbG8uaW8iLCAic3ViIjogImFsaWNlIiwgInRlYW0iOiAiZGV2IiwgImxsbXMiOiB7ICJvcGVuYWkiOiBbICJncHQtMy41LXR1cmJvIiBdIH0gfQ.I7whTti0aDKxlILc5uLK9oo6TljGS6JUrjPVd6z1PxzucUa_cnuKkY0qj_wrkzyVN5djy4t2ggE1uBO8Llpwi-Ygru9hM84-1m53aO07JYFya1VTDsI25tCRG8rYhShDdAP5L935SIARta2QtHhrVcd1Ae7yfTDZ8G1DXLtjR2QelszCd2R8PioCQmqJ8PeKg4sURhu05GlBCZoXES9-rtPVbe6j3YLBTodJAvLHhyy3LgV_QbN7IiZ5qEywdKHoEF4D4aCUf_LqPp4NoqHXnGT4jLzWJEtZXHQ4sgRy_5T93NOLzWLdIjgMjGO_F0aVLwBzU-phykOVfcBPaMvetg';
let cluster: TestCluster;
let env: NodeJS.ProcessEnv;

test.before(async () => {
  await requireTool('curl');
  await requireTool('bash');
  // No API key in the environment: the lesson must use its placeholder.
  cluster = await startTestCluster({ env: { OPENAI_API_KEY: '' } });
  env = { ...process.env, OPENAI_API_KEY: '', AGW_WORKSHOP_HOME: cluster.home, KUBECONFIG: cluster.kubeconfig };
});
test.after.always(async () => {
  await cluster?.stop();
});

/** The CLI with this cluster's home; a whole lesson (with setup) may take longer than the helper's 120 s under load. */
function cli(args: string[]): Promise<CommandResult> {
  const cliEnv = { ...env };
  delete cliEnv.KUBECONFIG;
  return run(process.execPath, [cliPath, ...args], { env: cliEnv, timeoutMs: 240_000 });
}

/** Probe results of jwt-auth by step id. */
function probesById(list: RunnerEvent[]): Map<string, ProbeEvent> {
  const ids = new Map<number, string>();
  const out = new Map<string, ProbeEvent>();
  for (const e of list) {
    if (e.type === 'step-start' && e.lessonId === 'jwt-auth') ids.set(e.index, e.stepId);
    if (e.type === 'probe-result' && e.lessonId === 'jwt-auth') out.set(ids.get(e.index)!, e);
  }
  return out;
}

const workDir = () => path.join(cluster.home, 'work', 'jwt-auth');
const challenge = (p: ProbeEvent | undefined) => String(p?.result.http?.headers['www-authenticate'] ?? '');

// The lab text's commands, verbatim (GATEWAY_IP lookup and curl -i), run by bash with the real kubectl and curl.
const GATEWAY_IP = `export GATEWAY_IP=$(kubectl get svc -n gloo-system --selector=gateway.networking.k8s.io/gateway-name=gloo-agentgateway -o jsonpath='{.items[*].status.loadBalancer.ingress[0].ip}{.items[*].status.loadBalancer.ingress[0].hostname}')`;
const labCurl = (authorization: string | undefined) => `curl -i "$GATEWAY_IP:8080/openai" \\
  -H "content-type: application/json" \\${authorization === undefined ? '' : `\n  -H "Authorization: Bearer ${authorization}" \\`}
  -d '{
    "model": "gpt-4o-mini",
    "messages": [
      {
        "role": "user",
        "content": "Whats your favorite poem?"
      }
    ]
  }'`;

interface CurlAnswer {
  exit: number;
  status: number;
  headers: string;
  body: string;
}

async function typed(script: string): Promise<CurlAnswer> {
  const r = await run('bash', ['-c', `set -e\nexport ALICE_TOKEN="${ALICE_TOKEN}"\n${GATEWAY_IP}\n${script} -sS --max-time 20`], { env, timeoutMs: 30_000 });
  const [head = '', ...rest] = r.stdout.split(/\r?\n\r?\n/);
  return { exit: r.code, status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\n\n') + r.stderr };
}

/** The gateway applies a policy change a moment after kubectl returns: ask again (each attempt real) until it shows, at most 15 s. */
async function typedUntil(script: string, done: (a: CurlAnswer) => boolean): Promise<CurlAnswer> {
  const deadline = Date.now() + 15_000;
  let answer = await typed(script);
  for (let i = 0; i < 60 && !done(answer) && Date.now() < deadline; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await typed(script);
  }
  return answer;
}

test.serial('run jwt-auth --json: every promise of the lab text is observed on the wire', async (t) => {
  t.timeout(300_000);
  const result = await cli(['run', 'jwt-auth', '--json']);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr}`);
  const p = probesById(list);
  t.is(p.get('first-completion')?.result.http?.status, 200);
  t.regex(p.get('first-completion')?.result.http?.body ?? '', /"model":"mock-gpt-4o"/, 'the model override reached the mock');
  t.is(p.get('no-token')?.result.http?.status, 401);
  t.is(challenge(p.get('no-token')), 'Bearer realm="http"');
  t.is(p.get('no-token')?.explanation?.id, 'jwt-missing');
  t.is(p.get('alice')?.result.http?.status, 200);
  t.is(p.get('alice-refused')?.result.http?.status, 401);
  t.regex(challenge(p.get('alice-refused')), /error_description="the token header does not specify a `kid`, and 2 keys could verify it: no single key can be chosen"/);
  t.is(p.get('bob')?.result.http?.status, 200);
  const checks: [string, string, RegExp][] = [
    ['break-alg-none', 'jwt-alg-none', /alg none: an unsigned token is never accepted/],
    ['break-hs256', 'jwt-alg-key-mismatch', /alg "HS256" does not fit key "[A-Za-z0-9_-]{43}" \(kty RSA\)/],
    ['break-expired', 'jwt-expired', /exp check failed: the token expired at/],
    ['break-wrong-issuer', 'jwt-wrong-issuer', /iss check failed: issuer "evil.example" is not the provider's issuer "solo.io"/],
    ['break-tampered', 'jwt-bad-signature', /signature check failed/],
  ];
  for (const [id, explanation, reason] of checks) {
    t.is(p.get(id)?.result.http?.status, 401, id);
    // The body names the check and what the token said; the challenge header carries no token bytes.
    t.regex(p.get(id)?.result.http?.body ?? '', reason, id);
    t.regex(challenge(p.get(id)), /error="invalid_token", error_description="[ -~]+"/, id);
    t.is(p.get(id)?.explanation?.id, explanation, id);
  }
  t.is(p.get('alice-again')?.result.http?.status, 200);
  t.true([...p.values()].every((probe) => probe.ok));
  // The Secret holds the placeholder, never a bare "Bearer ".
  const secret = await cluster.kubectlOk(['get', 'secret', 'openai-secret', '-n', NS, '-o', 'jsonpath={.data.Authorization}']);
  t.is(Buffer.from(secret, 'base64').toString(), 'Bearer sk-agw-workshop-placeholder-not-a-real-key');
  for (const file of ['jwt-signer.key', 'bob.jwt', 'tampered.jwt']) t.is(fs.statSync(path.join(workDir(), file)).mode & 0o777, 0o600, file);
});

test.serial("the lab text's commands typed with real kubectl and curl: no token → 4xx with WWW-Authenticate, ALICE_TOKEN → 200", async (t) => {
  const none = await typed(labCurl(undefined));
  t.is(none.exit, 0, none.body);
  t.true(none.status >= 400 && none.status < 500, none.headers);
  t.regex(none.headers, /^www-authenticate: Bearer realm="http"$/im);
  const alice = await typed(labCurl('$ALICE_TOKEN'));
  t.is(alice.status, 200, `${alice.headers}\n${alice.body}`);
  t.regex(alice.body, /"choices"/);
});

test.serial('a second key by kubectl apply: the kid-less ALICE_TOKEN is refused with the reason, forged tokens are refused, bob passes; one key again: 200', async (t) => {
  const pem = fs.readFileSync(path.join(workDir(), 'jwt-signer.pub.pem'), 'utf8');
  const twoKeys = fs.readFileSync(path.join(repoRoot, 'manifests', 'lessons', 'jwt-auth', 'jwt-policy-two-keys.yaml'), 'utf8').replace('${PUBLIC_KEY_PEM_JWT_SIGNER}', JSON.stringify(pem));
  await cluster.kubectlOk(['apply', '-f', '-'], twoKeys);
  const refused = await typedUntil(labCurl('$ALICE_TOKEN'), (a) => a.status === 401);
  t.is(refused.status, 401, refused.headers);
  t.regex(refused.headers, /error_description="the token header does not specify a `kid`, and 2 keys could verify it: no single key can be chosen"/);
  t.regex(refused.body, /the token header does not specify a `kid`/);
  const token = (name: string) => fs.readFileSync(path.join(workDir(), `${name}.jwt`), 'utf8');
  const bob = await typed(labCurl(token('bob')));
  t.is(bob.status, 200, bob.headers);
  const forged: [string, RegExp][] = [
    ['alg-none', /alg none/],
    ['hs256-public-key', /does not fit the key/],
    ['expired', /exp check failed/],
    ['wrong-issuer', /iss check failed/],
    ['tampered', /signature check failed/],
  ];
  for (const [name, reason] of forged) {
    const answer = await typed(labCurl(token(name)));
    t.is(answer.status, 401, name);
    t.regex(answer.headers, reason, name);
  }
  await cluster.kubectlOk(['apply', '-f', path.join(repoRoot, 'manifests', 'lessons', 'jwt-auth', 'jwt-policy.yaml')]);
  const again = await typedUntil(labCurl('$ALICE_TOKEN'), (a) => a.status === 200);
  t.is(again.status, 200, again.headers);
});

test.serial('cleanup jwt-auth twice: no lesson object left (the policy too), the setup lab untouched', async (t) => {
  for (let i = 0; i < 2; i++) {
    const result = await cli(['cleanup', 'jwt-auth', '--yes', '--json']);
    t.is(result.code, 0, `cleanup #${i + 1}: ${failures(events(result.stdout))}\n${result.stderr}`);
  }
  const left = await cluster.kubectl(['get', 'glootrafficpolicy,httproute,backend,secret,deployment,gateway', '-n', NS, '-o', 'name']);
  t.is(left.stdout.trim(), '', `left in ${NS}: ${left.stdout}`);
  const namespace = await cluster.kubectl(['get', 'namespace', NS, '-o', 'jsonpath={.status.phase}']);
  t.true(namespace.code !== 0 || namespace.stdout === 'Terminating', `namespace ${NS}: ${namespace.stdout}${namespace.stderr}`);
  t.false(fs.existsSync(workDir()), 'keys and tokens removed');
  t.regex(await cluster.kubectlOk(['get', 'gateway', '-n', 'agentgateway-system', '-o', 'name']), /agentgateway-proxy/, 'the setup lab keeps its Gateway');
});

test.serial('replay jwt-auth works after cleanup', async (t) => {
  t.timeout(300_000);
  const result = await cli(['replay', 'jwt-auth', '--yes', '--json']);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr}`);
  const p = probesById(list);
  t.is(p.size, 11, [...p.keys()].join(", "));
  t.true([...p.values()].every((probe) => probe.ok));
  t.is((await cli(['cleanup', 'jwt-auth', '--yes'])).code, 0);
});
