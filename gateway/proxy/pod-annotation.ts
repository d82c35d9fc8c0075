// Records on the proxy's own Pod which ports are served elsewhere
// (`agw-workshop.dev/port-map: 443:8443,15021:40123`), so `kubectl describe
// pod` shows it and the EndpointSlice controller publishes the real ports.
// The kubelet writes the annotation first, for the ports the pod declares
// (the status port), and hands the same map to the process as AGW_PORT_MAP.
// The proxy owns the listener ports (they change without a new pod), so it
// rewrites the annotation as the kubelet's entries plus its listeners' remaps:
// writing only its own would erase the kubelet's. Removed when nothing is mapped.
import type { KubeApi } from '../watch/kube-api.js';
import { formatPortMap, parsePortMap, PORT_MAP_ANNOTATION, PORT_MAP_ENV } from '../../source/cluster/port-map-annotation.js';

export { PORT_MAP_ANNOTATION };

/** The annotation's value: the kubelet's map (AGW_PORT_MAP unless given) overlaid with the listeners' remaps; null when empty. */
export function podPortMapValue(listenerMap: Record<string, number>, kubeletMap: string | undefined = process.env[PORT_MAP_ENV]): string | null {
  const merged = parsePortMap(kubeletMap);
  for (const [port, actual] of Object.entries(listenerMap)) merged.set(Number(port), actual);
  return merged.size ? formatPortMap(merged) : null;
}

export async function annotatePortMap(api: KubeApi, namespace: string, name: string, listenerMap: Record<string, number>, kubeletMap?: string): Promise<void> {
  await api.request(
    'PATCH',
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
    { metadata: { annotations: { [PORT_MAP_ANNOTATION]: podPortMapValue(listenerMap, kubeletMap) } } },
    'application/merge-patch+json',
  );
}
