// Validation "like a real API server": the lab texts' manifests pass under
// fieldValidation=Strict; bad values, unknown and missing fields are
// rejected with kube's field paths and wording.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { builtinResources, findResourceByKind } from '../../../source/cluster/embedded/resources/catalog.js';
import { rejection } from '../../../source/cluster/embedded/validation/index.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';
import type { StatusCause } from '../../../source/cluster/embedded/apiserver/api-error.js';

function fixture(name: string): KubeObject[] {
  const text = readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
}

function validate(object: KubeObject, strict = true): StatusCause[] {
  const resource = findResourceByKind(builtinResources, object.apiVersion, object.kind);
  if (!resource?.validate) throw new Error(`no validator for ${object.apiVersion} ${object.kind}`);
  return resource.validate(object, { strict });
}

const clone = <T>(v: T): T => structuredClone(v);
const sni = fixture('sni-lab.yaml');
const jwt = fixture('jwt-lab.yaml');
const byKind = (objects: KubeObject[], kind: string) => clone(objects.find((o) => o.kind === kind)!);

for (const [index, object] of [...sni, ...jwt].entries()) {
  test(`lab manifest #${index + 1} ${object.kind}/${object.metadata.name} is valid under Strict`, (t) => {
    t.deepEqual(validate(object), []);
  });
}

test('a kubectl create secret tls object is valid; without tls.key it is 422 naming data[tls.key]', (t) => {
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'foo', namespace: 'agentgateway-system' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' } };
  t.deepEqual(validate(secret), []);
  delete (secret.data as Record<string, string>)['tls.key'];
  const causes = validate(secret);
  t.deepEqual(causes, [{ reason: 'FieldValueRequired', field: 'data[tls.key]', message: 'Required value' }]);
  const error = rejection(secret, causes);
  t.is(error?.code, 422);
  t.is(error?.message, 'Secret "foo" is invalid: data[tls.key]: Required value');
});

test('a listener port "x" is 422 at spec.listeners[0].port, worded like the CRD validator', (t) => {
  const gateway = byKind(sni, 'Gateway');
  (gateway.spec as any).listeners[0].port = 'x';
  const causes = validate(gateway);
  t.deepEqual(causes, [
    { reason: 'FieldValueInvalid', field: 'spec.listeners[0].port', message: 'Invalid value: "string": spec.listeners[0].port in body must be of type integer: "string"' },
  ]);
  const error = rejection(gateway, causes, 'gateway.networking.k8s.io');
  t.is(error?.code, 422);
  t.is(error?.reason, 'Invalid');
  t.regex(error!.message, /^Gateway\.gateway\.networking\.k8s\.io "agentgateway-proxy" is invalid: spec\.listeners\[0\]\.port: Invalid value/);
});

test('bad enum, range and pattern values name their fields', (t) => {
  const gateway = byKind(sni, 'Gateway');
  const listeners = (gateway.spec as any).listeners;
  listeners[0].port = 70000;
  listeners[1].tls.mode = 'Decrypt';
  listeners[1].hostname = 'Not_A_Host';
  const fields = validate(gateway).map((c) => `${c.field} ${c.reason}`);
  t.true(fields.includes('spec.listeners[0].port FieldValueInvalid'), fields.join('\n'));
  t.true(fields.includes('spec.listeners[1].tls.mode FieldValueNotSupported'), fields.join('\n'));
  t.true(fields.includes('spec.listeners[1].hostname FieldValueInvalid'), fields.join('\n'));
});

test('an unknown field is rejected under Strict with kube\'s strict decoding message (400), ignored otherwise', (t) => {
  const route = byKind(sni, 'HTTPRoute');
  (route.spec as any).rules[0].timeout = { request: '1s' };
  (route.spec as any).foo = 1;
  const causes = validate(route);
  t.deepEqual(causes.map((c) => c.message), ['unknown field "spec.foo"', 'unknown field "spec.rules[0].timeout"']);
  const error = rejection(route, causes);
  t.is(error?.code, 400);
  t.is(error?.message, 'HTTPRoute in version "v1" cannot be handled as a HTTPRoute: strict decoding error: unknown field "spec.foo", unknown field "spec.rules[0].timeout"');
  t.deepEqual(validate(route, false), []);
  const resource = findResourceByKind(builtinResources, route.apiVersion, route.kind)!;
  const pruned = resource.prune!(route) as any;
  t.is(pruned.spec.foo, undefined);
  t.is(pruned.spec.rules[0].timeout, undefined);
  t.deepEqual(pruned.spec.rules[0].timeouts, { request: '120s' });
});

