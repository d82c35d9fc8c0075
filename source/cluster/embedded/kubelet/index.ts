// The kubelet of the embedded cluster's single node: every Pod in the store
// becomes child processes of the cluster (see pod-runtime.ts), with an address
// of its own (network.ts), and its status is written back like a kubelet's.
import net from 'node:net';
import path from 'node:path';
import type { KubeObject, Store } from '../store/store-types.js';
import { podAddress, type ClusterNetwork } from '../network/network.js';
import { CONFIGMAPS, PODS, SECRETS } from '../controllers/resource-keys.js';
import { WorkQueue } from '../controllers/work-queue.js';
import { errorMessage, isConflictOrGone, isTerminating, listAndWatch, objectKey, sameJson, splitKey } from '../controllers/objects.js';
import { impliedPorts } from './images.js';
import { PodRuntime } from './pod-runtime.js';
import { PidRegistry } from './pid-registry.js';
import { podPortMap } from './port-map.js';
import { formatPortMap, parsePortMap, PORT_MAP_ANNOTATION } from '../../port-map-annotation.js';
import { eventRecorder } from '../controllers/events.js';

export interface KubeletContext {
  store: Store;
  network: ClusterNetwork;
  /** The workshop home (AGW_WORKSHOP_HOME of the pods). */
  home: string;
  /** Where the cluster keeps its state (pid records, pod volumes). */
  clusterDir: string;
  /** `<namespace>_<pod>.log` files live here. */
  podLogsDir: string;
  kubeconfigPath: string;
  cliPath: string;
  log: (line: string) => void;
  /** Whether pods may bind ports below 1024 (default: running as root). */
  privileged?: boolean;
}

export interface Kubelet {
  /** Resolves when no pod sync is pending (tests). */
  idle(): Promise<void>;
  /** Stops every pod process (SIGTERM, SIGKILL after the grace period). */
  stop(): Promise<void>;
}

