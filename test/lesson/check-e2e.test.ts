// `agw-workshop check sni-matching` against a learner who did the SNI lab by
// hand, with the real tools: openssl certificates in a directory of their own,
// `kubectl create secret tls`, `kubectl apply` of the lab's YAML, and
// `curl --resolve … --cacert` for foo, bar and baz. The check reads the cluster,
// the files and the gateway's access log; it never runs a step (nothing the
// workshop's runner does happens here after the setup lesson).
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath, repoRoot, requireTool, run, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { requireTmux, TmuxSession } from '../tui/helpers/tmux.js';
import { createHandsOnServices } from '../../source/tui/services/hands-on-services.js';

const NS = 'agentgateway-system';
let cluster: TestCluster;
let certDir: string;
let learnerDir: string;

interface CheckJson {
  ok: boolean;
  firstFailing: { step: number; id: string; message: string } | null;
  steps: { step: number; stepId: string; status: string; holds: boolean; message: string }[];
}

test.before(async () => {
  for (const tool of ['curl', 'kubectl']) await requireTool(tool);
  // openssl has no --version; run() fails with a clear "not installed" message when it is missing.
  if ((await run('openssl', ['version'])).code !== 0) throw new Error('openssl is required for these tests (apt-get install -y openssl)');
  cluster = await startTestCluster();
  // The prerequisite lab (001/002: the cluster, the gateway's class, the default Gateway) done by the workshop.
  const setup = await cluster.cli(['run', 'setup', '--yes']);
  if (setup.code !== 0) throw new Error(`run setup failed:\n${setup.stdout}\n${setup.stderr}`);
  learnerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-learner-'));
  certDir = path.join(learnerDir, 'example_certs');
});
test.after.always(async () => {
  await cluster?.stop();
  if (learnerDir) fs.rmSync(learnerDir, { recursive: true, force: true });
});

/** `agw-workshop check …` as the learner types it, from their own directory (where example_certs/ is). */
async function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, AGW_WORKSHOP_HOME: cluster.home };
  delete env.KUBECONFIG;
  return run('bash', ['-c', `cd "$1" && shift && exec "$@"`, 'check', learnerDir, process.execPath, cliPath, 'check', ...args], { env, timeoutMs: 60_000 });
}

