// Services + EndpointSlices → the frontends kube-proxy must serve: for each
// TCP or UDP port of a Service with a ClusterIP, the ClusterIP and every
// LoadBalancer ingress IP, forwarding to the ready endpoints of the slices
// labelled with the Service's name, on the slice port of the same name.
import type { Endpoint, Frontend } from './forwarder.js';
import { parsePortMap, PORT_MAP_ANNOTATION } from '../../cluster/port-map-annotation.js';

interface Meta { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
export interface ServiceLike {
  metadata?: Meta;
  spec?: { type?: string; clusterIP?: string; ports?: Array<{ name?: string; port: number; protocol?: string }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}
export interface SliceLike {
  metadata?: Meta;
  ports?: Array<{ name?: string; port?: number; protocol?: string }> | null;
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }> | null;
}

export function desiredFrontends(services: ServiceLike[], slices: SliceLike[], log: (line: string) => void = () => {}): Frontend[] {
  const out: Frontend[] = [];
  for (const service of services) {
    const spec = service.spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    if (type === 'ExternalName' || !spec.clusterIP || spec.clusterIP === 'None') continue;
    const namespace = service.metadata?.namespace ?? 'default';
    const name = service.metadata?.name ?? '';
    let portMap = new Map<number, number>();
    try {
      portMap = parsePortMap(service.metadata?.annotations?.[PORT_MAP_ANNOTATION]);
    } catch (error) {
      log(`kube-proxy: ${namespace}/${name}: ${(error as Error).message}`);
    }
    const mine = slices.filter((s) => s.metadata?.namespace === namespace && s.metadata?.labels?.['kubernetes.io/service-name'] === name);
    const addresses = [spec.clusterIP];
    if (type === 'LoadBalancer') {
      for (const ingress of service.status?.loadBalancer?.ingress ?? []) if (ingress.ip && !addresses.includes(ingress.ip)) addresses.push(ingress.ip);
    }
    for (const port of spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') continue; // SCTP is not forwarded
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
        log(`kube-proxy: ${namespace}/${name}: port ${JSON.stringify(port.port)} is not a port number; skipped`);
        continue;
      }
      const endpoints: Endpoint[] = [];
      for (const slice of mine) {
        const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === protocol);
        if (!slicePort?.port) continue;
        for (const endpoint of slice.endpoints ?? []) {
          // Per the EndpointSlice API, an unknown readiness (nil) is to be read as ready.
          if (endpoint.conditions?.ready === false) continue;
          for (const address of endpoint.addresses.slice(0, 1)) endpoints.push({ host: address, port: slicePort.port });
        }
      }
      const listenPort = portMap.get(port.port) ?? port.port;
      for (const address of addresses) {
        out.push({ address, port: listenPort, ...(protocol === 'UDP' ? { protocol } : {}), service: `${namespace}/${name}:${port.name || port.port}`, endpoints });
      }
    }
  }
  return out;
}
