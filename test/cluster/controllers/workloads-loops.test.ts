// Deployment → Pods, Service addresses and EndpointSlices against an in-memory Store.
import test from 'ava';
import { FakeStore, eventually } from './fake-store.js';
import { startDeploymentLoop, maxUnavailable, POD_TEMPLATE_HASH } from '../../../source/cluster/embedded/controllers/deployments.js';
import { startServiceLoop, servicePortMap } from '../../../source/cluster/embedded/controllers/services.js';
import { startEndpointSliceLoop, SERVICE_NAME_LABEL } from '../../../source/cluster/embedded/controllers/endpointslices.js';
import { startNamespaceLoop } from '../../../source/cluster/embedded/controllers/namespaces.js';
import { DEPLOYMENTS, ENDPOINT_SLICES, NAMESPACES, PODS, SERVICES, SERVICE_ACCOUNTS } from '../../../source/cluster/embedded/controllers/resource-keys.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';
import type { Loop } from '../../../source/cluster/embedded/controllers/loop.js';

const network = { octet: 42, loopbackRange: true };

function setup(t: { teardown(fn: () => void): void }, start: Array<(ctx: { store: FakeStore; network: typeof network; log: (l: string) => void }) => Loop>) {
  const store = new FakeStore();
  const logs: string[] = [];
  const ctx = { store, network, log: (line: string) => logs.push(line) };
  const loops = start.map((s) => s(ctx));
  t.teardown(() => loops.forEach((l) => l.stop()));
  return { store, logs, settle: async () => { for (let i = 0; i < 3; i++) for (const l of loops) await l.idle(); } };
}

function deployment(replicas: number, image = 'ghcr.io/llm-d/llm-d-inference-sim:latest'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns' },
    spec: {
      replicas, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image, ports: [{ name: 'http', containerPort: 8000 }] }] } },
    },
  };
}