test('unknown fields in metadata and in built-in kinds are rejected too', (t) => {
  const deployment = byKind(sni, 'Deployment');
  (deployment.metadata as any).lables = { a: 'b' };
  (deployment.spec as any).template.spec.containers[0].imagePullPolice = 'Always';
  t.deepEqual(validate(deployment).map((c) => c.field), ['metadata.lables', 'spec.template.spec.containers[0].imagePullPolice']);
});

test('missing required fields: Gateway listeners[].name, HTTPRoute parentRef name', (t) => {
  const gateway = byKind(sni, 'Gateway');
  delete (gateway.spec as any).listeners[1].name;
  t.deepEqual(validate(gateway), [{ reason: 'FieldValueRequired', field: 'spec.listeners[1].name', message: 'Required value' }]);
  const route = byKind(sni, 'HTTPRoute');
  delete (route.spec as any).parentRefs[0].name;
  t.deepEqual(validate(route).map((c) => `${c.field}: ${c.message}`), ['spec.parentRefs[0].name: Required value']);
});

test('Deployment: selector, template labels, container name and image are required', (t) => {
  const deployment = byKind(sni, 'Deployment');
  const spec = deployment.spec as any;
  spec.template.metadata.labels = { app: 'other' };
  delete spec.template.spec.containers[0].image;
  spec.template.spec.containers[0].ports[0].containerPort = 0;
  const messages = validate(deployment).map((c) => `${c.field}: ${c.message}`);
  t.true(messages.some((m) => m.startsWith('spec.template.metadata.labels: Invalid value') && m.endsWith('`selector` does not match template `labels`')), messages.join('\n'));
  t.true(messages.includes('spec.template.spec.containers[0].image: Required value'), messages.join('\n'));
  t.true(messages.includes('spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive'), messages.join('\n'));
  delete spec.selector;
  t.true(validate(deployment).some((c) => c.field === 'spec.selector' && c.message === 'Required value'));
});

test('Deployment: selector requirements are checked as metav1 validation checks them', (t) => {
  const deployment = byKind(sni, 'Deployment');
  const spec = deployment.spec as any;
  spec.selector = {
    matchExpressions: [
      { key: 'app', operator: 'Equals', values: ['x'] },
      { key: 'app', operator: 'In' },
      { key: 'app', operator: 'Exists', values: ['x'] },
    ],
  };
  t.deepEqual(validate(deployment).map((c) => `${c.field}: ${c.message}`).filter((m) => m.startsWith('spec.selector')), [
    'spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
    "spec.selector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[2].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'spec.selector: Invalid value: map[string]interface {}{...}: invalid label selector',
  ]);
  spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: [spec.template.metadata.labels.app] }] };
  t.deepEqual(validate(deployment).filter((c) => String(c.field).startsWith('spec.selector') || String(c.field).startsWith('spec.template.metadata')), []);
});

test('Service: ports required, port range, names unique and required when several', (t) => {
  const service = byKind(sni, 'Service');
  const spec = service.spec as any;
  spec.ports.push({ port: 99999, targetPort: 1 });
  const messages = validate(service).map((c) => `${c.field}: ${c.message}`);
  t.true(messages.includes('spec.ports[1].name: Required value'), messages.join('\n'));
  t.true(messages.some((m) => m.startsWith('spec.ports[1].port: Invalid value: 99999')), messages.join('\n'));
  spec.ports = [];
  t.deepEqual(validate(service).map((c) => `${c.field}: ${c.message}`), ['spec.ports: Required value']);
});

test('metadata.name must be a DNS subdomain (RFC 1035 label for Services, RFC 1123 label for Namespaces)', (t) => {
  const route = byKind(sni, 'HTTPRoute');
  route.metadata.name = 'Mock_Route';
  t.deepEqual(validate(route).map((c) => c.field), ['metadata.name']);
  t.regex(validate(route)[0].message, /^Invalid value: "Mock_Route": a lowercase RFC 1123 subdomain/);
  const service = byKind(sni, 'Service');
  service.metadata.name = '1svc';
  t.regex(validate(service)[0].message, /DNS-1035 label/);
  const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } };
  t.regex(validate(namespace)[0].message, /RFC 1123 label/);
  const nameless = byKind(sni, 'Gateway');
  nameless.metadata.name = '';
  t.deepEqual(validate(nameless).map((c) => `${c.field}: ${c.message}`), ['metadata.name: Required value: name or generateName is required']);
});