async function checkJson(args: string[]): Promise<{ code: number; json: CheckJson; stderr: string }> {
  const r = await check([...args, '--json']);
  try {
    return { code: r.code, json: JSON.parse(r.stdout) as CheckJson, stderr: r.stderr };
  } catch {
    throw new Error(`check --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

function manifest(file: string): string {
  return fs.readFileSync(path.join(repoRoot, 'manifests', 'lessons', 'sni-matching', file), 'utf8').replaceAll('${NAMESPACE}', NS);
}

async function sh(script: string, cwd = learnerDir): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('bash', ['-c', `cd "$1" && ${script}`, 'sh', cwd], { timeoutMs: 60_000 });
}

test.serial('before anything is done, check names the first step whose effect is missing', async (t) => {
  const { code, json } = await checkJson(['sni-matching']);
  t.is(code, 1);
  t.false(json.ok);
  // The setup lab deployed the mock and its backend already; the certificates are the first thing missing.
  t.is(json.steps.find((s) => s.stepId === 'cluster')?.status, 'ok');
  t.is(json.steps.find((s) => s.stepId === 'mock-openai')?.status, 'ok');
  t.is(json.firstFailing?.id, 'certs');
  t.regex(json.firstFailing!.message, /no certificate with subject \/O=Solo\.io\/CN=glootest\.com in /);
  // Later steps are judged too, each with its own reason.
  t.regex(json.steps.find((s) => s.stepId === 'secrets')!.message, /Secret agentgateway-system\/foo not found/);
  t.regex(json.steps.find((s) => s.stepId === 'routes')!.message, /HTTPRoute agentgateway-system\/mock-openai-foo-route not found/);
  t.regex(json.steps.find((s) => s.stepId === 'gateway')!.message, /Gateway agentgateway-system\/agentgateway-proxy exists, but its spec\.listeners/);
});

// The lab by hand, in three parts (each within the suite's inactivity timeout on a loaded machine).
test.serial('by hand 1/3: openssl certificates in the learner\'s own directory; a wrong Secret gets a targeted message', async (t) => {
  // Deploy the mock and its backend (the lab's YAML, as the lesson's manifests hold it).
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('mock-openai.yaml'));
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('backend.yaml'));

  // Certificates with openssl, in a directory of the learner's choosing (the lab's commands, with the
  // subjectAltName the lesson adds to foo; bar with one too, which the check accepts: a SAN more is no harm).
  fs.mkdirSync(certDir);
  const openssl = [
    `openssl req -x509 -sha256 -nodes -days 365 -newkey rsa:2048 -subj '/O=Solo.io/CN=glootest.com' -keyout example_certs/glootest.com.key -out example_certs/glootest.com.crt`,
    ...(['foo:mock-openai organization:0', 'bar:solo.io:1'] as const).flatMap((entry) => {
      const [host, org, serial] = entry.split(':');
      const name = `mock-openai-${host}.glootest.com`;
      return [
        `openssl req -out example_certs/${name}.csr -newkey rsa:2048 -nodes -keyout example_certs/${name}.key -subj "/CN=${name}/O=${org}" -addext "subjectAltName=DNS:${name}"`,
        `openssl x509 -req -sha256 -days 365 -CA example_certs/glootest.com.crt -CAkey example_certs/glootest.com.key -set_serial ${serial} -in example_certs/${name}.csr -out example_certs/${name}.crt -copy_extensions copy`,
      ];
    }),
  ];
  for (const command of openssl) {
    const r = await sh(`${command} 2>&1`);
    t.is(r.code, 0, `${command}\n${r.stdout}`);
  }
  const certs = await checkJson(['sni-matching', 'certs']);
  t.is(certs.json.steps.find((s) => s.stepId === 'certs')?.status, 'ok', JSON.stringify(certs.json.steps.find((s) => s.stepId === 'certs')));

  // A mistake first: the foo Secret made from bar's files.
  await cluster.kubectlOk(['create', '-n', NS, 'secret', 'tls', 'foo', `--key=${certDir}/mock-openai-bar.glootest.com.key`, `--cert=${certDir}/mock-openai-bar.glootest.com.crt`]);
  await cluster.kubectlOk(['create', '-n', NS, 'secret', 'tls', 'bar', `--key=${certDir}/mock-openai-bar.glootest.com.key`, `--cert=${certDir}/mock-openai-bar.glootest.com.crt`]);
  const wrong = await checkJson(['sni-matching', 'secrets']);
  t.is(wrong.code, 1);
  const secrets = wrong.json.steps.find((s) => s.stepId === 'secrets')!;
  t.is(secrets.status, 'mismatch');
  t.regex(secrets.message, /the Secret `foo` exists but its certificate is for CN=mock-openai-bar\.glootest\.com; O=solo\.io/);
  await cluster.kubectlOk(['delete', '-n', NS, 'secret', 'foo']);
  await cluster.kubectlOk(['create', '-n', NS, 'secret', 'tls', 'foo', `--key=${certDir}/mock-openai-foo.glootest.com.key`, `--cert=${certDir}/mock-openai-foo.glootest.com.crt`]);

});

test.serial('by hand 2/3: the SNI Gateway and the three routes; probes not made yet are named as such', async (t) => {
  // The SNI Gateway and the three routes.
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('gateway.yaml'));
  await cluster.kubectlOk(['wait', '-n', NS, 'gateway/agentgateway-proxy', '--for=condition=Programmed', '--timeout=60s']);
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('routes.yaml'));
  for (const route of ['foo', 'bar']) {
    await cluster.kubectlOk(['wait', '-n', NS, `httproute/mock-openai-${route}-route`, `--for=jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}=True`, '--timeout=30s']);
  }
  await cluster.kubectlOk(['wait', '-n', NS, 'deployment/mock-gpt-4o', '--for=condition=Available', '--timeout=60s']);
  await cluster.kubectlOk(['rollout', 'status', 'deployment/agentgateway-proxy', '-n', NS, '--timeout=60s']);

  const beforeCurl = await checkJson(['sni-matching', 'probe-foo']);
  t.is(beforeCurl.json.firstFailing?.id, 'probe-foo', JSON.stringify(beforeCurl.json.firstFailing));
  t.regex(beforeCurl.json.firstFailing!.message, /has not seen a request with SNI mock-openai-foo\.glootest\.com on port 443/);

});

test.serial('by hand 3/3: curl foo, bar and baz with --cacert, then foo with Host bar and Host baz; check exits 0 and says what the gateway saw', async (t) => {
  // curl, as the lab does it, with --cacert instead of -k.
  const address = (await cluster.kubectlOk(['get', 'svc', '-n', NS, '--selector=gateway.networking.k8s.io/gateway-name=agentgateway-proxy', '-o', 'jsonpath={.items[*].status.loadBalancer.ingress[0].ip}'])).trim();
  t.regex(address, /^127\./);
  // The lab's three curls, then the lesson's two with a Host header other than the SNI (foo's URL, Host bar or baz).
  const answers: Record<string, string> = {};
  for (const [label, host, hostHeader] of [['foo', 'foo'], ['bar', 'bar'], ['baz', 'baz'], ['foo host bar', 'foo', 'bar'], ['foo host baz', 'foo', 'baz']] as const) {
    const name = `mock-openai-${host}.glootest.com`;
    const hostFlag = hostHeader ? ` -H "Host: mock-openai-${hostHeader}.glootest.com"` : '';
    const r = await sh(
      `curl -sS -o /dev/null -w '%{http_code}' --max-time 20 --resolve "${name}:443:${address}" --cacert example_certs/glootest.com.crt https://${name}:443/${hostFlag} -H "content-type: application/json" -d '{"model": "mock-gpt-4o", "messages": [{"role": "user", "content": "Whats your favorite poem?"}]}'`,
    );
    answers[label] = `exit ${r.code}, HTTP ${r.stdout}`;
  }
  t.deepEqual(answers, {
    foo: 'exit 0, HTTP 200',
    bar: 'exit 0, HTTP 200',
    baz: 'exit 35, HTTP 000',
    'foo host bar': 'exit 0, HTTP 421',
    'foo host baz': 'exit 0, HTTP 404',
  });

  const done = await check(['sni-matching']);
  t.is(done.code, 0, done.stdout + done.stderr);
  t.regex(done.stdout, /done: every step of sni-matching holds/);
  const json = (await checkJson(['sni-matching'])).json;
  t.true(json.ok);
  const byId = new Map(json.steps.map((s) => [s.stepId, s]));
  t.regex(byId.get('probe-foo')!.message, /We saw your request: SNI mock-openai-foo\.glootest\.com, port 443, listener foo: POST .* over HTTP\/2 → 200/);
  t.regex(byId.get('probe-host-other-listener')!.message, /We saw your request: SNI mock-openai-foo\.glootest\.com, port 443, listener foo: POST mock-openai-bar\.glootest\.com\/ over HTTP\/2 → 421/);
  t.regex(byId.get('probe-host-no-listener')!.message, /We saw your request: SNI mock-openai-foo\.glootest\.com, port 443, listener foo: POST mock-openai-baz\.glootest\.com\/ over HTTP\/2 → 404/);
  t.regex(byId.get('probe-baz')!.message, /We saw your request: SNI mock-openai-baz\.glootest\.com, port 443: closed before ServerHello \(no listener for SNI mock-openai-baz\.glootest\.com\)/);
  t.regex(byId.get('secrets')!.message, /Secret agentgateway-system\/foo: CN=mock-openai-foo\.glootest\.com; O=mock-openai organization, issued by O=Solo\.io; CN=glootest\.com, key matches/);
  t.regex(byId.get('baz-not-accepted')!.message, /Accepted=False \(NoMatchingListenerHostname\)/);
});

