// A Service port → ready endpoints, through the Service's EndpointSlices
// (label kubernetes.io/service-name), as kube-proxy would see them.
import type { EndpointIR } from '../ir/types.js';
import type { InputObject } from './input-types.js';
import { asArray, asNumber, asRecord, asString } from './fields.js';
import type { SnapshotIndex } from './snapshot-index.js';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

export function findServicePort(service: InputObject, port: number): ServicePort | undefined {
  for (const raw of asArray(asRecord(service.spec).ports)) {
    const entry = asRecord(raw);
    if (asNumber(entry.port) !== port) continue;
    const targetPort = asNumber(entry.targetPort) ?? asString(entry.targetPort);
    return { name: asString(entry.name) || undefined, port, targetPort, appProtocol: asString(entry.appProtocol) };
  }
  return undefined;
}

/** Ready endpoints of a Service port, sorted (stable IR). A missing `ready` condition counts as ready, as in Kubernetes. */
export function serviceEndpoints(index: SnapshotIndex, namespace: string, serviceName: string, servicePort: ServicePort): EndpointIR[] {
  const service = index.services.get(`${namespace}/${serviceName}`);
  const spec = asRecord(service?.spec);
  if (spec.type === 'ExternalName' && asString(spec.externalName)) {
    return [{ address: spec.externalName as string, port: servicePort.port }];
  }
  const endpoints = new Map<string, EndpointIR>();
  for (const slice of index.endpointSlicesByService.get(`${namespace}/${serviceName}`) ?? []) {
    const slicePorts = asArray((slice as any).ports).map((p) => asRecord(p));
    const match = slicePorts.find((p) => (asString(p.name) ?? '') === (servicePort.name ?? ''));
    const port = asNumber(match?.port) ?? (typeof servicePort.targetPort === 'number' ? servicePort.targetPort : undefined);
    if (port === undefined) continue;
    for (const rawEndpoint of asArray((slice as any).endpoints)) {
      const endpoint = asRecord(rawEndpoint);
      if (asRecord(endpoint.conditions).ready === false) continue;
      for (const address of asArray(endpoint.addresses)) {
        if (typeof address !== 'string') continue;
        endpoints.set(`${address}:${port}`, { address, port });
      }
    }
  }
  return [...endpoints.values()].sort((a, b) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1));
}

/**
 * Cluster DNS names a configuration may use for a Service:
 * `svc.ns.svc.cluster.local`, `svc.ns.svc`, and `svc.ns` (the last only when
 * such a Service exists, since it is also an ordinary DNS name).
 */
export function parseClusterServiceHost(index: SnapshotIndex, host: string): { namespace: string; name: string; explicit: boolean } | undefined {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.cluster\.local)?)?\.?$/.exec(host.toLowerCase());
  if (!match) return undefined;
  const name = match[1]!;
  const namespace = match[3]!;
  const explicit = match[5] !== undefined;
  if (!explicit && !index.services.has(`${namespace}/${name}`)) return undefined;
  return { namespace, name, explicit };
}