/** What the kubelet would do: give the pod an IP and mark it Ready. */
function markReady(store: FakeStore, pod: KubeObject, ip: string, ready = true): void {
  const fresh = store.get(PODS, pod.metadata.namespace, pod.metadata.name)!;
  store.updateStatus(PODS, { ...fresh, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
}

const podsOf = (store: FakeStore) => store.list(PODS, { namespace: 'ns' }).items;

test('a Deployment gets its replicas as pods named <deploy>-<hash>-<5>, owned by it, and scales down', async (t) => {
  const { store, settle } = setup(t, [startDeploymentLoop]);
  const created = store.create(DEPLOYMENTS, deployment(3));
  await settle();
  const pods = podsOf(store);
  t.is(pods.length, 3);
  for (const pod of pods) {
    const hash = pod.metadata.labels![POD_TEMPLATE_HASH]!;
    t.regex(pod.metadata.name, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    t.is(pod.metadata.labels!.app, 'web');
    t.deepEqual(pod.metadata.ownerReferences?.[0], { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: created.metadata.uid!, controller: true, blockOwnerDeletion: true });
  }
  const current = store.get(DEPLOYMENTS, 'ns', 'web')!;
  store.update(DEPLOYMENTS, { ...current, spec: { ...(current.spec as object), replicas: 1 } });
  await settle();
  t.is(podsOf(store).length, 1);
});

test('Deployment status reports ready pods and becomes Available', async (t) => {
  const { store, settle } = setup(t, [startDeploymentLoop]);
  store.create(DEPLOYMENTS, deployment(2));
  await settle();
  let status = store.get(DEPLOYMENTS, 'ns', 'web')!.status as any;
  t.is(status.observedGeneration, 1);
  t.is(status.replicas, 2);
  t.is(status.conditions.find((c: any) => c.type === 'Available').status, 'False');
  podsOf(store).forEach((pod, i) => markReady(store, pod, `127.42.1.${i + 1}`));
  await settle();
  status = store.get(DEPLOYMENTS, 'ns', 'web')!.status as any;
  t.is(status.readyReplicas, 2);
  t.is(status.availableReplicas, 2);
  t.is(status.updatedReplicas, 2);
  t.is(status.conditions.find((c: any) => c.type === 'Available').status, 'True');
  t.is(status.conditions.find((c: any) => c.type === 'Progressing').reason, 'NewReplicaSetAvailable');
});

test('a template change starts new pods before the old ones are deleted', async (t) => {
  const { store, settle } = setup(t, [startDeploymentLoop]);
  store.create(DEPLOYMENTS, deployment(1));
  await settle();
  const [first] = podsOf(store);
  markReady(store, first!, '127.42.1.1');
  await settle();
  const current = store.get(DEPLOYMENTS, 'ns', 'web')!;
  store.update(DEPLOYMENTS, { ...deployment(1, 'mccutchen/go-httpbin'), metadata: current.metadata });
  await settle();
  let pods = podsOf(store);
  t.is(pods.length, 2, 'the old pod stays until the new one is ready');
  const fresh = pods.find((p) => p.metadata.name !== first!.metadata.name)!;
  t.not(fresh.metadata.labels![POD_TEMPLATE_HASH], first!.metadata.labels![POD_TEMPLATE_HASH]);
  t.is((store.get(DEPLOYMENTS, 'ns', 'web')!.status as any).observedGeneration, 2);
  markReady(store, fresh, '127.42.1.2');
  await settle();
  pods = podsOf(store);
  t.deepEqual(pods.map((p) => p.metadata.name), [fresh.metadata.name]);
});

test('deleting a Deployment removes its pods (garbage collection), and a bad Deployment does not stop the loop', async (t) => {
  const { store, settle } = setup(t, [startDeploymentLoop]);
  store.create(DEPLOYMENTS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'broken', namespace: 'ns' }, spec: { replicas: 'many' as unknown as number } });
  store.create(DEPLOYMENTS, deployment(1));
  await settle();
  t.is(podsOf(store).filter((p) => p.metadata.name.startsWith('web-')).length, 1);
  store.delete(DEPLOYMENTS, 'ns', 'web');
  t.is(podsOf(store).filter((p) => p.metadata.name.startsWith('web-')).length, 0);
});

test('maxUnavailable follows Kubernetes rounding', (t) => {
  t.is(maxUnavailable({}, 1), 0);
  t.is(maxUnavailable({}, 4), 1);
  t.is(maxUnavailable({ strategy: { rollingUpdate: { maxUnavailable: 2 } } }, 4), 2);
  t.is(maxUnavailable({ strategy: { type: 'Recreate' } }, 3), 3);
});

test('Services get a ClusterIP from the Service range; LoadBalancers a stable ingress IP; headless stays None', async (t) => {
  const { store, settle } = setup(t, [(ctx) => startServiceLoop(ctx, { privileged: true })]);
  const svc = (name: string, spec: object): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { ports: [{ port: 443 }], ...spec } });
  store.create(SERVICES, svc('a', {}));
  store.create(SERVICES, svc('b', { type: 'LoadBalancer' }));
  store.create(SERVICES, svc('h', { clusterIP: 'None' }));
  await settle();
  const a = store.get(SERVICES, 'ns', 'a')!;
  const b = store.get(SERVICES, 'ns', 'b')!;
  t.is((a.spec as any).clusterIP, '127.42.96.1');
  t.deepEqual((a.spec as any).clusterIPs, ['127.42.96.1']);
  t.is((b.spec as any).clusterIP, '127.42.96.2');
  t.is((b.status as any).loadBalancer.ingress[0].ip, '127.42.200.1');
  t.is((store.get(SERVICES, 'ns', 'h')!.spec as any).clusterIP, 'None');
  // Stable: a change to the Service keeps its addresses.
  store.update(SERVICES, { ...b, spec: { ...(b.spec as object), ports: [{ port: 8443 }] } });
  await settle();
  const again = store.get(SERVICES, 'ns', 'b')!;
  t.is((again.status as any).loadBalancer.ingress[0].ip, '127.42.200.1');
  t.is((again.spec as any).clusterIP, '127.42.96.2');
});

test('Service ports below 1024 are mapped for kube-proxy when not root, and the map is an annotation', async (t) => {
  t.is(servicePortMap({ ports: [{ port: 443 }, { port: 8080 }] }, false, true), '443:8443');
  t.is(servicePortMap({ ports: [{ port: 443 }] }, true, true), undefined);
  const { store, settle } = setup(t, [(ctx) => startServiceLoop(ctx, { privileged: false })]);
  store.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'gw', namespace: 'ns' }, spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } });
  await settle();
  t.is(store.get(SERVICES, 'ns', 'gw')!.metadata.annotations?.['agw-workshop.dev/port-map'], '443:8443');
});

