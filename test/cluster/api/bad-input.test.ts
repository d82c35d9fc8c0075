// What the API answers to wrong requests: the right Status code, a message a
// learner can act on, and a store left exactly as it was.
import test from 'ava';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { collectWatch, createNamespace, request } from './request.js';

let cluster: TestCluster;
const NS = 'bad';

test.before(async () => {
  cluster = await startTestCluster();
  await createNamespace(cluster, NS);
});
test.after.always(async () => {
  await cluster?.stop();
});

/**
 * What this file's namespace holds, as clients wrote it (status and resourceVersion are left out: the
 * control plane, e.g. the gateway controller, writes status on its own schedule). Equal before and after a
 * rejected request means the request changed nothing.
 */
async function storeVersion(): Promise<string> {
  const paths = [`/api/v1/namespaces/${NS}/configmaps`, `/api/v1/namespaces/${NS}/secrets`, `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways`];
  const lists = await Promise.all(paths.map((p) => request(cluster, 'GET', p)));
  return JSON.stringify(
    lists.map((l) =>
      (l.json.items as { metadata: Record<string, unknown>; status?: unknown }[]).map(({ status: _status, metadata: { resourceVersion: _rv, ...metadata }, ...rest }) => ({ metadata, ...rest })),
    ),
  );
}

function isStatus(t: { is: (a: unknown, b: unknown) => void }, body: any, code: number, reason: string): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  t.is(body?.kind, 'Status');
  t.is(body?.status, 'Failure');
  t.is(body?.code, code);
  t.is(body?.reason, reason);
}

test.serial('no token or a wrong token is 401 Unauthorized; /version and /healthz stay public', async (t) => {
  const none = await request(cluster, 'GET', '/api/v1/namespaces', { token: null });
  t.is(none.status, 401);
  isStatus(t, none.json, 401, 'Unauthorized');
  const wrong = await request(cluster, 'GET', '/apis', { token: 'not-the-token' });
  t.is(wrong.status, 401);
  t.is((await request(cluster, 'GET', '/version', { token: null })).status, 200);
  t.is((await request(cluster, 'GET', '/healthz', { token: null })).text, 'ok');
});

test.serial('malformed JSON, YAML and protobuf bodies are 400 with a message, and change nothing', async (t) => {
  const before = await storeVersion();
  const json = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {' });
  t.is(json.status, 400);
  isStatus(t, json.json, 400, 'BadRequest');
  t.regex(json.json.message, /not valid JSON/);
  const yaml = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n', contentType: 'application/yaml' });
  t.is(yaml.status, 400);
  t.regex(yaml.json.message, /not valid YAML at line \d+/);
  const garbage = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/secrets`, { body: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff, 0xff, 0x01]), contentType: 'application/vnd.kubernetes.protobuf' });
  t.is(garbage.status, 400, garbage.text);
  isStatus(t, garbage.json, 400, 'BadRequest');
  const noEnvelope = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/secrets`, { body: Buffer.from('not protobuf'), contentType: 'application/vnd.kubernetes.protobuf' });
  t.is(noEnvelope.status, 400);
  const array = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: '[1,2]' });
  t.is(array.status, 400);
  const unsupported = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: 'x', contentType: 'text/csv' });
  t.is(unsupported.status, 415);
  t.is(await storeVersion(), before);
});

test.serial('a body whose apiVersion the group does not serve (a ConfigMap of v9 posted to /api/v1) is 400, as kube-apiserver answers, and stores nothing', async (t) => {
  const before = await storeVersion();
  const posted = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: JSON.stringify({ apiVersion: 'v9', kind: 'ConfigMap', metadata: { name: 'from-v9' }, data: { k: 'v' } }) });
  t.is(posted.status, 400, posted.text);
  isStatus(t, posted.json, 400, 'BadRequest');
  t.is(posted.json.message, 'no kind "ConfigMap" is registered for version "v9" in scheme "k8s.io/apimachinery/pkg/runtime/scheme.go:100"');
  const kubectl = await cluster.kubectl(['apply', '-f', '-'], `apiVersion: v9\nkind: ConfigMap\nmetadata: {name: from-v9, namespace: ${NS}}\n`);
  t.not(kubectl.code, 0, 'kubectl is refused too');
  t.is(await storeVersion(), before);
});

