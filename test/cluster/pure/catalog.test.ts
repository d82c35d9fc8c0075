// The catalogue of built-in kinds (names, versions, discovery metadata,
// tables) and the kinds a stored CRD registers.
import test from 'ava';
import { builtinResources, convertToVersion, findResource, findResourceByKind } from '../../../source/cluster/embedded/resources/catalog.js';
import { resourceFromCrd } from '../../../source/cluster/embedded/resources/crd.js';
import { evaluateJsonPath, humanAge } from '../../../source/cluster/embedded/resources/tables.js';
import { rejection } from '../../../source/cluster/embedded/validation/index.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';
import type { ResourceType } from '../../../source/cluster/embedded/resources/types.js';

const find = (group: string, plural: string) => {
  const resource = builtinResources.find((r) => r.group === group && r.plural === plural);
  if (!resource) throw new Error(`${plural}.${group} missing`);
  return resource;
};

function row(resource: ResourceType, object: KubeObject, wide = false): Record<string, string | number> {
  const columns = (resource.table ?? []).filter((c) => wide || !c.wide);
  return Object.fromEntries(columns.map((c) => [c.name.toUpperCase(), c.cell(object)]));
}

test('every kind of issue 2 is served with its group, storage version and scope', (t) => {
  const expected: [string, string, string, boolean][] = [
    ['', 'namespaces', 'v1', false], ['', 'secrets', 'v1', true], ['', 'configmaps', 'v1', true], ['', 'services', 'v1', true],
    ['', 'pods', 'v1', true], ['', 'serviceaccounts', 'v1', true], ['', 'events', 'v1', true],
    ['discovery.k8s.io', 'endpointslices', 'v1', true], ['apps', 'deployments', 'v1', true],
    ['apiextensions.k8s.io', 'customresourcedefinitions', 'v1', false],
    ['gateway.networking.k8s.io', 'gatewayclasses', 'v1', false], ['gateway.networking.k8s.io', 'gateways', 'v1', true],
    ['gateway.networking.k8s.io', 'httproutes', 'v1', true], ['gateway.networking.k8s.io', 'grpcroutes', 'v1', true],
    ['gateway.networking.k8s.io', 'tlsroutes', 'v1', true], ['gateway.networking.k8s.io', 'referencegrants', 'v1', true],
    ['gateway.networking.k8s.io', 'backendtlspolicies', 'v1', true],
    ['agentgateway.dev', 'agentgatewaybackends', 'v1alpha1', true], ['agentgateway.dev', 'agentgatewaypolicies', 'v1alpha1', true],
    ['gateway.kgateway.dev', 'backends', 'v1alpha1', true], ['gloo.solo.io', 'glootrafficpolicies', 'v1alpha1', true],
    ['cert-manager.io', 'issuers', 'v1', true], ['cert-manager.io', 'clusterissuers', 'v1', false], ['cert-manager.io', 'certificates', 'v1', true],
  ];
  for (const [group, plural, storage, namespaced] of expected) {
    const resource = find(group, plural);
    t.is(resource.versions[0], storage, plural);
    t.is(resource.namespaced, namespaced, plural);
    t.is(resource.listKind, `${resource.kind}List`, plural);
    t.is(resource.singular, resource.kind.toLowerCase(), plural);
    t.is(typeof resource.validate, 'function', plural);
  }
  t.is(builtinResources.length, expected.length);
});

