// The forward-proxy-sessions lesson end to end, with the real CLI against one
// embedded cluster: the run, then the bug report's own test with real kubectl
// (delete the proxy pod, wait) and real curl through the gateway, for the
// shared and perSNI session caches in both orders; cleanup twice; replay.
// Whether this Node's TLS client can offer a session saved for another name
// is measured (runtime-facts.ts); where it cannot, the shared cache cannot
// fail and the test asserts the 200 that really happens instead.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { startTestCluster, run, requireTool, repoRoot, type TestCluster } from '../helpers/cluster.js';
import type { RunnerEvent } from '../../source/lesson/events.js';
import { runFailures as failures, runnerEvents as events } from '../helpers/runner-events.js';
import { nodeOffersSessionsAcrossNames } from '../../source/lesson/runtime-facts.js';

type ProbeEvent = Extract<RunnerEvent, { type: 'probe-result' }>;
const NS = 'agentgateway-system';
const API = `api.${NS}.svc.cluster.local`;
const CONSOLE = `console.${NS}.svc.cluster.local`;
const PROXY = 'gateway.networking.k8s.io/gateway-name=agentgateway-proxy';
let cluster: TestCluster;
let offersAcrossNames: boolean;

test.before(async () => {
  await requireTool('curl');
  offersAcrossNames = await nodeOffersSessionsAcrossNames();
  cluster = await startTestCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

function probeOf(list: RunnerEvent[], stepId: string): ProbeEvent {
  const index = list.findIndex((e) => e.type === 'step-start' && e.lessonId === 'forward-proxy-sessions' && e.stepId === stepId);
  const probe = list.slice(index).find((e): e is ProbeEvent => e.type === 'probe-result');
  if (index < 0 || !probe) throw new Error(`no probe result for step ${stepId}`);
  return probe;
}

async function gatewayIp(): Promise<string> {
  return cluster.kubectlOk(['get', 'svc', '-n', NS, '-l', PROXY, '-o', 'jsonpath={.items[0].status.loadBalancer.ingress[0].ip}']);
}

/** The report's restart: delete the proxy pod, wait for the new one. */
async function restartProxy(): Promise<void> {
  await cluster.kubectlOk(['delete', 'pod', '-n', NS, '-l', PROXY, '--wait=true']);
  await cluster.kubectlOk(['wait', '--for=condition=ready', 'pod', '-n', NS, '-l', PROXY, '--timeout=90s']);
}

/**
 * Real curl through the gateway: the Host names the upstream. `viaExec` runs it as the report does,
 * `kubectl exec <pod> -- curl …` (here in the upstream's pod; exec runs the command beside the pod).
 * Retries only while the restarted proxy's port comes up: connection refused (7), or a
 * connection the Service still sent to the old pod's endpoint, closed before any answer
 * (52 empty reply, 56 reset). Any HTTP answer, the expected 503s included, is returned.
 */
async function curlThroughGateway(ip: string, host: string, viaExec = false): Promise<{ status: string; body: string }> {
  const curlArgs = ['-sS', '--max-time', '10', '-H', `Host: ${host}`, '-w', '\n%{http_code}', `http://${ip}:8080/hello`];
  for (let attempt = 0; attempt < 40; attempt++) {
    const r = viaExec ? await cluster.kubectl(['exec', '-n', NS, 'deploy/vhosts', '--', 'curl', ...curlArgs]) : await run('curl', curlArgs, { timeoutMs: 20_000 });
    if ((r.code === 7 || r.code === 52 || r.code === 56) && attempt < 39) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    const lines = r.stdout.trimEnd().split('\n');
    return { status: lines.pop() ?? '', body: r.code === 0 ? lines.join('\n') : `curl exit ${r.code}: ${r.stderr}` };
  }
  throw new Error(`curl could not connect to ${ip}:8080`);
}

async function applyBackend(mode: 'shared' | 'perSNI'): Promise<void> {
  const text = fs.readFileSync(path.join(repoRoot, 'manifests', 'lessons', 'forward-proxy-sessions', `backend-${mode}.yaml`), 'utf8').replaceAll('${NAMESPACE}', NS);
  await cluster.kubectlOk(['apply', '-f', '-'], text);
  await cluster.kubectlOk(['wait', '-n', NS, 'agentgatewaybackend/forward-proxy', `--for=jsonpath={.status.upstreamTLS.sessionCache}=${mode}`, '--timeout=60s']);
}

test.serial('run forward-proxy-sessions --json: shared fails the second name in both orders (where the runtime can), disabled and perSNI never do', async (t) => {
  const result = await cluster.cli(['run', 'forward-proxy-sessions', '--json']);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr}`);
  for (const [stepId, first, second] of [['shared-console-fails', API, CONSOLE], ['shared-api-fails', CONSOLE, API]] as const) {
    const probe = probeOf(list, stepId);
    if (offersAcrossNames) {
      t.is(probe.result.http?.status, 503, stepId);
      t.regex(probe.result.http?.body ?? '', new RegExp(`ERR_TLS_CERT_ALTNAME_INVALID: resumed TLS session made for ${first.replaceAll('.', '\\.')}.*not valid for ${second.replaceAll('.', '\\.')}`));
      t.is(probe.explanation?.id, 'upstream-resumed-session-other-name');
    } else {
      t.is(probe.result.http?.status, 200, stepId);
      t.true(list.some((e) => e.type === 'output' && /never offers a session saved for one name to another/.test(e.text)));
    }
  }
  t.regex(probeOf(list, 'disabled-api-again').result.http?.body ?? '', /"resumed": false/);
  t.regex(probeOf(list, 'per-sni-api-resumes').result.http?.body ?? '', /"resumed": true/);
  const status = await cluster.kubectlOk(['get', 'agentgatewaybackend', '-n', NS, 'forward-proxy', '-o', 'jsonpath={.status.upstreamTLS.sessionCache}']);
  t.is(status, 'perSNI');
});

test.serial('the report\'s test by hand (kubectl delete pod, kubectl wait, real curl): shared → 200 then failure in both orders; perSNI → 200 and 200', async (t) => {
  const ip = await gatewayIp();
  t.regex(ip, /^127\./);
  await applyBackend('shared');
  for (const [first, second, viaExec] of [[API, CONSOLE, false], [CONSOLE, API, true]] as const) {
    await restartProxy();
    const one = await curlThroughGateway(ip, first, viaExec);
    t.is(one.status, '200', one.body);
    t.is(JSON.parse(one.body).sni, first);
    const two = await curlThroughGateway(ip, second, viaExec);
    if (offersAcrossNames) {
      t.is(two.status, '503', two.body);
      t.regex(two.body, /upstream TLS error: ERR_TLS_CERT_ALTNAME_INVALID: resumed TLS session made for/);
    } else {
      t.is(two.status, '200', two.body);
    }
  }
  const logs = await cluster.kubectlOk(['logs', '-n', NS, 'deploy/agentgateway-proxy']);
  const last = logs.split('\n').filter((l) => l.includes('upstream_session_cache=')).at(-1) ?? '';
  t.regex(last, /upstream_session_cache=shared/);
  if (offersAcrossNames) t.regex(last, /status=503 flags=UF .*error="ERR_TLS_CERT_ALTNAME_INVALID: resumed TLS session made for/);

  await applyBackend('perSNI');
  for (const [first, second] of [[API, CONSOLE], [CONSOLE, API]] as const) {
    await restartProxy();
    for (const host of [first, second]) {
      const r = await curlThroughGateway(ip, host, first === CONSOLE);
      t.is(r.status, '200', r.body);
      t.is(JSON.parse(r.body).sni, host);
    }
  }
});

test.serial('cleanup forward-proxy-sessions twice: the lesson\'s objects and files are gone, the setup lab\'s stay', async (t) => {
  for (let i = 0; i < 2; i++) {
    const result = await cluster.cli(['cleanup', 'forward-proxy-sessions', '--yes', '--json']);
    t.is(result.code, 0, `cleanup #${i + 1}: ${failures(events(result.stdout))}\n${result.stderr}`);
  }
  for (const object of ['agentgatewaybackend/forward-proxy', 'httproute/forward-proxy', 'deployment/vhosts', 'service/api', 'service/console', 'secret/api-tls', 'secret/console-tls', 'configmap/api-ca', 'configmap/console-ca']) {
    const r = await cluster.kubectl(['get', '-n', NS, object]);
    t.not(r.code, 0, `${object} should be gone`);
  }
  t.false(fs.existsSync(path.join(cluster.home, 'work', 'forward-proxy-sessions')));
  t.is((await cluster.kubectl(['get', '-n', NS, 'deployment/mock-gpt-4o'])).code, 0, 'the setup lab keeps its mock server');
});

