// The pods every embedded cluster runs: kube-system/kube-proxy (the
// project's image running `workload kube-proxy`), which forwards Service
// ClusterIPs and LoadBalancer IPs to endpoints. It is a bare Pod, recreated at
// every start when missing or outdated (like a static pod of the node).
import type { KubeObject } from '../store/store-types.js';
import { PODS } from './resource-keys.js';
import { OWN_IMAGE } from '../kubelet/images.js';
import { isConflictOrGone, shortHash } from './objects.js';
import type { Loop, LoopContext } from './loop.js';
import { WorkQueue } from './work-queue.js';

export const KUBE_PROXY_HEALTHZ_PORT = 10256;
const SPEC_HASH_ANNOTATION = 'agw-workshop.dev/spec-hash';

export function kubeProxyPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'kube-proxy',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-proxy', 'app.kubernetes.io/managed-by': 'agw-workshop' },
    },
    spec: {
      priorityClassName: 'system-node-critical',
      terminationGracePeriodSeconds: 2,
      containers: [{
        name: 'kube-proxy',
        image: `${OWN_IMAGE}:latest`,
        args: ['workload', 'kube-proxy'],
        ports: [{ name: 'healthz', containerPort: KUBE_PROXY_HEALTHZ_PORT, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/healthz', port: KUBE_PROXY_HEALTHZ_PORT }, periodSeconds: 5 },
      }],
    },
  };
}

/** Keeps the system pods present with the current spec (recreated when deleted, replaced when outdated). */
export function startSystemPodsLoop(ctx: LoopContext): Loop {
  const desired = [kubeProxyPod()].map((pod) => ({ ...pod, metadata: { ...pod.metadata, annotations: { [SPEC_HASH_ANNOTATION]: shortHash(pod.spec) } } }));
  const queue = new WorkQueue('system-pods', (key) => {
    const want = desired.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === key);
    if (!want) return;
    const have = ctx.store.get(PODS, want.metadata.namespace, want.metadata.name);
    // The stored spec gains defaults and a nodeName; what we asked for is compared through a hash of it.
    const current = have?.metadata.annotations?.[SPEC_HASH_ANNOTATION] === want.metadata.annotations![SPEC_HASH_ANNOTATION];
    try {
      if (have && !current) {
        ctx.log(`system pods: replacing outdated ${key}`);
        ctx.store.delete(PODS, want.metadata.namespace, want.metadata.name);
      }
      if (!have || !current) ctx.store.create(PODS, want);
    } catch (error) {
      if (!isConflictOrGone(error)) throw error;
      queue.add(key);
    }
  }, ctx.log);
  for (const pod of desired) queue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
  const unwatch = ctx.store.watch(PODS, (event) => {
    if (event.type === 'DELETED' && desired.some((p) => p.metadata.name === event.object.metadata.name && p.metadata.namespace === event.object.metadata.namespace)) {
      queue.add(`${event.object.metadata.namespace}/${event.object.metadata.name}`);
    }
  }, { namespace: 'kube-system' });
  return {
    name: 'system-pods',
    idle: () => queue.idle(),
    stop() {
      unwatch();
      queue.stop();
    },
  };
}