test('where Services share 127.0.0.1, a port another Service holds is moved, stably, and said in the annotation', async (t) => {
  const store = new FakeStore();
  const loop = startServiceLoop({ store, network: { octet: 0, loopbackRange: false }, log: () => {} }, { privileged: true });
  t.teardown(() => loop.stop());
  const svc = (name: string, port: number): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { type: 'LoadBalancer', ports: [{ port }] } });
  store.create(SERVICES, svc('a', 8000));
  await loop.idle();
  store.create(SERVICES, svc('b', 8000));
  await loop.idle();
  await loop.idle();
  const a = store.get(SERVICES, 'ns', 'a')!;
  const b = store.get(SERVICES, 'ns', 'b')!;
  t.is((a.spec as any).clusterIP, '127.0.0.1');
  t.is((b.status as any).loadBalancer.ingress[0].ip, '127.0.0.1');
  t.is(a.metadata.annotations?.['agw-workshop.dev/port-map'], undefined, 'the first keeps its port');
  t.is(b.metadata.annotations?.['agw-workshop.dev/port-map'], '8000:20000');
  store.update(SERVICES, { ...b, metadata: { ...b.metadata, labels: { touched: 'yes' } } });
  await loop.idle();
  t.is(store.get(SERVICES, 'ns', 'b')!.metadata.annotations?.['agw-workshop.dev/port-map'], '8000:20000', 'stable');
});

test('EndpointSlices list the selected pods with readiness and resolved named ports, and follow pod changes', async (t) => {
  const { store, settle } = setup(t, [startDeploymentLoop, startEndpointSliceLoop]);
  store.create(DEPLOYMENTS, deployment(2));
  const service = store.create(SERVICES, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-svc', namespace: 'ns' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  await settle();
  const pods = podsOf(store);
  markReady(store, pods[0]!, '127.42.1.1');
  markReady(store, pods[1]!, '127.42.1.2', false);
  await settle();
  const slices = store.list(ENDPOINT_SLICES, { namespace: 'ns' }).items;
  t.is(slices.length, 1);
  const slice = slices[0]!;
  t.regex(slice.metadata.name, /^web-svc-[a-z0-9]{5}$/);
  t.is(slice.metadata.labels![SERVICE_NAME_LABEL], 'web-svc');
  t.is(slice.addressType, 'IPv4');
  t.is(slice.metadata.ownerReferences![0]!.uid, service.metadata.uid!);
  t.deepEqual(slice.ports, [{ name: 'http', port: 8000, protocol: 'TCP' }]);
  const byIp = Object.fromEntries((slice.endpoints as any[]).map((e) => [e.addresses[0], e.conditions.ready]));
  t.deepEqual(byIp, { '127.42.1.1': true, '127.42.1.2': false });
  markReady(store, pods[1]!, '127.42.1.2', true);
  await settle();
  const updated = store.list(ENDPOINT_SLICES, { namespace: 'ns' }).items[0]!;
  t.is(updated.metadata.name, slice.metadata.name, 'the slice is updated in place');
  t.true((updated.endpoints as any[]).every((e) => e.conditions.ready));
  store.delete(PODS, 'ns', pods[0]!.metadata.name);
  await settle();
  const endpoints = () => (store.list(ENDPOINT_SLICES, { namespace: 'ns' }).items[0]!.endpoints as any[]).map((e) => e.addresses[0]);
  t.deepEqual(endpoints(), ['127.42.1.2'], 'the deleted pod left the slice');
  const replacement = podsOf(store).find((p) => !pods.some((old) => old.metadata.name === p.metadata.name))!;
  markReady(store, replacement, '127.42.1.3');
  await eventually(() => endpoints().length === 2 || undefined, 'replacement pod listed');
});

test('pods with a port map are reached on the mapped port, in their own slice', async (t) => {
  const { store, settle } = setup(t, [startEndpointSliceLoop]);
  const pod = (name: string, annotations?: Record<string, string>): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels: { app: 'x' }, annotations },
    spec: { containers: [{ name: 'c', image: 'i', ports: [{ name: 'https', containerPort: 443 }] }] },
  });
  markReady(store, store.create(PODS, pod('plain')), '127.42.1.1');
  markReady(store, store.create(PODS, pod('mapped', { 'agw-workshop.dev/port-map': '443:8443' })), '127.42.1.2');
  store.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'ns' }, spec: { selector: { app: 'x' }, ports: [{ name: 'https', port: 443, targetPort: 'https' }] } });
  await settle();
  const slices = store.list(ENDPOINT_SLICES, { namespace: 'ns' }).items;
  const ports = slices.map((s) => `${(s.ports as any[])[0].port}:${(s.endpoints as any[]).map((e) => e.addresses[0]).join()}`).sort();
  t.deepEqual(ports, ['443:127.42.1.1', '8443:127.42.1.2']);
});

test('system namespaces exist and every namespace gets a default ServiceAccount', async (t) => {
  const { store, settle } = setup(t, [startNamespaceLoop]);
  store.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } });
  await settle();
  for (const ns of ['default', 'kube-system', 'kube-public', 'lab']) {
    t.truthy(store.get(NAMESPACES, undefined, ns), ns);
    t.truthy(store.get(SERVICE_ACCOUNTS, ns, 'default'), `default ServiceAccount in ${ns}`);
  }
});
