// @kubernetes/client-node against the embedded cluster: typed CRUD, the
// generic object API with each patch strategy, and an informer that must see
// ADDED, MODIFIED, DELETED in order.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test from 'ava';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { run, startTestCluster, type TestCluster } from '../../helpers/cluster.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let cluster: TestCluster;
let kc: KubeConfig;
const NS = 'client';

test.before(async () => {
  cluster = await startTestCluster();
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
});
test.after.always(async () => {
  await cluster?.stop();
});

test('typed create, read, patch (merge and strategic) and delete', async (t) => {
  const core = kc.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'settings', labels: { app: 'x' } }, data: { a: '1' } } });
  t.truthy(created.metadata?.uid);
  t.is(created.metadata?.generation, 1);
  const patched = await core.patchNamespacedConfigMap(
    { name: 'settings', namespace: NS, body: { data: { b: '2' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  t.deepEqual(patched.data, { a: '1', b: '2' });
  t.true(Number(patched.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion));

  const apps = kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'echo', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'echo' }] } },
      },
    },
  });
  // Strategic merge: containers merge by name, so patching one keeps the other and its ports.
  const smp = await apps.patchNamespacedDeployment(
    { name: 'web', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'b', image: 'echo:2' }] } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  const containers = smp.spec?.template.spec?.containers ?? [];
  t.deepEqual(containers.map((c) => `${c.name}=${c.image}`), ['a=echo', 'b=echo:2']);
  t.deepEqual(containers[0]?.ports?.map((p) => p.containerPort), [80]);
  t.is(smp.metadata?.generation, 2);

  await core.deleteNamespacedConfigMap({ name: 'settings', namespace: NS });
  const error = await t.throwsAsync(core.readNamespacedConfigMap({ name: 'settings', namespace: NS }));
  t.is((error as { code?: number }).code, 404);
});

test('the generic object API creates, JSON-patches and deletes a Gateway API object', async (t) => {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r1', namespace: NS },
    spec: { parentRefs: [{ name: 'gw' }], hostnames: ['a.example.com'] },
  } as KubernetesObject;
  const created = await client.create(route);
  t.truthy(created.metadata?.uid);
  const patched = (await client.patch(
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r1', namespace: NS }, spec: { hostnames: ['b.example.com'] } } as KubernetesObject,
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  )) as KubernetesObject & { spec: { hostnames: string[]; parentRefs: unknown[] } };
  t.deepEqual(patched.spec.hostnames, ['b.example.com']);
  t.is(patched.spec.parentRefs.length, 1);
  await client.delete({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r1', namespace: NS } } as KubernetesObject);
  const list = await client.list('gateway.networking.k8s.io/v1', 'HTTPRoute', NS);
  t.is(list.items.length, 0);
});

test('an informer sees ADDED, MODIFIED and DELETED in order', async (t) => {
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${NS}/configmaps`, () => core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'watched=yes' }), 'watched=yes');
  const seen: string[] = [];
  let resolveDone: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const record = (type: string) => (obj: V1ConfigMap) => {
    seen.push(`${type} ${obj.metadata?.name} ${obj.data?.v ?? ''}`.trim());
    if (type === 'DELETED') resolveDone();
  };
  informer.on('add', record('ADDED'));
  informer.on('update', record('MODIFIED'));
  informer.on('delete', record('DELETED'));
  informer.on('error', (error: unknown) => seen.push(`ERROR ${String(error)}`));
  await informer.start();
  t.teardown(() => informer.stop());

  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'w', labels: { watched: 'yes' } }, data: { v: '1' } } });
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'ignored' }, data: { v: 'x' } } });
  await core.replaceNamespacedConfigMap({ name: 'w', namespace: NS, body: { metadata: { name: 'w', labels: { watched: 'yes' } }, data: { v: '2' } } });
  await core.deleteNamespacedConfigMap({ name: 'w', namespace: NS });
  const timeout = new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`informer saw only: ${seen.join(' | ')}`)), 10_000));
  await Promise.race([done, timeout]);
  t.deepEqual(seen, ['ADDED w 1', 'MODIFIED w 2', 'DELETED w 2']);
});

// The build bundles client-node into dist (source/cluster/k8s-client.ts says why);
// pods and CLI processes run that bundle, so it must stand alone and work.
test('the built k8s-client bundle stands alone, exports what the source does, and lists and watches', async (t) => {
  const built = path.join(repoRoot, 'dist', 'source', 'cluster', 'k8s-client.js');
  t.true(fs.existsSync(built), `${built} is missing: npm test builds first (npm run build)`);
  const text = fs.readFileSync(built, 'utf8');
  t.false(/from\s*["']@kubernetes\/client-node/.test(text), 'the bundle still imports @kubernetes/client-node');
  const bundle = (await import(pathToFileURL(built).href)) as typeof import('../../../source/cluster/k8s-client.js');
  const source = await import('../../../source/cluster/k8s-client.js');
  t.deepEqual(Object.keys(bundle).sort(), Object.keys(source).sort());

  const bundledKc = new bundle.KubeConfig();
  bundledKc.loadFromFile(cluster.kubeconfig);
  const core = bundledKc.makeApiClient(bundle.CoreV1Api);
  const seen: string[] = [];
  const informer = bundle.makeInformer(bundledKc, `/api/v1/namespaces/${NS}/configmaps`, () => core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'bundle=yes' }), 'bundle=yes');
  const added = new Promise<void>((resolve) => informer.on('add', (obj) => { seen.push(obj.metadata?.name ?? ''); resolve(); }));
  await informer.start();
  t.teardown(() => informer.stop());
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'from-bundle', labels: { bundle: 'yes' } }, data: { v: '1' } } });
  const timeout = new Promise<void>((_, reject) => setTimeout(() => reject(new Error('the bundled informer saw no ADDED event within 10 s')), 10_000));
  await Promise.race([added, timeout]);
  t.deepEqual(seen, ['from-bundle']);
});

// Node 22+ prints some deprecations only for callers outside node_modules; the
// bundle moves node-fetch and tr46 into dist/, and its banner keeps them quiet
// for its own calls only. The control warning, raised by the script itself,
// must still print: the filter may not swallow everything.
test('the bundle raises no deprecation warnings of its own, and leaves other code\'s warnings alone', async (t) => {
  const built = pathToFileURL(path.join(repoRoot, 'dist', 'source', 'cluster', 'k8s-client.js')).href;
  const script = `
    const k8s = await import(${JSON.stringify(built)});
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(process.env.KC);
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    console.log('namespaces', list.items.length);
    process.emitWarning('control warning from the script', 'DeprecationWarning', 'DEP0169');`;
  const result = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, KC: cluster.kubeconfig }, timeoutMs: 30_000 });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /namespaces \d+/);
  const warnings = result.stderr.split('\n').filter((line) => line.includes('Warning'));
  t.deepEqual(warnings.map((line) => line.replace(/^\(node:\d+\) /, '')), ['[DEP0169] DeprecationWarning: control warning from the script'], result.stderr);
});
