// Service → EndpointSlices of the pods its selector matches, like the
// endpointslice controller: one slice per distinct set of resolved ports
// (named targetPorts resolve per pod, and a pod's port map may differ), named
// <service>-<5 chars>, labelled kubernetes.io/service-name, addressType IPv4,
// endpoints with conditions.ready from pod readiness, owned by the Service.
import type { KubeObject } from '../store/store-types.js';
import { ENDPOINT_SLICES, PODS, SERVICES } from './resource-keys.js';
import { WorkQueue } from './work-queue.js';
import type { Loop, LoopContext } from './loop.js';
import { isConflictOrGone, isTerminating, listAndWatch, objectKey, ownerReferenceTo, podIsReady, randomSuffix, sameJson, splitKey } from './objects.js';
import { recordedPortMap } from '../../port-map-annotation.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const MANAGED_BY = 'endpointslice-controller.k8s.io';

interface ServicePort { name?: string; port: number; protocol?: string; targetPort?: number | string; appProtocol?: string }
interface ContainerPort { name?: string; containerPort: number; protocol?: string }
interface PodSpec { containers?: Array<{ ports?: ContainerPort[] }>; nodeName?: string }

export interface SlicePort { name: string; port: number; protocol: string; appProtocol?: string }
export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  nodeName?: string;
}

/** The port a Service port reaches on one pod, or undefined when a named targetPort is not declared by the pod. */
export function resolveTargetPort(port: ServicePort, pod: KubeObject): number | undefined {
  const target = port.targetPort ?? port.port;
  let resolved: number | undefined;
  if (typeof target === 'number') resolved = target;
  else if (/^\d+$/.test(target)) resolved = Number(target);
  else {
    for (const container of ((pod.spec ?? {}) as PodSpec).containers ?? []) {
      const found = container.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
      if (found) resolved = found.containerPort;
    }
  }
  if (resolved === undefined) return undefined;
  // Where the pod binds another port than declared, traffic must go there.
  return recordedPortMap(pod).get(resolved) ?? resolved;
}

/** Groups the pods of a Service by their resolved ports: one group per slice. */
export function sliceGroups(service: KubeObject, pods: KubeObject[]): Array<{ ports: SlicePort[]; endpoints: SliceEndpoint[] }> {
  const servicePorts = ((service.spec as { ports?: ServicePort[] } | undefined)?.ports ?? []);
  const groups = new Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>();
  for (const pod of pods) {
    const podIP = (pod.status as { podIP?: string } | undefined)?.podIP;
    if (!podIP) continue;
    const ports: SlicePort[] = [];
    let complete = true;
    for (const port of servicePorts) {
      const resolved = resolveTargetPort(port, pod);
      if (resolved === undefined) {
        complete = false;
        break;
      }
      ports.push({ name: port.name ?? '', port: resolved, protocol: port.protocol ?? 'TCP', ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}) });
    }
    if (!complete) continue;
    const id = JSON.stringify(ports);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { ports, endpoints: [] }));
    const terminating = isTerminating(pod);
    const ready = podIsReady(pod) && !terminating;
    group.endpoints.push({
      addresses: [podIP],
      conditions: { ready, serving: podIsReady(pod), terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, uid: pod.metadata.uid ?? '' },
      ...(((pod.spec ?? {}) as PodSpec).nodeName ? { nodeName: ((pod.spec ?? {}) as PodSpec).nodeName } : {}),
    });
  }
  for (const group of groups.values()) group.endpoints.sort((a, b) => a.targetRef.name.localeCompare(b.targetRef.name));
  // A Service whose pods are all missing still gets one (empty) slice, as Kubernetes does.
  if (groups.size === 0) {
    const ports = servicePorts.map((p) => ({ name: p.name ?? '', port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' }));
    return [{ ports: servicePorts.some((p) => typeof p.targetPort === 'string') ? [] : ports, endpoints: [] }];
  }
  return [...groups.values()];
}

export function startEndpointSliceLoop(ctx: LoopContext): Loop {
  const { store, log } = ctx;
  const queue = new WorkQueue('endpointslices', reconcile, log);
  const unwatchServices = listAndWatch(store, SERVICES, (event) => queue.add(objectKey(event.object)));
  const unwatchPods = listAndWatch(store, PODS, (event) => {
    // Any Service of the namespace may select this pod (labels may have changed), so requeue them all.
    for (const service of store.list(SERVICES, { namespace: event.object.metadata.namespace }).items) queue.add(objectKey(service));
  });
  const unwatchSlices = listAndWatch(store, ENDPOINT_SLICES, (event) => {
    const service = event.object.metadata.labels?.[SERVICE_NAME_LABEL];
    if (service && event.object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) queue.add(`${event.object.metadata.namespace}/${service}`);
  });

  function reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const service = store.get(SERVICES, namespace, name);
    const existing = store
      .list(ENDPOINT_SLICES, { namespace, labelSelector: `${SERVICE_NAME_LABEL}=${name}` })
      .items.filter((slice) => slice.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const selector = (service?.spec as { selector?: Record<string, string> } | undefined)?.selector;
    if (!service || isTerminating(service) || !selector || Object.keys(selector).length === 0) {
      // No selector: slices are the user's business. Deleted Service: garbage collection removes ours.
      return;
    }
    const pods = store
      .list(PODS, { namespace })
      .items.filter((pod) => Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v));
    const groups = sliceGroups(service, pods);
    try {
      groups.forEach((group, index) => {
        const current = existing[index];
        const desired: KubeObject = {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            ...(current?.metadata ?? { name: `${name}-${randomSuffix()}`, generateName: `${name}-`, namespace }),
            labels: { ...(service.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY },
            ownerReferences: [ownerReferenceTo(service)],
          },
          addressType: 'IPv4',
          endpoints: group.endpoints,
          ports: group.ports,
        };
        if (!current) store.create(ENDPOINT_SLICES, desired);
        else if (!sameJson(
          { l: current.metadata.labels, o: current.metadata.ownerReferences, e: current.endpoints ?? [], p: current.ports ?? [], a: current.addressType },
          { l: desired.metadata.labels, o: desired.metadata.ownerReferences, e: desired.endpoints, p: desired.ports, a: desired.addressType },
        )) store.update(ENDPOINT_SLICES, desired);
      });
      for (const surplus of existing.slice(groups.length)) store.delete(ENDPOINT_SLICES, namespace, surplus.metadata.name);
    } catch (error) {
      if (!isConflictOrGone(error)) throw error;
      queue.add(key);
    }
  }

  return {
    name: 'endpointslices',
    idle: () => queue.idle(),
    stop() {
      unwatchServices();
      unwatchPods();
      unwatchSlices();
      queue.stop();
    },
  };
}