test('short names and categories are the real ones (svc, deploy, gtw, gc, btlspolicy, agbe; all, gateway-api)', (t) => {
  t.deepEqual(find('', 'services').shortNames, ['svc']);
  t.deepEqual(find('', 'namespaces').shortNames, ['ns']);
  t.deepEqual(find('apps', 'deployments').shortNames, ['deploy']);
  t.deepEqual(find('apiextensions.k8s.io', 'customresourcedefinitions').shortNames, ['crd', 'crds']);
  t.deepEqual(find('gateway.networking.k8s.io', 'gateways').shortNames, ['gtw']);
  t.deepEqual(find('gateway.networking.k8s.io', 'gatewayclasses').shortNames, ['gc']);
  t.deepEqual(find('gateway.networking.k8s.io', 'backendtlspolicies').shortNames, ['btlspolicy']);
  t.deepEqual(find('gateway.networking.k8s.io', 'referencegrants').shortNames, ['refgrant']);
  t.is(find('gateway.networking.k8s.io', 'httproutes').shortNames, undefined);
  t.deepEqual(find('agentgateway.dev', 'agentgatewaybackends').shortNames, ['agbe']);
  for (const plural of ['pods', 'services']) t.deepEqual(find('', plural).categories, ['all']);
  t.deepEqual(find('apps', 'deployments').categories, ['all']);
  t.deepEqual(find('gateway.networking.k8s.io', 'gateways').categories, ['gateway-api']);
});

test('strategic merge only for core/apps/discovery/apiextensions kinds; deprecated versions are listed', (t) => {
  for (const r of builtinResources) {
    const builtin = ['', 'apps', 'discovery.k8s.io', 'apiextensions.k8s.io'].includes(r.group);
    t.is(r.strategicMerge, builtin, r.plural);
  }
  t.deepEqual(find('gateway.networking.k8s.io', 'backendtlspolicies').deprecatedVersions, ['v1alpha3']);
  t.deepEqual(find('gateway.networking.k8s.io', 'tlsroutes').deprecatedVersions, ['v1alpha2']);
  t.truthy(findResource(builtinResources, 'gateway.networking.k8s.io', 'v1beta1', 'httproutes'));
  t.falsy(findResource(builtinResources, 'gateway.networking.k8s.io', 'v1alpha2', 'httproutes'));
  const old = findResourceByKind(builtinResources, 'gateway.networking.k8s.io/v1alpha3', 'BackendTLSPolicy')!;
  const stored = convertToVersion({ apiVersion: 'gateway.networking.k8s.io/v1alpha3', kind: 'BackendTLSPolicy', metadata: { name: 'p' } }, old, 'v1');
  t.is(stored.apiVersion, 'gateway.networking.k8s.io/v1');
});

test('tables: services show TYPE, CLUSTER-IP, EXTERNAL-IP (pending until an address), PORT(S)', (t) => {
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'agentgateway-proxy', creationTimestamp: new Date(Date.now() - 65_000).toISOString() },
    spec: { type: 'LoadBalancer', clusterIP: '127.1.96.3', ports: [{ port: 443, protocol: 'TCP', nodePort: 31443 }, { port: 8080 }] },
  };
  const services = find('', 'services');
  t.deepEqual(row(services, service), { NAME: 'agentgateway-proxy', TYPE: 'LoadBalancer', 'CLUSTER-IP': '127.1.96.3', 'EXTERNAL-IP': '<pending>', 'PORT(S)': '443:31443/TCP,8080/TCP', AGE: '65s' });
  service.status = { loadBalancer: { ingress: [{ ip: '127.1.200.1' }] } };
  t.is(row(services, service)['EXTERNAL-IP'], '127.1.200.1');
});

test('tables: pods, deployments, secrets, endpointslices as kubectl prints them', (t) => {
  const pod: KubeObject = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mock-gpt-4o-abc' },
    spec: { containers: [{ name: 'a' }], nodeName: 'agw-workshop' },
    status: { phase: 'Running', podIP: '127.1.1.5', containerStatuses: [{ ready: true, restartCount: 2, state: { running: {} } }] },
  };
  const podRow = row(find('', 'pods'), pod, true);
  t.like(podRow, { READY: '1/1', STATUS: 'Running', RESTARTS: 2, IP: '127.1.1.5', NODE: 'agw-workshop' });
  const waiting = structuredClone(pod);
  (waiting.status as any).containerStatuses[0] = { ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } };
  t.like(row(find('', 'pods'), waiting), { READY: '0/1', STATUS: 'ErrImagePull' });
  const deployment: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'd' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] } },
    status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
  };
  t.like(row(find('apps', 'deployments'), deployment, true), { READY: '1/2', 'UP-TO-DATE': 2, AVAILABLE: 1, SELECTOR: 'app=d,tier in (a,b)' });
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'foo' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } };
  t.like(row(find('', 'secrets'), secret), { TYPE: 'kubernetes.io/tls', DATA: 2 });
  const slice: KubeObject = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' }, addressType: 'IPv4', ports: [{ port: 8000 }], endpoints: [{ addresses: ['127.1.1.5'] }] };
  t.like(row(find('discovery.k8s.io', 'endpointslices'), slice), { ADDRESSTYPE: 'IPv4', PORTS: '8000', ENDPOINTS: '127.1.1.5' });
});