test.serial('after kubectl delete httproute mock-openai-foo-route, check exits non-zero and names that route', async (t) => {
  await cluster.kubectlOk(['delete', 'httproute', 'mock-openai-foo-route', '-n', NS]);
  const r = await check(['sni-matching']);
  t.is(r.code, 1);
  t.regex(r.stdout, /not done: step 10 \(routes\): HTTPRoute agentgateway-system\/mock-openai-foo-route not found/);
  // Up to a step before the routes, everything still holds.
  t.is((await check(['sni-matching', 'gateway-programmed'])).code, 0);
});

test.serial('in tmux at 80x24, hands-on mode ticks the routes step when kubectl applies them in another terminal', async (t) => {
  requireTmux();
  const session = new TmuxSession('hands-on');
  t.teardown(() => session.kill());
  const env = { AGW_WORKSHOP_HOME: cluster.home, NO_COLOR: '', TERM: 'tmux-256color', KUBECONFIG: '' };
  session.start(['env', '-u', 'CI', process.execPath, cliPath], env);
  // With setup done, home proposes the next lesson in the workshop's order, SNI matching, already selected.
  await session.waitForText(/› SNI matching/);
  session.sendKeys('Enter');
  await session.waitForText(/step \d+\/20/);
  session.sendKeys('m');
  await session.waitForText(/Hands-on/);
  // To step 10, the routes (the previous test deleted the foo route).
  session.sendKeys('Home');
  for (let i = 0; i < 16; i++) session.sendKeys('Up');
  for (let i = 0; i < 9; i++) session.sendKeys('Down');
  const before = await session.waitForText(/step 10\/20[\s\S]*Not yet: HTTPRoute/);
  t.regex(before, /agentgateway-system\/mock-openai-foo-route not/, 'the missing route is named (the pane wraps the rest)');
  for (const line of before.split('\n')) t.true(line.length <= 80);
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('routes.yaml'));
  const after = await session.waitForText(/Seen: HTTPRoute/);
  t.regex(after, /✔ 10 /);
  session.sendKeys('q');
  await session.waitFor(() => session.exitStatus(), 'the workshop to quit');
});

