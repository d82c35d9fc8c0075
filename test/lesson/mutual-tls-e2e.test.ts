// The mutual-tls lab end to end, with the real CLI against its own embedded
// cluster: `run mutual-tls --json`, then real curl and `openssl s_client`
// for each mode (Passthrough on 443, Terminate on 8443, AllowInsecureFallback
// on 9443) agreeing with what the lesson reported, cleanup twice, replay.
// Serial: the tests share the cluster.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { startTestCluster, run, requireTool, type TestCluster } from '../helpers/cluster.js';
import type { RunnerEvent } from '../../source/lesson/events.js';
import { runFailures as failures, runnerEvents as events } from '../helpers/runner-events.js';

type ProbeEvent = Extract<RunnerEvent, { type: 'probe-result' }>;
const NS = 'agentgateway-system';
const HOST = 'secure.example.com';
let cluster: TestCluster;
let gatewayIp = '';

test.before(async () => {
  await requireTool('curl');
  await requireTool('openssl');
  cluster = await startTestCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

function probesById(list: RunnerEvent[]): Map<string, ProbeEvent> {
  const starts = new Map<number, string>();
  for (const e of list) if (e.type === 'step-start' && e.lessonId === 'mutual-tls') starts.set(e.index, e.stepId);
  const out = new Map<string, ProbeEvent>();
  for (const e of list) if (e.type === 'probe-result' && e.lessonId === 'mutual-tls') out.set(starts.get(e.index)!, e);
  return out;
}

async function kubectlGet(args: string[]): Promise<string> {
  const r = await cluster.kubectl(['get', '-n', NS, ...args]);
  return r.code === 0 ? r.stdout.trim() : `(error ${r.code}: ${r.stderr.trim()})`;
}

const workDir = () => path.join(cluster.home, 'work', 'mutual-tls');
const file = (name: string) => path.join(workDir(), name);

function curl(port: number, cert?: string, extra: string[] = []) {
  const certArgs = cert ? ['--cert', file(`${cert}.crt`), '--key', file(`${cert}.key`)] : [];
  return run('curl', ['-sS', '--max-time', '15', '--resolve', `${HOST}:${port}:${gatewayIp}`, '--cacert', file('ca.crt'), ...certArgs, ...extra, `https://${HOST}:${port}/`], { timeoutMs: 30_000 });
}

function sClient(port: number, cert?: string) {
  const certArgs = cert ? ['-cert', file(`${cert}.crt`), '-key', file(`${cert}.key`)] : [];
  // A request after the handshake makes s_client read, where a TLS 1.3 alert after the client's Finished shows.
  return run('openssl', ['s_client', '-connect', `${gatewayIp}:${port}`, '-servername', HOST, '-CAfile', file('ca.crt'), '-ign_eof', ...certArgs], {
    input: `GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`,
    timeoutMs: 30_000,
  });
}

test.serial('run mutual-tls --json: 200 with the certificate, certificate_required without, unknown_ca for the rogue CA, in both modes', async (t) => {
  const result = await cluster.cli(['run', 'mutual-tls', '--json']);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr}`);
  const probes = probesById(list);

  // The lab text's HTTPS + Passthrough is refused by the API server, before any controller sees it.
  const refused = list.find((e) => e.type === 'output' && e.lessonId === 'mutual-tls' && /tls mode must be Terminate for protocol HTTPS/.test(e.text));
  t.truthy(refused, 'the refusal is shown');

  for (const [mode, subject] of [['passthrough', 'CN=secure.example.com; O=mtls backend'], ['terminate', 'CN=secure.example.com; O=gateway']] as const) {
    const ok = probes.get(`${mode}-with-cert`)!.result;
    t.is(ok.outcome, 'established', mode);
    t.is(ok.http?.status, 200, mode);
    t.is(ok.tls?.peerChain[0]?.subject, subject, `${mode}: who presented the server certificate`);

    const none = probes.get(`${mode}-without-cert`)!;
    t.is(none.result.outcome, 'client-certificate-required', mode);
    t.is(none.result.tls?.version, 'TLSv1.3');
    t.like(none.result.tls?.alert, { code: 116, description: 'certificate_required', direction: 'in' });
    t.is(none.result.curlExitCode, 56);
    t.is(none.explanation?.id, 'mtls-certificate-required-after-handshake');
    // The timing: the alert arrived after the client's own Finished went out.
    const finished = none.result.records.find((r) => r.direction === 'out' && r.what === 'Finished');
    const alert = none.result.records.find((r) => r.direction === 'in' && r.what === 'Alert');
    t.truthy(finished && alert && alert.atMs >= finished.atMs, `${mode}: alert after the client's Finished`);

    const rogue = probes.get(`${mode}-rogue-cert`)!;
    t.is(rogue.result.outcome, 'client-certificate-rejected', mode);
    t.like(rogue.result.tls?.alert, { code: 48, description: 'unknown_ca', direction: 'in' });
    t.is(rogue.result.curlExitCode, 56);
    t.is(rogue.explanation?.id, 'mtls-unknown-ca');
  }
  // Passthrough: the backend saw and verified the client certificate.
  const backendSaw = JSON.parse(probes.get('passthrough-with-cert')!.result.http!.body) as { clientCertificate: { subject: string; issuer: string; verified: boolean } };
  t.like(backendSaw.clientCertificate, { subject: 'CN=learner, O=workshop', verified: true });
  for (const id of ['fallback-without-cert', 'fallback-rogue-cert']) t.is(probes.get(id)!.result.http?.status, 200, id);
  t.is(await kubectlGet(['gateway', 'agentgateway-proxy', '-o', 'jsonpath={.status.conditions[?(@.type=="InsecureFrontendValidationMode")].status}']), 'True');
  gatewayIp = await kubectlGet(['svc', '-l', 'gateway.networking.k8s.io/gateway-name=agentgateway-proxy', '-o', 'jsonpath={.items[0].status.loadBalancer.ingress[0].ip}']);
  t.regex(gatewayIp, /^127\.\d+\.\d+\.\d+$/);
});