const MAX_POD_INDEX = 63 * 254;
/** The embedded cluster's single node, as pods' spec.nodeName names it. */
export const NODE_NAME = 'agw-workshop';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startKubelet(ctx: KubeletContext): Promise<Kubelet> {
  const { store, network, log } = ctx;
  const privileged = ctx.privileged ?? process.getuid?.() === 0;
  const registry = new PidRegistry(path.join(ctx.clusterDir, 'kubelet-pids.json'), ctx.cliPath);
  const leftovers = await registry.killLeftovers();
  if (leftovers.length) log(`kubelet: stopped ${leftovers.length} pod process(es) left by a previous run: ${leftovers.join(', ')}`);

  const event = eventRecorder(store, 'kubelet', log);
  const schedulerEvent = eventRecorder(store, 'default-scheduler', log);
  const runtimes = new Map<string, PodRuntime>();
  const stopping = new Set<Promise<void>>();
  const stoppingIPs = new Set<string>();
  let stopped = false;
  const queue = new WorkQueue('kubelet', sync, log);

  const unwatchPods = listAndWatch(store, PODS, (event) => queue.add(objectKey(event.object)));
  const onConfigChange = (kind: 'secret' | 'configmap') => (event: { object: KubeObject }) => {
    const ref = `${kind}/${event.object.metadata.name}`;
    for (const runtime of runtimes.values()) {
      if (!runtime.key.startsWith(`${event.object.metadata.namespace}/`)) continue;
      const pod = store.get(PODS, ...keyParts(runtime.key));
      if (pod && PodRuntime.references(pod).has(ref)) {
        runtime.configChanged = true;
        queue.add(runtime.key);
      }
    }
  };
  const unwatchSecrets = store.watch(SECRETS, onConfigChange('secret'));
  const unwatchConfigMaps = store.watch(CONFIGMAPS, onConfigChange('configmap'));

  function keyParts(key: string): [string | undefined, string] {
    const { namespace, name } = splitKey(key);
    return [namespace, name];
  }

  function allocateIP(pod: KubeObject): string {
    const inUse = new Set<string>(stoppingIPs);
    for (const runtime of runtimes.values()) if (runtime.uid !== pod.metadata.uid) inUse.add(runtime.podIP);
    const own = (pod.status as { podIP?: string } | undefined)?.podIP;
    if (!network.loopbackRange) return '127.0.0.1';
    if (own && !inUse.has(own)) return own; // stable across cluster restarts
    // Addresses other pods in the store hold (not started yet after a restart) are theirs too.
    for (const other of store.list(PODS).items) {
      const ip = (other.status as { podIP?: string } | undefined)?.podIP;
      if (ip && other.metadata.uid !== pod.metadata.uid) inUse.add(ip);
    }
    for (let index = 0; index < MAX_POD_INDEX; index++) {
      const candidate = podAddress(network, index);
      if (!inUse.has(candidate)) return candidate;
    }
    throw new Error('the pod address range is exhausted');
  }

  async function portMapFor(pod: KubeObject): Promise<Map<number, number>> {
    const containers = (pod.spec as { containers?: Array<{ image?: string; ports?: Array<{ containerPort: number; protocol?: string }> }> } | undefined)?.containers ?? [];
    const declared = [
      ...new Set([
        ...containers.flatMap((c) => c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort),
        ...containers.flatMap((c) => impliedPorts(c)),
      ]),
    ];
    if (!network.loopbackRange) {
      try {
        const recorded = parsePortMap(pod.metadata.annotations?.[PORT_MAP_ANNOTATION]);
        // Keep the ports it had (a restart keeps its addresses); entries the gateway proxy added for its listeners are its own.
        if (declared.every((p) => recorded.has(p))) return new Map(declared.map((p) => [p, recorded.get(p)!]));
      } catch { /* recompute */ }
    }
    const free: number[] = [];
    if (!network.loopbackRange) for (const _ of declared) free.push(await freePort());
    return podPortMap({ containerPorts: declared, privileged, loopbackRange: network.loopbackRange, allocate: () => free.shift()! });
  }

  function stopRuntime(runtime: PodRuntime, pod: KubeObject | undefined, then?: () => void): void {
    runtimes.delete(runtime.key);
    stoppingIPs.add(runtime.podIP);
    const done: Promise<void> = runtime
      .stop(pod)
      .catch((error) => log(`kubelet: stopping ${runtime.key}: ${errorMessage(error)}`))
      .finally(() => {
        stoppingIPs.delete(runtime.podIP);
        stopping.delete(done);
        then?.();
      });
    stopping.add(done);
  }

  async function sync(key: string): Promise<void> {
    if (stopped) return;
    let pod = store.get(PODS, ...keyParts(key));
    const existing = runtimes.get(key);
    if (existing && (!pod || pod.metadata.uid !== existing.uid)) {
      log(`kubelet: stopping pod ${key}`);
      stopRuntime(existing, pod?.metadata.uid === existing.uid ? pod : undefined);
    }
    if (!pod) return;
    if (isTerminating(pod)) {
      // Graceful deletion: stop the containers, then remove the object for good.
      const runtime = runtimes.get(key);
      const finish = () => {
        try {
          store.delete(PODS, pod!.metadata.namespace, pod!.metadata.name);
        } catch (error) {
          if (!isConflictOrGone(error)) log(`kubelet: deleting ${key}: ${errorMessage(error)}`);
        }
      };
      if (runtime) stopRuntime(runtime, pod, finish);
      else finish();
      return;
    }
    let runtime = runtimes.get(key);
    if (!runtime) {
      const podIP = allocateIP(pod);
      const portMap = await portMapFor(pod);
      pod = store.get(PODS, ...keyParts(key));
      if (!pod || isTerminating(pod) || runtimes.has(key)) return queue.add(key);
      const annotation = portMap.size ? formatPortMap(portMap) : undefined;
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.annotations?.[PORT_MAP_ANNOTATION] !== annotation || !spec.nodeName) {
        const annotations = { ...(pod.metadata.annotations ?? {}) };
        if (annotation) annotations[PORT_MAP_ANNOTATION] = annotation;
        else delete annotations[PORT_MAP_ANNOTATION];
        // Binding to the one node is the scheduler's part; it happens here, as the pod is admitted.
        if (!spec.nodeName) schedulerEvent(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${NODE_NAME}`);
        pod = store.update(PODS, { ...pod, metadata: { ...pod.metadata, annotations: Object.keys(annotations).length ? annotations : undefined }, spec: { ...spec, nodeName: spec.nodeName ?? NODE_NAME } });
      }
      runtime = new PodRuntime(pod, podIP, portMap, {
        store,
        cliPath: ctx.cliPath,
        kubeconfigPath: ctx.kubeconfigPath,
        home: ctx.home,
        podLogsDir: ctx.podLogsDir,
        podsDir: path.join(ctx.clusterDir, 'pod-volumes'),
        registry,
        privileged,
        log,
        event,
      }, () => queue.add(key));
      runtimes.set(key, runtime);
      log(`kubelet: starting pod ${key} at ${podIP}${annotation ? ` (ports ${annotation})` : ''}`);
    }
    runtime.prepare(pod);
    writeStatus(pod, runtime);
  }

  function writeStatus(pod: KubeObject, runtime: PodRuntime): void {
    const fresh = store.get(PODS, pod.metadata.namespace, pod.metadata.name);
    if (!fresh || fresh.metadata.uid !== runtime.uid) return;
    const status = runtime.status(fresh);
    if (sameJson(status, fresh.status)) return;
    try {
      store.updateStatus(PODS, { ...fresh, status });
    } catch (error) {
      if (!isConflictOrGone(error)) throw error;
      queue.add(runtime.key);
    }
  }

  return {
    idle: () => queue.idle(),
    async stop() {
      stopped = true;
      unwatchPods();
      unwatchSecrets();
      unwatchConfigMaps();
      queue.stop();
      for (const runtime of [...runtimes.values()]) stopRuntime(runtime, store.get(PODS, ...keyParts(runtime.key)));
      await Promise.all([...stopping]);
    },
  };
}