test('vendor kinds: a misspelt spec field is unknown, a bad port is invalid, a provider block may carry fields we do not model', (t) => {
  const backend = byKind(sni, 'AgentgatewayBackend');
  (backend.spec as any).polices = {};
  t.deepEqual(validate(backend).map((c) => c.message), ['unknown field "spec.polices"']);
  const ported = byKind(sni, 'AgentgatewayBackend');
  (ported.spec as any).ai.provider.port = '8000';
  t.deepEqual(validate(ported).map((c) => c.field), ['spec.ai.provider.port']);
  const tls = byKind(sni, 'AgentgatewayBackend');
  (tls.spec as any).policies.tls = { sni: 'x', insecureSkipVerify: 'All' };
  t.deepEqual(validate(tls), []);
  const kgw = byKind(jwt, 'Backend');
  (kgw.spec as any).type = 'Lambda';
  t.deepEqual(validate(kgw).map((c) => `${c.field}: ${c.message}`), ['spec.type: Unsupported value: "Lambda": supported values: "AI", "AWS", "Static", "DynamicForwardProxy", "MCP"']);
});

test('cert-manager: a self-signed Issuer and a Certificate are valid; secretName and issuerRef are required', (t) => {
  const issuer: KubeObject = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned', namespace: 'httpbin-tls' }, spec: { selfSigned: {} } };
  const caIssuer: KubeObject = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'ca' }, spec: { ca: { secretName: 'root-ca' } } };
  const certificate: KubeObject = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'httpbin-tls-cert', namespace: 'httpbin-tls' },
    spec: {
      secretName: 'httpbin-tls-cert',
      duration: '2160h',
      renewBefore: '360h',
      commonName: 'httpbin-tls.httpbin-tls.svc',
      dnsNames: ['httpbin-tls', 'httpbin-tls.httpbin-tls.svc.cluster.local'],
      isCA: false,
      usages: ['server auth', 'digital signature', 'key encipherment'],
      privateKey: { algorithm: 'RSA', size: 2048 },
      issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
  };
  for (const object of [issuer, caIssuer, certificate]) t.deepEqual(validate(object), [], object.kind);
  const broken = clone(certificate);
  delete (broken.spec as any).secretName;
  delete (broken.spec as any).issuerRef;
  t.deepEqual(validate(broken).map((c) => `${c.field}: ${c.message}`), ['spec.secretName: Required value', 'spec.issuerRef: Required value']);
});

test('BackendTLSPolicy: v1 and the deprecated v1alpha3 of the lab texts both validate', (t) => {
  const spec = {
    targetRefs: [{ group: '', kind: 'Service', name: 'httpbin-tls' }],
    validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'mtls-backend.demo.int' },
  };
  for (const version of ['v1', 'v1alpha3']) {
    const policy: KubeObject = { apiVersion: `gateway.networking.k8s.io/${version}`, kind: 'BackendTLSPolicy', metadata: { name: 'backend-mtls-policy', namespace: 'httpbin-tls' }, spec: clone(spec) };
    t.deepEqual(validate(policy), [], version);
  }
});

test('with both an unknown field and a bad value, every cause is returned (unknown first) and Strict fails with 400', (t) => {
  const gateway = byKind(sni, 'Gateway');
  (gateway.spec as any).listeners[0].port = 'x';
  (gateway.spec as any).listeners[0].portNumber = 1;
  const causes = validate(gateway);
  t.deepEqual(causes.map((c) => c.field), ['spec.listeners[0].portNumber', 'spec.listeners[0].port']);
  t.is(rejection(gateway, causes)?.code, 400);
  t.deepEqual(validate(gateway, false).map((c) => c.field), ['spec.listeners[0].port']);
});