for (const [mode, port] of [['Passthrough', 443], ['Terminate', 8443]] as const) {
  test.serial(`${mode} (${port}), real curl: 200 with the certificate, exit 56 with the alerts without it and with the rogue one`, async (t) => {
    const ok = await curl(port, 'client');
    t.is(ok.code, 0, ok.stderr);
    const none = await curl(port);
    t.is(none.code, 56, none.stderr);
    t.regex(none.stderr, /tlsv13 alert certificate required/);
    const rogue = await curl(port, 'rogue-client');
    t.is(rogue.code, 56, rogue.stderr);
    t.regex(rogue.stderr, /tlsv1 alert unknown ca/);
    const rogue12 = await curl(port, 'rogue-client', ['--tls-max', '1.2']);
    t.is(rogue12.code, 35, `TLS 1.2: the alert ends the handshake\n${rogue12.stderr}`);
    t.regex(rogue12.stderr, /tlsv1 alert unknown ca/);
  });

  test.serial(`${mode} (${port}), real openssl s_client: the same alerts`, async (t) => {
    const ok = await sClient(port, 'client');
    t.regex(ok.stdout, /HTTP\/1\.1 200/, ok.stderr);
    const none = await sClient(port);
    t.regex(none.stderr, /tlsv13 alert certificate required.*SSL alert number 116/, none.stderr);
    const rogue = await sClient(port, 'rogue-client');
    t.regex(rogue.stderr, /tlsv1 alert unknown ca.*SSL alert number 48/, rogue.stderr);
  });
}

test.serial('AllowInsecureFallback (9443), real curl: no certificate and the rogue one both get 200', async (t) => {
  t.is((await curl(9443)).code, 0);
  t.is((await curl(9443, 'rogue-client')).code, 0);
});

test.serial('cleanup mutual-tls twice: the lab\'s objects and files gone, the default Gateway and the setup route back', async (t) => {
  for (let i = 0; i < 2; i++) {
    const result = await cluster.cli(['cleanup', 'mutual-tls', '--yes', '--json']);
    t.is(result.code, 0, `cleanup #${i + 1}: ${failures(events(result.stdout))}\n${result.stderr}`);
  }
  t.is(await kubectlGet(['httproute', '-o', 'name']), 'httproute.gateway.networking.k8s.io/mock-openai', 'only the setup route, put back');
  t.regex(await kubectlGet(['tlsroute', '-o', 'name']), /^$|No resources/);
  for (const object of [['secret', 'gateway-tls'], ['secret', 'mtls-backend-tls'], ['configmap', 'mtls-client-ca'], ['deployment', 'mtls-backend'], ['deployment', 'echo']]) {
    t.regex(await kubectlGet(object), /NotFound|not found/, object.join('/'));
  }
  t.false(fs.existsSync(workDir()), 'certificate files removed');
  t.is(await kubectlGet(['gateway', 'agentgateway-proxy', '-o', 'jsonpath={.spec.listeners[*].name}:{.spec.listeners[*].port}']), 'http:8080');
});

test.serial('replay mutual-tls works after cleanup', async (t) => {
  const result = await cluster.cli(['replay', 'mutual-tls', '--yes', '--json']);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr}`);
  t.is([...probesById(list).values()].filter((p) => p.ok).length, 8);
});