test.serial('an unknown kind is 404, and kubectl says there is no such kind', async (t) => {
  const before = await storeVersion();
  const response = await request(cluster, 'POST', `/apis/example.org/v1/namespaces/${NS}/gizmos`, { body: JSON.stringify({ apiVersion: 'example.org/v1', kind: 'Gizmo', metadata: { name: 'w' } }) });
  t.is(response.status, 404);
  isStatus(t, response.json, 404, 'NotFound');
  const kubectl = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: example.org/v1\nkind: Gizmo\nmetadata: {name: w, namespace: bad}\n');
  t.is(kubectl.code, 1);
  // kubectl looks for a CRD, then for an OpenAPI v2 schema (which we do not serve), and stops there.
  t.regex(kubectl.stderr, /no matches for kind "Gizmo"|could not find the requested resource/);
  t.is(await storeVersion(), before);
});

test.serial('a create into a missing namespace is 404 namespaces "x" not found', async (t) => {
  const before = await storeVersion();
  const response = await request(cluster, 'POST', '/api/v1/namespaces/nope/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }) });
  t.is(response.status, 404);
  t.is(response.json.message, 'namespaces "nope" not found');
  const kubectl = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: nope}\n');
  t.is(kubectl.code, 1);
  t.regex(kubectl.stderr, /namespaces "nope" not found/);
  t.is(await storeVersion(), before);
});

const gateway = (port: number, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ${NS}}
spec:
  gatewayClassName: agentgateway
  listeners:
  - {name: http, port: ${port}, protocol: HTTP}
${extra}`;

test.serial('an invalid value is 422 Invalid naming the field path; an unknown field under Strict is 400 naming it', async (t) => {
  const before = await storeVersion();
  const invalid = await request(cluster, 'POST', `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways?fieldValidation=Strict`, { body: gateway(99999), contentType: 'application/yaml' });
  t.is(invalid.status, 422, invalid.text);
  isStatus(t, invalid.json, 422, 'Invalid');
  t.regex(invalid.json.message, /spec\.listeners\[0\]\.port/);
  t.true(invalid.json.details.causes.some((c: { field?: string }) => c.field === 'spec.listeners[0].port'));
  const kubectl = await cluster.kubectl(['apply', '-f', '-'], gateway(99999));
  t.is(kubectl.code, 1);
  t.regex(kubectl.stderr, /spec\.listeners\[0\]\.port/);
  const unknown = await request(cluster, 'POST', `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways?fieldValidation=Strict`, { body: gateway(80, '  bogus: true\n'), contentType: 'application/yaml' });
  t.is(unknown.status, 400, unknown.text);
  t.regex(unknown.json.message, /unknown field "spec\.bogus"/);
  t.is(await storeVersion(), before);
  // Warn stores it and says why in a Warning header; Ignore stores it silently.
  const warned = await request(cluster, 'POST', `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways?fieldValidation=Warn`, { body: gateway(80, '  bogus: true\n'), contentType: 'application/yaml' });
  t.is(warned.status, 201, warned.text);
  t.regex(String(warned.headers.warning), /299 - "unknown field \\?"spec\.bogus/);
});

test.serial('a duplicate create is 409 AlreadyExists; a stale resourceVersion is 409 Conflict; neither changes anything', async (t) => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' }, data: { a: '1' } });
  const first = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body });
  t.is(first.status, 201);
  const before = await storeVersion();
  const second = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body });
  t.is(second.status, 409);
  isStatus(t, second.json, 409, 'AlreadyExists');
  t.is(second.json.message, 'configmaps "dup" already exists');
  const stale = await request(cluster, 'PUT', `/api/v1/namespaces/${NS}/configmaps/dup`, { body: JSON.stringify({ ...first.json, metadata: { ...first.json.metadata, resourceVersion: '1' }, data: { a: '2' } }) });
  t.is(stale.status, 409);
  isStatus(t, stale.json, 409, 'Conflict');
  t.is(await storeVersion(), before);
  const kept = await request(cluster, 'GET', `/api/v1/namespaces/${NS}/configmaps/dup`);
  t.deepEqual(kept.json.data, { a: '1' });
});

test.serial('strategic merge patch on a custom kind is 415; dryRun=All stores nothing; generateName names the object', async (t) => {
  const before = await storeVersion();
  const dry = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps?dryRun=All`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } }) });
  t.is(dry.status, 201);
  t.is((await request(cluster, 'GET', `/api/v1/namespaces/${NS}/configmaps/dry`)).status, 404);
  const smp = await request(cluster, 'PATCH', `/apis/agentgateway.dev/v1alpha1/namespaces/${NS}/agentgatewaybackends/x`, { body: '{}', contentType: 'application/strategic-merge-patch+json' });
  t.is(smp.status, 415);
  t.is(await storeVersion(), before);
  const generated = await request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } }) });
  t.is(generated.status, 201);
  t.regex(generated.json.metadata.name, /^gen-[a-z0-9]{5}$/);
});