test('what `kubectl create ... --dry-run=client -o json` prints is valid under Strict (creationTimestamp: null, status: {})', (t) => {
  const { objects } = JSON.parse(readFileSync(new URL('fixtures/kubectl-create.json', import.meta.url), 'utf8')) as { objects: KubeObject[] };
  t.is(objects.length, 6);
  for (const object of objects) t.deepEqual(validate(object), [], `${object.kind}/${object.metadata.name}`);
});

test('Gateway API defaults are filled as the CRDs declare them (and applying them twice changes nothing)', (t) => {
  const routes = findResourceByKind(builtinResources, 'gateway.networking.k8s.io/v1', 'HTTPRoute')!;
  const route = routes.applyDefaults!(byKind(sni, 'HTTPRoute')) as any;
  t.deepEqual(route.spec.parentRefs, [{ name: 'agentgateway-proxy', namespace: 'agentgateway-system', group: 'gateway.networking.k8s.io', kind: 'Gateway' }]);
  t.deepEqual(route.spec.rules[0].backendRefs, [{ name: 'mock-openai', group: 'agentgateway.dev', kind: 'AgentgatewayBackend', weight: 1 }]);
  t.deepEqual(routes.applyDefaults!(route), route);
  const bare = routes.applyDefaults!({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] } }) as any;
  t.deepEqual(bare.spec.rules, [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'svc', port: 80, group: '', kind: 'Service', weight: 1 }] }]);
  const gateways = findResourceByKind(builtinResources, 'gateway.networking.k8s.io/v1', 'Gateway')!;
  const gateway = gateways.applyDefaults!({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'g' },
    spec: { gatewayClassName: 'c', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'foo' }] } }] },
  }) as any;
  t.deepEqual(gateway.spec.listeners[0], {
    name: 'https', port: 443, protocol: 'HTTPS',
    tls: { mode: 'Terminate', certificateRefs: [{ name: 'foo', group: '', kind: 'Secret' }] },
    allowedRoutes: { namespaces: { from: 'Same' } },
  });
  t.deepEqual(validate(gateway), []);
  // Every default of the CRDs, not a chosen few: a new Gateway says it waits for a controller (as
  // `kubectl get gateway` shows on a real cluster before one acts), and a redirect filter is a 302.
  t.deepEqual(gateway.status.conditions.map((c: any) => `${c.type} ${c.status} ${c.reason}: ${c.message}`), ['Accepted Unknown Pending: Waiting for controller', 'Programmed Unknown Pending: Waiting for controller']);
  const redirect = routes.applyDefaults!({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }] } }) as any;
  t.deepEqual(redirect.spec.rules[0].filters[0].requestRedirect, { scheme: 'https', statusCode: 302 });
});

test('Gateway API CEL rules: HTTPS tls mode, duplicate listener names, Terminate without certificates, relative paths', (t) => {
  const gateway = byKind(sni, 'Gateway');
  const listeners = (gateway.spec as any).listeners;
  listeners[1].name = 'foo';
  listeners[1].tls = { mode: 'Passthrough' };
  listeners[0].tls.certificateRefs = [];
  t.deepEqual(validate(gateway).map((c) => `${c.field}: ${c.message}`), [
    'spec.listeners: Invalid value: "array": tls mode must be Terminate for protocol HTTPS',
    'spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway',
    'spec.listeners[0].tls: Invalid value: "object": certificateRefs or options must be specified when mode is Terminate',
  ]);
  const http = byKind(sni, 'Gateway');
  (http.spec as any).listeners = [{ name: 'http', port: 8080, protocol: 'HTTP', tls: { certificateRefs: [{ name: 'x' }] } }];
  t.deepEqual(validate(http).map((c) => c.message), ['Invalid value: "array": tls must not be specified for protocols [\'HTTP\', \'TCP\', \'UDP\']']);
  const route = byKind(sni, 'HTTPRoute');
  (route.spec as any).rules[0].matches[0].path.value = 'v1/chat';
  t.deepEqual(validate(route).map((c) => `${c.field}: ${c.message}`), [
    'spec.rules[0].matches[0].path: Invalid value: "object": value must be an absolute path and start with \'/\' when type one of [\'Exact\', \'PathPrefix\']',
  ]);
});

test('Deployment: Recreate with rollingUpdate is forbidden; a volume with two sources is forbidden', (t) => {
  const deployment = byKind(sni, 'Deployment');
  (deployment.spec as any).strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } };
  (deployment.spec as any).template.spec.volumes = [{ name: 'certs', secret: { secretName: 'foo' }, configMap: { name: 'ca' } }];
  t.deepEqual(validate(deployment).map((c) => `${c.field}: ${c.message}`), [
    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    'spec.template.spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type',
  ]);
});

