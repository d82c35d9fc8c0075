// Service addresses: a ClusterIP from the cluster's Service range for
// ClusterIP/NodePort/LoadBalancer Services that have none (headless `None`
// and ExternalName stay as they are), and for `type: LoadBalancer` an ingress
// IP from the load-balancer range, stable for the life of the Service.
// Where a Service port cannot be bound as-is (below 1024 without root, or a
// port another Service holds where all share 127.0.0.1), the port kube-proxy
// really binds is recorded in the `agw-workshop.dev/port-map` annotation.
import type { KubeObject } from '../store/store-types.js';
import { loadBalancerAddress, serviceAddress } from '../network/network.js';
import { SERVICES } from './resource-keys.js';
import { WorkQueue } from './work-queue.js';
import type { Loop, LoopContext } from './loop.js';
import { isConflictOrGone, isTerminating, listAndWatch, objectKey, sameJson, splitKey } from './objects.js';
import { unprivilegedPort } from '../kubelet/port-map.js';
import { formatPortMap, parsePortMap, PORT_MAP_ANNOTATION } from '../../port-map-annotation.js';

interface ServicePort { name?: string; port: number; protocol?: string; targetPort?: number | string; nodePort?: number }
interface ServiceSpec { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[]; selector?: Record<string, string> }

const MAX_INDEX = 254 * 100;

function specOf(service: KubeObject): ServiceSpec {
  return (service.spec ?? {}) as ServiceSpec;
}

export function needsClusterIP(spec: ServiceSpec): boolean {
  return (spec.type ?? 'ClusterIP') !== 'ExternalName' && !spec.clusterIP;
}

export interface ServiceLoopOptions {
  /** Whether this process may bind ports below 1024 (root). */
  privileged?: boolean;
}

export function startServiceLoop(ctx: LoopContext, options: ServiceLoopOptions = {}): Loop {
  const { store, network, log } = ctx;
  const privileged = options.privileged ?? (process.getuid?.() === 0);
  const queue = new WorkQueue('services', reconcile, log);
  const unwatch = listAndWatch(store, SERVICES, (event) => {
    if (event.type !== 'DELETED') queue.add(objectKey(event.object));
  });

  function usedAddresses(except: KubeObject): { clusterIPs: Set<string>; lbIPs: Set<string> } {
    const clusterIPs = new Set<string>();
    const lbIPs = new Set<string>();
    for (const other of store.list(SERVICES).items) {
      if (other.metadata.uid === except.metadata.uid) continue;
      const ip = specOf(other).clusterIP;
      if (ip) clusterIPs.add(ip);
      for (const ingress of ((other.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined)?.loadBalancer?.ingress ?? [])) {
        if (ingress.ip) lbIPs.add(ingress.ip);
      }
    }
    return { clusterIPs, lbIPs };
  }

  function firstFree(used: Set<string>, address: (index: number) => string): string {
    if (!network.loopbackRange) return address(0); // everything shares 127.0.0.1; ports tell Services apart
    for (let index = 0; index < MAX_INDEX; index++) {
      const candidate = address(index);
      if (!used.has(candidate)) return candidate;
    }
    throw new Error('the Service address range is exhausted');
  }

  function reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    let service = store.get(SERVICES, namespace, name);
    if (!service || isTerminating(service)) return;
    const spec = specOf(service);
    const type = spec.type ?? 'ClusterIP';
    try {
      const used = usedAddresses(service);
      const nextSpec: ServiceSpec = { ...spec };
      if (needsClusterIP(spec)) {
        nextSpec.clusterIP = firstFree(used.clusterIPs, (i) => serviceAddress(network, i));
        nextSpec.clusterIPs = [nextSpec.clusterIP];
      } else if (spec.clusterIP && !spec.clusterIPs) {
        nextSpec.clusterIPs = [spec.clusterIP];
      }
      if (!nextSpec.type) nextSpec.type = 'ClusterIP';
      const annotations = { ...(service.metadata.annotations ?? {}) };
      const portMap = network.loopbackRange
        ? servicePortMap(nextSpec, privileged, true)
        : sharedAddressPortMap(nextSpec, service, store.list(SERVICES).items, privileged);
      if (portMap) annotations[PORT_MAP_ANNOTATION] = portMap;
      else delete annotations[PORT_MAP_ANNOTATION];
      const annotationsChanged = !sameJson(annotations, service.metadata.annotations ?? {});
      if (!sameJson(nextSpec, spec) || annotationsChanged) {
        service = store.update(SERVICES, {
          ...service,
          metadata: { ...service.metadata, annotations: Object.keys(annotations).length ? annotations : undefined },
          spec: nextSpec,
        });
      }

      const status = (service.status ?? {}) as { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
      const currentIngress = status.loadBalancer?.ingress ?? [];
      let nextLoadBalancer: { ingress?: Array<{ ip: string; ipMode: string }> } = {};
      if (type === 'LoadBalancer') {
        const ip = currentIngress[0]?.ip ?? firstFree(used.lbIPs, (i) => loadBalancerAddress(network, i));
        nextLoadBalancer = { ingress: [{ ip, ipMode: 'VIP' }] };
      }
      if (!sameJson(nextLoadBalancer, status.loadBalancer ?? {})) {
        store.updateStatus(SERVICES, { ...service, status: { ...status, loadBalancer: nextLoadBalancer } });
      }
    } catch (error) {
      if (!isConflictOrGone(error)) throw error;
      queue.add(key);
    }
  }

  return {
    name: 'services',
    idle: () => queue.idle(),
    stop() {
      unwatch();
      queue.stop();
    },
  };
}