test('tables: gateways show CLASS, ADDRESS, PROGRAMMED; gatewayclasses CONTROLLER, ACCEPTED; routes HOSTNAMES; certificates READY, SECRET', (t) => {
  const gateway: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'agentgateway-proxy' },
    spec: { gatewayClassName: 'enterprise-agentgateway' },
    status: { addresses: [{ type: 'IPAddress', value: '127.1.200.1' }], conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True' }] },
  };
  t.like(row(find('gateway.networking.k8s.io', 'gateways'), gateway), { CLASS: 'enterprise-agentgateway', ADDRESS: '127.1.200.1', PROGRAMMED: 'True' });
  const gatewayClass: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'agw-workshop.dev/gateway' } };
  t.like(row(find('gateway.networking.k8s.io', 'gatewayclasses'), gatewayClass), { CONTROLLER: 'agw-workshop.dev/gateway', ACCEPTED: '' });
  const route: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { hostnames: ['mock-openai-foo.glootest.com'] } };
  t.like(row(find('gateway.networking.k8s.io', 'httproutes'), route), { HOSTNAMES: '["mock-openai-foo.glootest.com"]' });
  const certificate: KubeObject = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: { secretName: 'c-tls' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  t.like(row(find('cert-manager.io', 'certificates'), certificate), { READY: 'True', SECRET: 'c-tls' });
});

test('ages read like kubectl: seconds, minutes+seconds, hours, days', (t) => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  const ago = (s: number) => new Date(now - s * 1000).toISOString();
  t.is(humanAge(ago(5), now), '5s');
  t.is(humanAge(ago(150), now), '2m30s');
  t.is(humanAge(ago(1800), now), '30m');
  t.is(humanAge(ago(3 * 3600 + 600), now), '3h10m');
  t.is(humanAge(ago(30 * 3600), now), '30h');
  t.is(humanAge(ago(3 * 86400 + 7200), now), '3d2h');
  t.is(humanAge(ago(40 * 86400), now), '40d');
});

test('JSONPath of printer columns: fields, indexes, wildcards and filters', (t) => {
  const object = { status: { conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Ready', status: 'False' }] }, spec: { hosts: ['a', 'b'], 'x.y': 1 } };
  t.deepEqual(evaluateJsonPath(object, '.status.conditions[?(@.type=="Ready")].status'), ['False']);
  t.deepEqual(evaluateJsonPath(object, ".status.conditions[?(@.type=='Accepted')].status"), ['True']);
  t.deepEqual(evaluateJsonPath(object, '.spec.hosts[*]'), ['a', 'b']);
  t.deepEqual(evaluateJsonPath(object, '.spec.hosts[1]'), ['b']);
  t.deepEqual(evaluateJsonPath(object, ".spec['x.y']"), [1]);
  t.deepEqual(evaluateJsonPath(object, '.spec.missing'), []);
  t.deepEqual(evaluateJsonPath(object, '.spec[?bad'), []);
});

// --- CRDs ---------------------------------------------------------------------------

const widgetSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10 },
        color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};

const widgetsCrd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
    versions: [
      { name: 'v1beta1', served: true, storage: false, deprecated: true, schema: { openAPIV3Schema: widgetSchema } },
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: widgetSchema },
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
          { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1 },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
      { name: 'v0', served: false, storage: false },
    ],
  },
};

