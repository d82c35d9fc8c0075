// The backend-mtls lesson end to end, with the real CLI against its own
// embedded cluster: `run backend-mtls --json`, then the lab text's own test
// (kubectl port-forward + curl) and every failure mode again with real
// kubectl and curl, reading the gateway's access log and the backend's log;
// then cleanup twice and replay. Serial: the tests share the cluster.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { repoRoot, requireTool, run, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import type { RunnerEvent } from '../../source/lesson/events.js';
import { runFailures as failures, runnerEvents as events } from '../helpers/runner-events.js';

type ProbeEvent = Extract<RunnerEvent, { type: 'probe-result' }>;
const NS = 'httpbin-tls';
const GATEWAY = 'backend-mtls-gateway';
const HOST = 'mtls-backend.demo.int';
const MANIFESTS = path.join(repoRoot, 'manifests', 'lessons', 'backend-mtls');
let cluster: TestCluster;

test.before(async () => {
  await requireTool('curl');
  cluster = await startTestCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

/** A lesson manifest as the learner would apply it: ${NAMESPACE} filled. */
function manifest(file: string): string {
  return fs.readFileSync(path.join(MANIFESTS, file), 'utf8').replaceAll('${NAMESPACE}', NS);
}

async function gatewayIp(): Promise<string> {
  return cluster.kubectlOk(['get', 'svc', '-n', NS, `--selector=gateway.networking.k8s.io/gateway-name=${GATEWAY}`, '-o', 'jsonpath={.items[0].status.loadBalancer.ingress[0].ip}']);
}

interface CurlAnswer { code: number; status: number; headers: string; body: string }

/** Real curl through the Gateway's address, as the lesson's probes do (--resolve). */
async function curlGateway(ip: string): Promise<CurlAnswer> {
  const r = await run('curl', ['-sS', '-i', '--max-time', '10', '--resolve', `${HOST}:18080:${ip}`, `http://${HOST}:18080/get`], { timeoutMs: 15_000 });
  const [head = '', ...rest] = r.stdout.split(/\r?\n\r?\n/);
  return { code: r.code, status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body: rest.join('\n\n') };
}

/** Curl until the gateway answers `status` (a change takes the proxy a moment to apply); bounded in attempts and time. */
async function curlUntil(ip: string, status: number, bodyPattern: RegExp): Promise<CurlAnswer> {
  const deadline = Date.now() + 20_000;
  let answer = await curlGateway(ip);
  for (let attempt = 0; attempt < 80 && Date.now() < deadline && !(answer.status === status && bodyPattern.test(answer.body)); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await curlGateway(ip);
  }
  return answer;
}

async function logs(deployment: string): Promise<string[]> {
  return (await cluster.kubectlOk(['logs', '-n', NS, `deploy/${deployment}`])).split('\n').filter(Boolean);
}

/** The gateway's access log line for our last request (the newest line for Host mtls-backend.demo.int). */
async function accessLogLine(): Promise<string> {
  return (await logs(GATEWAY)).filter((l) => l.includes(`host=${HOST}`)).at(-1) ?? '(no access log line)';
}

test.serial('run backend-mtls --json: 200 naming the gateway certificate, then five failure modes, each explained', async (t) => {
  const result = await cluster.cli(['run', 'backend-mtls', '--json']);
  const list = events(result.stdout);
  t.is(result.code, 0, `${failures(list)}\n${result.stderr.slice(-2000)}`);
  const probes = list.filter((e): e is ProbeEvent => e.type === 'probe-result' && e.lessonId === 'backend-mtls');
  const seen = probes.map((p) => [p.result.http?.status, p.result.http?.responseFlags ?? '-', p.explanation?.id]);
  t.deepEqual(seen, [
    [200, '-', 'plain-http-succeeded'],
    [503, 'UF', 'backend-client-certificate-required'],
    [503, 'UF', 'backend-certificate-untrusted'],
    [503, 'UF', 'backend-name-mismatch'],
    [500, 'IB', 'backend-tls-policy-unresolved'],
    [500, 'IB', 'gateway-client-certificate-unresolved'],
    [200, '-', 'plain-http-succeeded'],
  ]);
  const first = JSON.parse(probes[0]!.result.http!.body) as { sni: string; clientCertificate: { subject: string; verified: boolean } };
  t.is(first.sni, 'httpbin-tls.httpbin-tls.svc');
  t.regex(first.clientCertificate.subject, /CN=envoygateway-client/);
  t.true(first.clientCertificate.verified);
  t.regex(probes[1]!.explanation!.cause, /Hop 1, client → gateway, worked.*Hop 2, gateway → backend, failed.*certificate_required/s);
  t.is(list.at(-1)?.type === 'lesson-end' ? (list.at(-1) as { status: string }).status : undefined, 'ok');
});

test.serial("the lab text's test as written, with GATEWAY_SERVICE defined: port-forward 18080 and curl with the Host header", async (t) => {
  const certificates = await cluster.kubectlOk(['get', 'certificate', '-n', NS]);
  t.regex(certificates, /envoygateway-client-cert\s+True/);
  t.regex(certificates, /httpbin-tls-cert\s+True/);
  const service = await cluster.kubectlOk(['get', 'svc', '-n', NS, `--selector=gateway.networking.k8s.io/gateway-name=${GATEWAY}`, '-o', 'jsonpath={.items[0].metadata.name}']);
  t.is(service, GATEWAY);
  const forward = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, 'port-forward', '-n', NS, `svc/${service}`, '18080:18080'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const ready = await new Promise<string>((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve(`timed out: ${out}`), 30_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (/Forwarding from 127\.0\.0\.1:18080/.test(out)) {
          clearTimeout(timer);
          resolve(out);
        }
      };
      forward.stdout.on('data', onData);
      forward.stderr.on('data', onData);
      forward.once('exit', (code) => {
        clearTimeout(timer);
        resolve(`port-forward exited ${code}: ${out}`);
      });
    });
    t.regex(ready, /Forwarding from 127\.0\.0\.1:18080 -> 18080/);
    const r = await run('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', '-H', `Host: ${HOST}`, 'http://localhost:18080/get'], { timeoutMs: 15_000 });
    t.is(r.code, 0, r.stderr);
    const status = r.stdout.split('\n').at(-1);
    t.is(status, '200', r.stdout);
    const body = JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('\n'))) as { host: string; clientCertificate: { subject: string; issuer: string; verified: boolean } };
    t.is(body.host, HOST);
    t.is(body.clientCertificate.subject, 'O=agw-workshop, CN=envoygateway-client');
    t.is(body.clientCertificate.issuer, 'O=agw-workshop, CN=backend-mtls-ca');
    t.true(body.clientCertificate.verified);
  } finally {
    forward.kill('SIGTERM');
  }
});

