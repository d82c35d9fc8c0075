// Reading the cluster without changing it, for checks and live watching:
// pod logs (`kubectl logs`, once or followed) and watches of a kind in a
// namespace. Through client-node, like every other client outside the cluster.
import { PassThrough } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api, Log, Watch } from './k8s-client.js';
import { loadKubeConfig, type ConnectOptions } from './kubeconfig.js';
import { apiErrorMessage } from './client.js';

export interface PodLog {
  pod: string;
  text: string;
}

export class ClusterObserver {
  private readonly kc: KubeConfig;
  constructor(options: ConnectOptions = {}) {
    this.kc = loadKubeConfig(options);
  }

  async podNames(namespace: string, labelSelector: string): Promise<string[]> {
    const core = this.kc.makeApiClient(CoreV1Api);
    try {
      const list = await core.listNamespacedPod({ namespace, labelSelector });
      return list.items.map((p) => p.metadata?.name).filter((n): n is string => Boolean(n));
    } catch (error) {
      throw new Error(`list pods -l ${labelSelector} -n ${namespace}: ${apiErrorMessage(error)}`);
    }
  }

  /** `kubectl logs -l <selector>`: every matching pod's log, read once. */
  async podLogs(namespace: string, labelSelector: string): Promise<PodLog[]> {
    const core = this.kc.makeApiClient(CoreV1Api);
    const names = await this.podNames(namespace, labelSelector);
    return Promise.all(
      names.map(async (pod) => {
        try {
          return { pod, text: String(await core.readNamespacedPodLog({ name: pod, namespace })) };
        } catch (error) {
          throw new Error(`logs of pod ${namespace}/${pod}: ${apiErrorMessage(error)}`);
        }
      }),
    );
  }

  /** `kubectl logs -f --tail=0 <pod>`: lines appended from now on; the returned function stops it. */
  async followPodLog(namespace: string, pod: string, onLine: (line: string) => void, onEnd: (error?: Error) => void): Promise<() => void> {
    const stream = new PassThrough();
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) onLine(line);
    });
    const controller = await new Log(this.kc).log(namespace, pod, '', stream, { follow: true, tailLines: 0 });
    stream.on('end', () => onEnd());
    stream.on('error', (error) => onEnd(error));
    return () => controller.abort();
  }

  /**
   * Watches one kind (by its API path) and calls `onChange` for every event.
   * The returned function stops the watch; `onEnd` says it ended by itself (the caller may restart it).
   */
  async watch(path: string, onChange: (type: string, object: unknown) => void, onEnd: (error?: Error) => void): Promise<() => void> {
    const controller = await new Watch(this.kc).watch(path, {}, (type, object) => onChange(type, object), (error) => onEnd(error ?? undefined));
    return () => controller.abort();
  }
}

/** The API path that lists a kind in a namespace: `/apis/gateway.networking.k8s.io/v1/namespaces/ns/httproutes`. */
export function resourcePath(apiVersion: string, kind: string, namespace: string | undefined): string {
  const lower = kind.toLowerCase();
  const plural = lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : lower.endsWith('s') ? `${lower}es` : `${lower}s`;
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}
