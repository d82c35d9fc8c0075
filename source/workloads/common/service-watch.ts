// Services and EndpointSlices of every namespace, watched through the API with
// client-node informers, as kube-proxy and CoreDNS's kubernetes plugin watch
// them. Both workloads keep a table in line with the two lists; a watch that
// fails is restarted after a second, and says so in the pod's log.
import type * as k8sTypes from '@kubernetes/client-node';
import * as k8s from '../../cluster/k8s-client.js';

const RESTART_DELAY_MS = 1000;

export interface ServiceWatch {
  /** The Services as last seen (shaped as each caller reads them). */
  services<T>(): T[];
  slices<T>(): T[];
  stop(): Promise<void>;
}

/**
 * Starts both watches and resolves once both have listed: the caller builds its
 * table then; `onChange` runs on every add, update or delete after that (not
 * for the initial list, which arrives as a burst of adds).
 */
export async function watchServicesAndSlices(kc: k8sTypes.KubeConfig, workload: string, log: (line: string) => void, onChange: () => void): Promise<ServiceWatch> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const services = k8s.makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  const slices = k8s.makeInformer(kc, '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces());
  let stopping = false;
  let listed = false;
  for (const informer of [services, slices] as Array<k8sTypes.Informer<k8sTypes.KubernetesObject>>) {
    for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) informer.on(verb, () => { if (listed && !stopping) onChange(); });
    informer.on(k8s.ERROR, (error) => {
      if (stopping) return;
      log(`${workload}: watch error: ${error instanceof Error ? error.message : String(error)}; restarting in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => { if (!stopping) void informer.start().catch(() => {}); }, RESTART_DELAY_MS);
    });
  }
  await Promise.all([services.start(), slices.start()]);
  listed = true;
  return {
    services: <T>() => services.list() as unknown as T[],
    slices: <T>() => slices.list() as unknown as T[],
    stop: async () => {
      stopping = true;
      await Promise.all([services.stop(), slices.stop()]).catch(() => {});
    },
  };
}