test('a stored CRD registers its kind: names, versions (storage first), scope, status, table', (t) => {
  t.deepEqual(find('apiextensions.k8s.io', 'customresourcedefinitions').validate!(widgetsCrd, { strict: true }), []);
  const [widgets] = resourceFromCrd(widgetsCrd);
  t.like(widgets, { group: 'example.com', kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget', namespaced: true, hasStatus: true, strategicMerge: false });
  t.deepEqual(widgets.versions, ['v1', 'v1beta1']);
  t.deepEqual(widgets.deprecatedVersions, ['v1beta1']);
  t.deepEqual(widgets.shortNames, ['wd']);
  t.deepEqual(widgets.categories, ['all']);
  t.deepEqual(widgets.table!.map((c) => `${c.name}${c.wide ? '*' : ''}`), ['Name', 'Size', 'Phase', 'Color*', 'Age']);
  const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', creationTimestamp: new Date().toISOString() }, spec: { size: 3 }, status: { phase: 'Ready' } };
  t.like(row(widgets, widget), { SIZE: 3, PHASE: 'Ready' });
  t.deepEqual(resourceFromCrd({ ...widgetsCrd, spec: { group: 'x.y' } }), []);
});

test('a custom resource is validated against its version schema: values, required, unknown fields unless preserved', (t) => {
  const [widgets] = resourceFromCrd(widgetsCrd);
  const widget = (spec: unknown, apiVersion = 'example.com/v1'): KubeObject => ({ apiVersion, kind: 'Widget', metadata: { name: 'w', namespace: 'n' }, spec });
  t.deepEqual(widgets.validate!(widget({ size: 2, port: 'http', tags: ['a'], labels: { a: 'b' }, config: { anything: { goes: [1] } } }), { strict: true }), []);
  t.deepEqual(widgets.validate!(widget({ size: 2, port: 8080 }, 'example.com/v1beta1'), { strict: true }), []);
  const bad = widgets.validate!(widget({ size: 11, color: 'green', port: true, tags: ['a', 'b', 'c'] }), { strict: true });
  t.deepEqual(bad.map((c) => `${c.field}: ${c.message}`), [
    'spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10',
    'spec.color: Unsupported value: "green": supported values: "red", "blue"',
    'spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"',
    'spec.tags: Too many: 3: must have at most 2 items',
  ]);
  t.deepEqual(widgets.validate!(widget({}), { strict: true }).map((c) => `${c.field}: ${c.message}`), ['spec.size: Required value']);
  const unknown = widget({ size: 1, shape: 'round', labels: { ok: 'yes' } });
  const causes = widgets.validate!(unknown, { strict: true });
  t.deepEqual(causes.map((c) => c.message), ['unknown field "spec.shape"']);
  t.is(rejection(unknown, causes)?.code, 400);
  t.deepEqual(widgets.validate!(unknown, { strict: false }), []);
  t.deepEqual((widgets.prune!(unknown).spec as any), { size: 1, labels: { ok: 'yes' } });
  t.is((widgets.applyDefaults!(widget({ size: 1 })).spec as any).color, 'red');
});

test('a CRD with a bad name, no storage version or a dotless group is invalid', (t) => {
  const crds = find('apiextensions.k8s.io', 'customresourcedefinitions');
  const broken = structuredClone(widgetsCrd);
  broken.metadata.name = 'widgets.example.org';
  (broken.spec as any).group = 'example.com';
  (broken.spec as any).versions.forEach((v: any) => (v.storage = false));
  const fields = crds.validate!(broken, { strict: true }).map((c) => c.field);
  t.true(fields.includes('metadata.name'));
  t.true(fields.includes('spec.versions'));
});

test('AgentgatewayPolicy: agpol, and ACCEPTED/ATTACHED read from status.ancestors like the CRD printer columns', (t) => {
  const policies = find('agentgateway.dev', 'agentgatewaypolicies');
  t.deepEqual(policies.shortNames, ['agpol']);
  const policy: KubeObject = {
    apiVersion: 'agentgateway.dev/v1alpha1', kind: 'AgentgatewayPolicy', metadata: { name: 'p' },
    status: { ancestors: [{ conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Attached', status: 'False' }] }] },
  };
  t.like(row(policies, policy), { NAME: 'p', ACCEPTED: 'True', ATTACHED: 'False' });
});