test.serial('each failure mode on the wire with real kubectl and curl: status, access-log reason, the backend side', async (t) => {
  const ip = await gatewayIp();
  t.regex(ip, /^127\./);

  // 1. No client certificate: the backend refuses with certificate_required.
  await cluster.kubectlOk(['replace', '-f', '-'], manifest('gateway-no-client-cert.yaml'));
  const noCert = await curlUntil(ip, 503, /CERTIFICATE_REQUIRED/);
  t.is(noCert.status, 503, noCert.body);
  t.regex(noCert.headers, /x-agw-response-flags: uf/);
  t.regex(await accessLogLine(), /status=503 flags=UF .*error="ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED/);
  t.regex((await logs('httpbin-tls')).join('\n'), /TLS handshake failed from .*certificate_required \(116\): the client sent no certificate/);
  await cluster.kubectlOk(['replace', '-f', '-'], manifest('gateway.yaml'));
  t.is((await curlUntil(ip, 200, /envoygateway-client/)).status, 200);

  // 2. The policy trusts another CA: the gateway refuses the backend's chain; the backend sees no request.
  const requestsBefore = (await logs('httpbin-tls')).filter((l) => l.startsWith('GET ')).length;
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('backend-tls-policy-wrong-ca.yaml'));
  const wrongCa = await curlUntil(ip, 503, /SELF_SIGNED_CERT_IN_CHAIN/);
  t.is(wrongCa.status, 503, wrongCa.body);
  t.regex(await accessLogLine(), /status=503 flags=UF .*error="SELF_SIGNED_CERT_IN_CHAIN/);

  // 3. The policy names another hostname: name mismatch, again before any request.
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('backend-tls-policy-wrong-hostname.yaml'));
  const wrongName = await curlUntil(ip, 503, /ERR_TLS_CERT_ALTNAME_INVALID/);
  t.is(wrongName.status, 503, wrongName.body);
  t.regex(wrongName.body, /httpbin\.demo\.int/);
  t.regex(await accessLogLine(), /status=503 flags=UF .*error="ERR_TLS_CERT_ALTNAME_INVALID/);
  t.is((await logs('httpbin-tls')).filter((l) => l.startsWith('GET ')).length, requestsBefore, 'the backend saw no request while its certificate was refused');
  await cluster.kubectlOk(['apply', '-f', '-'], manifest('backend-tls-policy.yaml'));
  t.is((await curlUntil(ip, 200, /envoygateway-client/)).status, 200);

  // 4. The CA ConfigMap is missing: ResolvedRefs=False, and a 500 without any connection.
  const caPem = await cluster.kubectlOk(['get', 'configmap', '-n', NS, 'backend-mtls-ca', '-o', 'jsonpath={.data.ca\\.crt}']);
  await cluster.kubectlOk(['delete', 'configmap', '-n', NS, 'backend-mtls-ca']);
  await cluster.kubectlOk(['wait', '-n', NS, 'backendtlspolicy/backend-mtls-policy', `--for=jsonpath={.status.ancestors[0].conditions[?(@.type=="ResolvedRefs")].reason}=InvalidCACertificateRef`, '--timeout=30s']);
  const noCa = await curlUntil(ip, 500, /ConfigMap httpbin-tls\/backend-mtls-ca does not exist/);
  t.is(noCa.status, 500, noCa.body);
  t.regex(noCa.headers, /x-agw-response-flags: ib/);
  const noCaLine = await accessLogLine();
  t.regex(noCaLine, /status=500 flags=IB .*message="BackendTLSPolicy httpbin-tls\/backend-mtls-policy: ConfigMap/);
  t.notRegex(noCaLine, /upstream=/, 'no connection to the backend was opened');
  const caFile = path.join(cluster.home, 'backend-mtls-ca.crt');
  fs.writeFileSync(caFile, caPem);
  await cluster.kubectlOk(['create', 'configmap', '-n', NS, 'backend-mtls-ca', `--from-file=ca.crt=${caFile}`]);
  t.is((await curlUntil(ip, 200, /envoygateway-client/)).status, 200);

  // 5. The client-certificate Secret is missing: the Gateway says ResolvedRefs=False, the request is never sent.
  await cluster.kubectlOk(['replace', '-f', '-'], manifest('gateway-client-cert-typo.yaml'));
  await cluster.kubectlOk(['wait', '-n', NS, `gateway/${GATEWAY}`, '--for=jsonpath={.status.conditions[?(@.type=="ResolvedRefs")].reason}=InvalidClientCertificateRef', '--timeout=30s']);
  const requestsBeforeTypo = (await logs('httpbin-tls')).length;
  const typo = await curlUntil(ip, 500, /envoy-gateway-client-cert does not exist/);
  t.is(typo.status, 500, typo.body);
  const typoLine = await accessLogLine();
  t.regex(typoLine, /status=500 flags=IB .*clientCertificateRef/);
  t.notRegex(typoLine, /upstream=/);
  t.is((await logs('httpbin-tls')).length, requestsBeforeTypo, 'the backend saw nothing, not even a handshake');
  await cluster.kubectlOk(['replace', '-f', '-'], manifest('gateway.yaml'));
  t.is((await curlUntil(ip, 200, /envoygateway-client/)).status, 200);
});

test.serial('cleanup twice leaves no httpbin-tls namespace and no work files; replay runs the lesson again', async (t) => {
  const first = await cluster.cli(['cleanup', 'backend-mtls']);
  t.is(first.code, 0, first.stdout + first.stderr);
  const second = await cluster.cli(['cleanup', 'backend-mtls']);
  t.is(second.code, 0, second.stdout + second.stderr);
  const deadline = Date.now() + 30_000;
  let ns = await cluster.kubectl(['get', 'namespace', NS]);
  for (let i = 0; i < 120 && ns.code === 0 && Date.now() < deadline; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    ns = await cluster.kubectl(['get', 'namespace', NS]);
  }
  t.regex(ns.stderr, /NotFound/);
  t.false(fs.existsSync(path.join(cluster.home, 'work', 'backend-mtls', 'backend-mtls-ca.key')));
  const setupGateway = await cluster.kubectl(['get', 'gateway', '-n', 'agentgateway-system', 'agentgateway-proxy']);
  t.is(setupGateway.code, 0, 'the setup lab\'s Gateway is left alone');

  const replay = await cluster.cli(['replay', 'backend-mtls', '--json']);
  const list = events(replay.stdout);
  t.is(replay.code, 0, `${failures(list)}\n${replay.stderr.slice(-2000)}`);
  t.is(list.filter((e) => e.type === 'probe-result' && e.lessonId === 'backend-mtls' && e.ok).length, 7);
});