test('updates: a Deployment selector, a Service clusterIP, immutable Secret data and a GatewayClass controller cannot change', (t) => {
  const update = (previous: KubeObject, change: (o: any) => void) => {
    const next = clone(previous) as any;
    change(next);
    return findResourceByKind(builtinResources, previous.apiVersion, previous.kind)!.validateUpdate!(next, previous).map((c) => `${c.field}: ${c.message}`);
  };
  const deployment = byKind(sni, 'Deployment');
  t.deepEqual(update(deployment, (d) => (d.spec.replicas = 3)), []);
  t.deepEqual(update(deployment, (d) => (d.spec.selector.matchLabels.app = 'x')), ['spec.selector: Invalid value: "v1.LabelSelector{...}": field is immutable']);
  const service = { ...byKind(sni, 'Service'), spec: { ...(byKind(sni, 'Service').spec as object), clusterIP: '127.1.96.4' } } as KubeObject;
  t.deepEqual(update(service, (s) => (s.spec.clusterIP = '127.1.96.9')), ['spec.clusterIP: Invalid value: "127.1.96.9": field is immutable']);
  t.deepEqual(update(service, (s) => delete s.spec.clusterIP), [], 'an apply without clusterIP keeps the allocated one');
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, immutable: true, data: { a: 'YQ==' } };
  t.deepEqual(update(secret, (s) => (s.data.a = 'Yg==')), ['data: Forbidden: field is immutable when `immutable` is set']);
  t.deepEqual(update({ ...secret, immutable: false }, (s) => (s.data.a = 'Yg==')), []);
  t.deepEqual(update({ ...secret, immutable: false, type: 'Opaque' }, (s) => (s.type = 'kubernetes.io/tls')), ['type: Invalid value: "kubernetes.io/tls": field is immutable']);
  const gatewayClass: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'a.dev/x' } };
  t.deepEqual(update(gatewayClass, (g) => (g.spec.controllerName = 'b.dev/y')), ['spec.controllerName: Invalid value: "string": Value is immutable']);
});

test('validation follows the request version: a TLSRoute without hostnames is valid in v1alpha2, not in v1', (t) => {
  const spec = { parentRefs: [{ name: 'gw', sectionName: 'tls' }], rules: [{ backendRefs: [{ name: 'svc', port: 443 }] }] };
  const route = (version: string): KubeObject => ({ apiVersion: `gateway.networking.k8s.io/${version}`, kind: 'TLSRoute', metadata: { name: 't' }, spec: clone(spec) });
  t.deepEqual(validate(route('v1alpha2')), []);
  t.deepEqual(validate(route('v1')).map((c) => `${c.field}: ${c.message}`), ['spec.hostnames: Required value']);
});

test('Secret data must be base64 (a PEM pasted under data: is rejected at the byte Go stops)', (t) => {
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'foo' }, type: 'kubernetes.io/tls', data: { 'tls.crt': '-----BEGIN CERTIFICATE-----', 'tls.key': 'a2V5' } };
  t.deepEqual(validate(secret).map((c) => `${c.field}: ${c.message}`), ['data[tls.crt]: Invalid value: "-----BEGIN CERTIFICATE-----": illegal base64 data at input byte 0']);
  for (const good of ['', 'YQ==', 'YWI=', 'YWJj', 'YWJj\nZGVm']) t.deepEqual(validate({ ...secret, data: { 'tls.crt': good, 'tls.key': 'a2V5' } }), [], good);
  for (const bad of ['YQ', 'Y===', 'YQ==YQ==', 'a b=']) t.is(validate({ ...secret, data: { 'tls.crt': bad, 'tls.key': 'a2V5' } }).length, 1, bad);
});