/** The ports kube-proxy binds instead of the Service's own: below 1024 without root → port+8000. */
export function servicePortMap(spec: ServiceSpec, privileged: boolean, _loopbackRange = true): string | undefined {
  const pairs: Array<[number, number]> = [];
  for (const port of spec.ports ?? []) {
    const mapped = unprivilegedPort(port.port, privileged);
    if (mapped !== port.port) pairs.push([port.port, mapped]);
  }
  return pairs.length ? formatPortMap(new Map(pairs)) : undefined;
}

/** Where Services share 127.0.0.1, the first free port from here on is given to a port another Service holds. */
const SHARED_PORT_BASE = 20000;

/** The ports every Service other than `self` listens on (their port map applied). */
function portsHeldByOthers(self: KubeObject, services: KubeObject[], privileged: boolean): Set<number> {
  const held = new Set<number>();
  for (const other of services) {
    if (other.metadata.uid === self.metadata.uid) continue;
    let map = new Map<number, number>();
    try {
      map = parsePortMap(other.metadata.annotations?.[PORT_MAP_ANNOTATION]);
    } catch { /* a bad annotation is re-computed by that Service's own reconcile */ }
    for (const port of specOf(other).ports ?? []) held.add(map.get(port.port) ?? unprivilegedPort(port.port, privileged));
  }
  return held;
}

/**
 * Without a loopback range every ClusterIP and LoadBalancer IP is 127.0.0.1,
 * so two Services with the same port would collide: each port gets one no
 * other Service holds, keeping the one it already had when still free.
 */
export function sharedAddressPortMap(spec: ServiceSpec, self: KubeObject, services: KubeObject[], privileged: boolean): string | undefined {
  const held = portsHeldByOthers(self, services, privileged);
  let previous = new Map<number, number>();
  try {
    previous = parsePortMap(self.metadata.annotations?.[PORT_MAP_ANNOTATION]);
  } catch { /* recompute */ }
  const map = new Map<number, number>();
  const taken = new Set(held);
  for (const port of spec.ports ?? []) {
    const wanted = [previous.get(port.port), unprivilegedPort(port.port, privileged)].find((p) => p !== undefined && !taken.has(p));
    let chosen = wanted;
    for (let candidate = SHARED_PORT_BASE; chosen === undefined && candidate < 65536; candidate++) if (!taken.has(candidate)) chosen = candidate;
    if (chosen === undefined) throw new Error('no free port left for Services on 127.0.0.1');
    taken.add(chosen);
    if (chosen !== port.port) map.set(port.port, chosen);
  }
  return map.size ? formatPortMap(map) : undefined;
}