test.serial('live hands-on services: the followed access log reports the learner\'s curl; x runs the real curl; cleanup removes hand-made objects but keeps the setup lab\'s', async (t) => {
  const services = createHandsOnServices({ home: cluster.home, kubeconfig: cluster.kubeconfig });
  const events: string[] = [];
  let wake: (() => void) | undefined;
  const stop = services.watch('sni-matching', (source, detail) => {
    events.push(`${source} ${detail}`);
    wake?.();
  });
  t.teardown(stop);
  const waitForEvent = async (pattern: RegExp, what: string, action?: () => Promise<unknown>) => {
    const deadline = Date.now() + 30_000;
    let acted = false;
    while (!events.some((e) => pattern.test(e))) {
      if (Date.now() > deadline) throw new Error(`no ${what} event in 30 s; events: ${events.slice(-10).join('\n')}`);
      // The pod log is followed once the pod watch listed the proxy; act after the first event, then wait for more.
      if (!acted && action && events.length > 0) {
        acted = true;
        await action();
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
    }
  };
  // The lab's routes answer foo (the setup lab's route is scoped to its http listener, which this Gateway has not).
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('routes.yaml'));
  await cluster.kubectlOk(['wait', '-n', NS, 'httproute/mock-openai-foo-route', `--for=jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}=True`, '--timeout=30s']);
  const address = (await cluster.kubectlOk(['get', 'svc', '-n', NS, '--selector=gateway.networking.k8s.io/gateway-name=agentgateway-proxy', '-o', 'jsonpath={.items[*].status.loadBalancer.ingress[0].ip}'])).trim();
  const curlBaz = `curl -sS -o /dev/null --max-time 20 --resolve "mock-openai-baz.glootest.com:443:${address}" --cacert "${certDir}/glootest.com.crt" https://mock-openai-baz.glootest.com/`;
  await waitForEvent(/^gateway .*sni=mock-openai-baz\.glootest\.com.*flags=NS/, 'gateway', async () => {
    // A request once the log is followed: repeat (bounded) until the follow has started and sees it.
    for (let i = 0; i < 10 && !events.some((e) => /sni=mock-openai-baz/.test(e)); i++) {
      await sh(curlBaz);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  t.true(events.some((e) => e.startsWith('cluster ')), 'the cluster watches report the objects');

  const foo = await services.runTool([{ tool: 'curl', command: `curl -v --max-time 20 --resolve "mock-openai-foo.glootest.com:443:${address}" --cacert "${certDir}/glootest.com.crt" https://mock-openai-foo.glootest.com/ -H "content-type: application/json" -d '{"model": "mock-gpt-4o", "messages": [{"role": "user", "content": "hi"}]}'` }]);
  t.is(foo.exitCode, 0, foo.stderr);
  t.regex(foo.stderr, /^\* .*subject: CN=mock-openai-foo\.glootest\.com/m);
  t.regex(foo.stdout, /mock-gpt-4o/);
  const baz = await services.runTool([{ tool: 'curl', command: curlBaz }]);
  t.is(baz.exitCode, 35, baz.stderr);

  const summary = await services.cleanup('sni-matching');
  t.regex(summary, /cleanup ok \(including \d+ objects you made by hand\)/);
  t.regex((await cluster.kubectl(['get', 'secret', 'foo', '-n', NS])).stderr, /NotFound/);
  t.regex((await cluster.kubectl(['get', 'httproute', 'mock-openai-bar-route', '-n', NS])).stderr, /NotFound/);
  t.is((await cluster.kubectl(['get', 'deployment', 'mock-gpt-4o', '-n', NS])).code, 0, "the setup lab's mock stays");
  const listeners = await cluster.kubectlOk(['get', 'gateway', 'agentgateway-proxy', '-n', NS, '-o', 'jsonpath={.spec.listeners[*].name}']);
  t.is(listeners.trim(), 'http', 'the default Gateway is back');
});