test.serial('replay forward-proxy-sessions works after cleanup', async (t) => {
  const result = await cluster.cli(['replay', 'forward-proxy-sessions', '--yes', '--json']);
  t.is(result.code, 0, `${failures(events(result.stdout))}\n${result.stderr}`);
});

test.serial('after a lesson that replaced the default Gateway (no 8080 listener), the lesson puts the setup lab\'s back, and its cleanup restores the one it found', async (t) => {
  t.is((await cluster.cli(['cleanup', 'forward-proxy-sessions', '--yes'])).code, 0);
  // As mutual-tls leaves it until its own cleanup: the same Gateway with TLS listeners only.
  const tlsOnly = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: agentgateway-proxy
  namespace: ${NS}
spec:
  gatewayClassName: enterprise-agentgateway
  listeners:
    - name: tls-passthrough
      port: 443
      protocol: TLS
      tls:
        mode: Passthrough
`;
  await cluster.kubectlOk(['apply', '-f', '-'], tlsOnly);
  const listeners = () => cluster.kubectlOk(['get', 'gateway', 'agentgateway-proxy', '-n', NS, '-o', 'jsonpath={.spec.listeners[*].name}']);
  t.is(await listeners(), 'tls-passthrough');
  const result = await cluster.cli(['run', 'forward-proxy-sessions', '--yes', '--json']);
  t.is(result.code, 0, `${failures(events(result.stdout))}\n${result.stderr}`);
  t.is(await listeners(), 'http', 'the run used the setup lab\'s Gateway');
  t.is((await cluster.cli(['cleanup', 'forward-proxy-sessions', '--yes'])).code, 0);
  t.is(await listeners(), 'tls-passthrough', 'cleanup put back the Gateway the lesson found');
});
