// The backend-mtls lesson as data: the manifests say what the lab text left
// out (cert-manager chain, mTLS backend, Gateway with a client certificate,
// BackendTLSPolicy v1), each failure mode is made, probed with the expected
// explanation and put back, and the equivalent commands are the ones a
// learner can type (ConfigMap from the CA, waits on a policy's ancestors,
// the address of this lesson's Gateway).
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadLesson, stepCommands } from '../../source/lesson/index.js';
import { failureModeIds } from '../../source/explain/catalogue.js';
import type { Lesson, ProbeStep, Step } from '../../source/lesson/types.js';
import { repoRoot } from '../helpers/cluster.js';

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, any> };

function docs(file: string): Doc[] {
  const text = fs.readFileSync(path.join(repoRoot, 'manifests', 'lessons', 'backend-mtls', file), 'utf8');
  return YAML.parseAllDocuments(text).map((d) => d.toJS() as Doc);
}

function byId(lesson: Lesson, id: string): Step {
  const step = lesson.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id}`);
  return step;
}

test('certificates.yaml: a CA Issuer, a server certificate for the backend Service, a client certificate for the gateway', (t) => {
  const [issuer, server, client] = docs('certificates.yaml');
  t.is(issuer!.kind, 'Issuer');
  t.deepEqual(issuer!.spec.ca, { secretName: 'backend-mtls-ca' });
  t.is(server!.metadata.name, 'httpbin-tls-cert');
  t.true(server!.spec.usages.includes('server auth'));
  t.true(server!.spec.dnsNames.includes('httpbin-tls.${NAMESPACE}.svc'));
  t.is(client!.metadata.name, 'envoygateway-client-cert');
  t.true(client!.spec.usages.includes('client auth'));
  t.false(client!.spec.usages.includes('server auth'));
  for (const cert of [server!, client!]) t.deepEqual(cert.spec.issuerRef, { name: 'backend-mtls-ca-issuer', kind: 'Issuer' });
});

test('the backend requires a client certificate from the CA of its own Secret', (t) => {
  const [deployment, service] = docs('httpbin-tls.yaml');
  const container = (deployment!.spec.template.spec.containers as { args: string[] }[])[0]!;
  t.true(container.args.includes('--require-client-cert'));
  t.is(container.args[container.args.indexOf('--client-ca') + 1], '/etc/httpbin-tls/ca.crt');
  t.is(deployment!.spec.template.spec.volumes[0].secret.secretName, 'httpbin-tls-cert');
  t.deepEqual(service!.spec.ports[0], { name: 'https', port: 443, targetPort: 'https' });
});

test('gateway.yaml and backend-tls-policy.yaml: HTTP on 18080, the client certificate, a v1 policy with a ConfigMap CA and a hostname', (t) => {
  const [gateway, route] = docs('gateway.yaml');
  t.deepEqual(gateway!.spec.listeners.map((l: any) => [l.protocol, l.port, l.hostname]), [['HTTP', 18080, 'mtls-backend.demo.int']]);
  t.deepEqual(gateway!.spec.tls.backend.clientCertificateRef, { kind: 'Secret', name: 'envoygateway-client-cert' });
  t.deepEqual(route!.spec.rules[0].backendRefs, [{ name: 'httpbin-tls', port: 443 }]);
  const [policy] = docs('backend-tls-policy.yaml');
  t.is(policy!.apiVersion, 'gateway.networking.k8s.io/v1');
  t.deepEqual(policy!.spec.validation, { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'backend-mtls-ca' }], hostname: 'httpbin-tls.${NAMESPACE}.svc' });
  // The failure variants differ from the good objects in exactly the field they break.
  t.is(docs('backend-tls-policy-wrong-ca.yaml')[0]!.spec.validation.caCertificateRefs[0].name, 'impostor-ca');
  t.is(docs('backend-tls-policy-wrong-hostname.yaml')[0]!.spec.validation.hostname, 'httpbin.demo.int');
  t.is(docs('gateway-no-client-cert.yaml')[0]!.spec.tls, undefined);
  t.deepEqual(docs('gateway-no-client-cert.yaml')[0]!.spec.listeners, gateway!.spec.listeners);
  t.is(docs('gateway-client-cert-typo.yaml')[0]!.spec.tls.backend.clientCertificateRef.name, 'envoy-gateway-client-cert');
});

test('each failure is made, probed with its explanation, and put back before the next', async (t) => {
  const lesson = await loadLesson('backend-mtls');
  t.is(lesson.gateway, 'backend-mtls-gateway');
  t.is(lesson.namespace, 'httpbin-tls');
  const probes = lesson.steps.filter((s): s is ProbeStep => s.kind === 'probe');
  t.deepEqual(
    probes.map((p) => [p.id, p.expect.status, p.expect.header?.['x-agw-response-flags'], p.explanation]),
    [
      ['probe-ok', 200, undefined, undefined],
      ['probe-no-client-cert', 503, 'UF', 'backend-client-certificate-required'],
      ['probe-wrong-ca', 503, 'UF', 'backend-certificate-untrusted'],
      ['probe-wrong-hostname', 503, 'UF', 'backend-name-mismatch'],
      ['probe-missing-ca', 500, 'IB', 'backend-tls-policy-unresolved'],
      ['probe-missing-client-secret', 500, 'IB', 'gateway-client-certificate-unresolved'],
      ['probe-ok-again', 200, undefined, undefined],
    ],
  );
  for (const p of probes) {
    t.is(p.probe.url, 'http://mtls-backend.demo.int:18080/get');
    if (p.explanation) t.true(failureModeIds().includes(p.explanation), p.explanation);
  }
  // What breaks is restored: the order of the steps after the first 200.
  const after = lesson.steps.slice(lesson.steps.findIndex((s) => s.id === 'probe-ok') + 1).map((s) => `${s.kind}:${'manifest' in s && s.manifest ? path.basename(s.manifest) : s.id}`);
  t.deepEqual(after, [
    'explain:lab-test',
    'restore:gateway-no-client-cert.yaml', 'probe:probe-no-client-cert', 'restore:gateway.yaml',
    'apply:backend-tls-policy-wrong-ca.yaml', 'probe:probe-wrong-ca',
    'apply:backend-tls-policy-wrong-hostname.yaml', 'probe:probe-wrong-hostname', 'restore:backend-tls-policy.yaml',
    'delete:delete-ca-configmap', 'wait:policy-unresolved', 'probe:probe-missing-ca', 'secret:ca-configmap-back',
    'restore:gateway-client-cert-typo.yaml', 'wait:gateway-unresolved', 'probe:probe-missing-client-secret', 'restore:gateway.yaml',
    'probe:probe-ok-again', 'explain:wrap-up',
  ]);
});

test('the equivalent commands: a ConfigMap from the CA file, waits on status.ancestors, the address of backend-mtls-gateway', async (t) => {
  const lesson = await loadLesson('backend-mtls');
  const commands = (id: string) => stepCommands(lesson, byId(lesson, id), { home: '/tmp/agw-home' }).map((c) => c.command);
  const configMaps = commands('ca-secret').filter((c) => c.includes(' configmap '));
  t.is(configMaps.length, 2);
  t.regex(configMaps[0]!, / create -n httpbin-tls configmap backend-mtls-ca --from-file=ca\.crt=\/tmp\/agw-home\/work\/backend-mtls\/backend-mtls-ca\.crt$/);
  t.regex(configMaps[1]!, / create -n httpbin-tls configmap impostor-ca --from-file=ca\.crt=\/tmp\/agw-home\/work\/backend-mtls\/impostor-ca\.crt$/);
  t.regex(commands('ca-secret')[0]!, / create -n httpbin-tls secret tls backend-mtls-ca --key=/);
  t.regex(commands('policy-unresolved')[0]!, /wait -n httpbin-tls backendtlspolicy\/backend-mtls-policy --for=jsonpath='\{\.status\.ancestors\[0\]\.conditions\[\?\(@\.type=="ResolvedRefs"\)\]\.reason\}'=InvalidCACertificateRef/);
  t.regex(commands('gateway-unresolved')[0]!, /wait -n httpbin-tls gateway\/backend-mtls-gateway --for=condition=ResolvedRefs=False/);
  t.regex(commands('probe-ok')[0]!, /--selector=gateway\.networking\.k8s\.io\/gateway-name=backend-mtls-gateway/);
  t.regex(commands('probe-ok')[1]!, /^curl -v --resolve "mtls-backend\.demo\.int:18080:\$\{GATEWAY_IP\}" .*http:\/\/mtls-backend\.demo\.int:18080\/get$/);
});