test('AgentgatewayBackend CEL rules: exactly one backend type and one provider, host with port', (t) => {
  const none = byKind(sni, 'AgentgatewayBackend');
  delete (none.spec as any).ai;
  t.deepEqual(validate(none).map((c) => `${c.field}: ${c.message}`), [
    'spec: Invalid value: "object": exactly one of the fields in [ai static dynamicForwardProxy mcp aws a2a] must be set',
  ]);
  const two = byKind(sni, 'AgentgatewayBackend');
  (two.spec as any).ai.provider.anthropic = {};
  delete (two.spec as any).ai.provider.port;
  t.deepEqual(validate(two).map((c) => `${c.field}: ${c.message}`), [
    'spec.ai.provider: Invalid value: "object": exactly one of the fields in [openai azureopenai azure anthropic gemini vertexai bedrock custom] must be set',
    'spec.ai.provider: Invalid value: "object": both host and port must be set together',
  ]);
  const staticBackend: KubeObject = { apiVersion: 'agentgateway.dev/v1alpha1', kind: 'AgentgatewayBackend', metadata: { name: 's' }, spec: { static: { host: 'httpbin.default.svc', port: 8080 } } };
  t.deepEqual(validate(staticBackend), []);
});

test('objects as a real cluster returns them (defaults, status, managedFields) validate under Strict', (t) => {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: {
      name: 'd', namespace: 'n', uid: 'u', resourceVersion: '1', generation: 2, creationTimestamp: '2026-01-01T00:00:00Z',
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }],
    },
    spec: {
      replicas: 1, progressDeadlineSeconds: 600, revisionHistoryLimit: 10, selector: { matchLabels: { app: 'd' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'd' } },
        spec: {
          containers: [{ name: 'c', image: 'i', imagePullPolicy: 'Always', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
          dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
        },
      },
    },
    status: { availableReplicas: 1, observedGeneration: 2, readyReplicas: 1, replicas: 1, updatedReplicas: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z', lastUpdateTime: '2026-01-01T00:00:00Z' }] },
  };
  const service: KubeObject = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 's' },
    spec: {
      clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }], selector: { app: 'x' }, sessionAffinity: 'None',
      type: 'LoadBalancer', allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }] } },
  };
  t.deepEqual(validate(deployment), []);
  t.deepEqual(validate(service), []);
});

test('volumes: a name that is not a DNS-1123 label, an absolute or climbing subPath/subPathExpr/item path are 422 as kube-apiserver words them', (t) => {
  const pod: KubeObject = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'escape', namespace: 'default' },
    spec: {
      volumes: [
        { name: '../../../../tmp/owned', secret: { secretName: 'foo' } },
        { name: 'certs', secret: { secretName: 'foo', items: [{ key: 'tls.key', path: '../tls.key' }, { key: 'tls.crt', path: '/etc/tls.crt' }] } },
      ],
      containers: [{
        name: 'c', image: 'ghcr.io/agw-workshop/agw-workshop',
        volumeMounts: [
          { name: 'certs', mountPath: '/a', subPath: '../../x' },
          { name: 'certs', mountPath: '/b', subPath: '/etc' },
          { name: 'certs', mountPath: '/c', subPathExpr: 'a/../../$(POD_NAME)' },
          { name: 'missing', mountPath: '/d' },
        ],
      }],
    },
  };
  t.deepEqual(validate(pod).map((c) => `${c.field}: ${c.message}`), [
    `spec.volumes[0].name: Invalid value: "../../../../tmp/owned": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    `spec.volumes[1].secret.items[0].path: Invalid value: "../tls.key": must not contain '..'`,
    `spec.volumes[1].secret.items[0].path: Invalid value: "../tls.key": must not start with '..'`,
    'spec.volumes[1].secret.items[1].path: Invalid value: "/etc/tls.crt": must be a relative path',
    `spec.containers[0].volumeMounts[0].subPath: Invalid value: "../../x": must not contain '..'`,
    'spec.containers[0].volumeMounts[1].subPath: Invalid value: "/etc": must be a relative path',
    `spec.containers[0].volumeMounts[2].subPathExpr: Invalid value: "a/../../$(POD_NAME)": must not contain '..'`,
    'spec.containers[0].volumeMounts[3].name: Not found: "missing"',
  ]);
  // A subPath that merely contains dots in a name is fine, as in kube.
  (pod.spec as any).volumes = [{ name: 'certs', secret: { secretName: 'foo', items: [{ key: 'k', path: 'dir/..hidden' }] } }];
  (pod.spec as any).containers[0].volumeMounts = [{ name: 'certs', mountPath: '/a', subPath: 'x..y/z' }];
  t.deepEqual(validate(pod), []);
});