test.serial('a watch from a resourceVersion does not replay older events; bookmarks and field selectors work', async (t) => {
  const make = (name: string) => request(cluster, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }) });
  const old = await make('w-old');
  const from = old.json.metadata.resourceVersion as string;
  await make('w-between');
  const events = await collectWatch(
    cluster,
    `/api/v1/namespaces/${NS}/configmaps?watch=true&resourceVersion=${from}`,
    (e) => e.some((x) => x.object.metadata.name === 'w-after'),
    10_000,
    () => void make('w-after'),
  );
  t.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w-between', 'ADDED w-after']);
  t.true(events.every((e) => Number(e.object.metadata.resourceVersion) > Number(from)));

  const malformed = await request(cluster, 'GET', `/api/v1/namespaces/${NS}/configmaps?watch=true&labelSelector=${encodeURIComponent('a in (b')}`);
  t.is(malformed.status, 400);
  t.regex(malformed.json.message, /label selector/);

  const selected = await collectWatch(
    cluster,
    `/api/v1/namespaces/${NS}/configmaps?watch=true&fieldSelector=metadata.name%3Dw-old`,
    (e) => e.length >= 1,
  );
  t.deepEqual(selected.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w-old']);
});

test.serial('discovery answers in the aggregated format kubectl asks for; OpenAPI v3 is served, v2 without definitions', async (t) => {
  const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  const apis = await request(cluster, 'GET', '/apis', { accept });
  t.is(apis.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const gw = apis.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'gateway.networking.k8s.io');
  const gateways = gw.versions[0].resources.find((r: { resource: string }) => r.resource === 'gateways');
  t.deepEqual(gateways.responseKind, { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'Gateway' });
  t.is(gateways.scope, 'Namespaced');
  t.true(gateways.shortNames.includes('gtw'));
  const legacy = await request(cluster, 'GET', '/api');
  t.deepEqual(legacy.json.versions, ['v1']);
  const root = await request(cluster, 'GET', '/openapi/v3');
  t.regex(root.json.paths['apis/gateway.networking.k8s.io/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/gateway\.networking\.k8s\.io\/v1\?hash=/);
  const v2 = await request(cluster, 'GET', '/openapi/v2');
  t.is(v2.status, 200);
  t.like(v2.json, { swagger: '2.0', definitions: {} });
  const proto = await request(cluster, 'GET', '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
  t.is(proto.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  // gnostic's Document: field 1 (swagger) "2.0", field 2 (info) {title, version}
  t.true(proto.text.startsWith('\n\x032.0\x12'), JSON.stringify(proto.text));
});

test.serial('a deprecated version answers with a Warning header', async (t) => {
  const list = await request(cluster, 'GET', `/apis/gateway.networking.k8s.io/v1alpha3/namespaces/${NS}/backendtlspolicies`);
  t.is(list.status, 200, list.text);
  t.regex(String(list.headers.warning), /^299 - ".*v1alpha3 BackendTLSPolicy is deprecated/);
});

test.serial('a stored CRD registers its kind at once: discovery, kubectl apply and get see it', async (t) => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList, shortNames: [wdg]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
`;
  const created = await cluster.kubectl(['apply', '-f', '-'], crd);
  t.is(created.code, 0, created.stderr);
  const established = await cluster.kubectl(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s']);
  t.is(established.code, 0, established.stderr);
  const widget = await cluster.kubectl(['apply', '-f', '-'], `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: ${NS}}\nspec: {size: 3}\n`);
  t.is(widget.code, 0, widget.stderr);
  t.regex(widget.stdout, /widget\.example\.com\/w1 created/);
  const got = await cluster.kubectl(['get', 'wdg', '-n', NS, '-o', 'jsonpath={.items[0].spec.size}']);
  t.is(got.stdout, '3');
});

test.serial('a watch-list (sendInitialEvents) gets the current objects, then the initial-events-end bookmark', async (t) => {
  const events = await collectWatch(
    cluster,
    `/api/v1/namespaces/${NS}/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Ddup`,
    (e) => e.some((x) => x.type === 'BOOKMARK'),
  );
  t.deepEqual(events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
  t.is(events[1]!.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
});

test.serial('deleting a namespace deletes what is in it; the system namespaces cannot be deleted', async (t) => {
  const created = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: doomed}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside, namespace: doomed}\n');
  t.is(created.code, 0, created.stderr);
  const deleted = await cluster.kubectl(['delete', 'namespace', 'doomed']);
  t.is(deleted.code, 0, deleted.stderr);
  const inside = await request(cluster, 'GET', '/api/v1/namespaces/doomed/configmaps/inside');
  t.is(inside.status, 404);
  const refused = await cluster.kubectl(['delete', 'namespace', 'kube-system']);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /this namespace may not be deleted/);
});
