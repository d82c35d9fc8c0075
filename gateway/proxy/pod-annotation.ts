// Records on the proxy's own Pod which listener ports are served elsewhere
// (`agw-workshop.dev/port-map: {"443":8443}`), so `kubectl describe pod` and
// the controller can show it; removed again when nothing is mapped.
import type { KubeApi } from '../watch/kube-api.js';
import { PORT_MAP_ANNOTATION } from '../ir/port-map.js';

export { PORT_MAP_ANNOTATION };

export async function annotatePortMap(api: KubeApi, namespace: string, name: string, map: Record<string, number>): Promise<void> {
  const value = Object.keys(map).length ? JSON.stringify(map) : null;
  await api.request(
    'PATCH',
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
    { metadata: { annotations: { [PORT_MAP_ANNOTATION]: value } } },
    'application/merge-patch+json',
  );
}
