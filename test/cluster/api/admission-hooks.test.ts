// The write path calls the kinds' hooks as kube-apiserver does: CRD defaults
// are filled before validation, unknown fields are dropped under Warn/Ignore
// (and reported as a warning under Warn), and immutable fields are refused
// on update with 422.
import test from 'ava';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { createNamespace, request } from './request.js';

let cluster: TestCluster;
const NS = 'hooks';

test.before(async () => {
  cluster = await startTestCluster();
  await createNamespace(cluster, NS);
});
test.after.always(async () => {
  await cluster?.stop();
});

test('a Gateway listener created without allowedRoutes gets the CRD default (namespaces.from: Same)', async (t) => {
  const gateway = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'defaults' },
    spec: { gatewayClassName: 'agentgateway', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'a.example.com', tls: { certificateRefs: [{ name: 'a-cert' }] } }] },
  };
  const created = await request(cluster, 'POST', `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways`, { body: JSON.stringify(gateway) });
  t.is(created.status, 201, created.text);
  t.deepEqual(created.json.spec.listeners[0].allowedRoutes, { namespaces: { from: 'Same' } });
  const read = await request(cluster, 'GET', `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways/defaults`);
  t.deepEqual(read.json.spec.listeners[0].allowedRoutes, { namespaces: { from: 'Same' } });
  t.is(read.json.spec.listeners[0].tls.mode, 'Terminate');
});

const deployment = (app: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app } },
    template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'web', image: 'agw-workshop/echo' }] } },
  },
});

test("changing a Deployment's selector is refused with 422 (field is immutable), by PUT and by PATCH", async (t) => {
  const base = `/apis/apps/v1/namespaces/${NS}/deployments`;
  const created = await request(cluster, 'POST', base, { body: JSON.stringify(deployment('web')) });
  t.is(created.status, 201, created.text);
  const put = await request(cluster, 'PUT', `${base}/web`, { body: JSON.stringify(deployment('other')) });
  t.is(put.status, 422, put.text);
  t.is(put.json.reason, 'Invalid');
  t.true(put.json.details.causes.some((c: { field: string; message: string }) => c.field === 'spec.selector' && /field is immutable/.test(c.message)), put.text);
  const patch = await request(cluster, 'PATCH', `${base}/web`, {
    contentType: 'application/merge-patch+json',
    body: JSON.stringify({ spec: { selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } } } } }),
  });
  t.is(patch.status, 422, patch.text);
  const read = await request(cluster, 'GET', `${base}/web`);
  t.deepEqual(read.json.spec.selector, { matchLabels: { app: 'web' } });
  // The same selector is still accepted.
  const same = await request(cluster, 'PATCH', `${base}/web`, { contentType: 'application/merge-patch+json', body: JSON.stringify({ spec: { replicas: 0 } }) });
  t.is(same.status, 200, same.text);
});

test('unknown fields: Strict refuses them, Warn stores the object without them and warns, Ignore drops them silently', async (t) => {
  const base = `/api/v1/namespaces/${NS}/configmaps`;
  const body = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, bogus: 'x' });
  const strict = await request(cluster, 'POST', `${base}?fieldValidation=Strict`, { body: body('strict') });
  t.is(strict.status, 400, strict.text);
  const warn = await request(cluster, 'POST', base, { body: body('warn') });
  t.is(warn.status, 201, warn.text);
  t.regex(String(warn.headers.warning), /unknown field \\"bogus\\"/);
  t.is(warn.json.bogus, undefined);
  t.is((await request(cluster, 'GET', `${base}/warn`)).json.bogus, undefined);
  const ignore = await request(cluster, 'POST', `${base}?fieldValidation=Ignore`, { body: body('ignore') });
  t.is(ignore.status, 201, ignore.text);
  t.is(ignore.headers.warning, undefined);
  const read = await request(cluster, 'GET', `${base}/ignore`);
  t.is(read.json.bogus, undefined);
  t.deepEqual(read.json.data, { a: 'b' });
});

test("a Service PUT that omits spec.clusterIP keeps the allocated address (as kube-apiserver's patchAllocatedValues); another address is refused with 422", async (t) => {
  const base = `/api/v1/namespaces/${NS}/services`;
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kept-ip' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } };
  const created = await request(cluster, 'POST', base, { body: JSON.stringify(service) });
  t.is(created.status, 201, created.text);
  const allocated = await cluster.kubectlOk(['get', 'service', 'kept-ip', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}']);
  t.regex(allocated, /^127\.\d+\.96\.\d+$/);
  const put = await request(cluster, 'PUT', `${base}/kept-ip`, { body: JSON.stringify({ ...service, metadata: { name: 'kept-ip', labels: { changed: 'yes' } } }) });
  t.is(put.status, 200, put.text);
  t.is(put.json.spec.clusterIP, allocated);
  t.deepEqual(put.json.spec.clusterIPs, [allocated]);
  const other = await request(cluster, 'PUT', `${base}/kept-ip`, { body: JSON.stringify({ ...service, spec: { ...service.spec, clusterIP: '127.0.96.250' } }) });
  t.is(other.status, 422, other.text);
  t.is((await request(cluster, 'GET', `${base}/kept-ip`)).json.spec.clusterIP, allocated);
});
