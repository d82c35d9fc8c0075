// Informers (client-node ListWatch) for every kind translation reads, merged
// into one debounced TranslateInput snapshot. A kind whose API the server does
// not serve (a real cluster without the vendor CRDs) is logged once, treated as
// empty, and looked for again every `absentRetryMs`. Broken watches restart
// with a bounded backoff.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ListWatch, Watch } from '../../source/cluster/k8s-client.js';
import type { InputObject, TranslateInput } from '../translate/input-types.js';
import { emptyTranslateInput } from '../translate/input-types.js';
import { loadKubeConfig } from '../../source/cluster/kubeconfig.js';
import { KubeApi, isNotFound } from './kube-api.js';
import { collectionPath, PROXY_DEPLOYMENTS, PROXY_PODS, TRANSLATION_KINDS, type WatchedKind } from './kinds.js';

export interface SnapshotWatchOptions {
  /** Defaults to loadKubeConfig(): $KUBECONFIG, in-cluster config, or ~/.kube/config. */
  kubeConfig?: KubeConfig;
  /** Quiet time after the last change before a snapshot is delivered. */
  debounceMs?: number;
  /** Also watch the proxy Deployments and Pods (the controller does; proxies do not). */
  includeProxyDeployments?: boolean;
  /** Replaces the kinds watched (tests); defaults to every kind translation reads. */
  kinds?: WatchedKind[];
  absentRetryMs?: number;
  log?: (line: string) => void;
}

export interface SnapshotWatch {
  /** Resolves once every kind has been listed (or found absent) and the first snapshot was delivered. */
  ready: Promise<void>;
  /** The current snapshot (plain objects as the API returned them). */
  snapshot(): TranslateInput;
  stop(): Promise<void>;
}

interface KindWatch {
  kind: WatchedKind;
  informer?: ListWatch<KubernetesObject>;
  absent: boolean;
}

const MAX_BACKOFF_MS = 10_000;

export function watchSnapshot(onSnapshot: (input: TranslateInput) => void, options: SnapshotWatchOptions): SnapshotWatch {
  const kubeConfig = options.kubeConfig ?? loadKubeConfig();
  const api = new KubeApi(kubeConfig);
  const log = options.log ?? (() => {});
  const debounceMs = options.debounceMs ?? 30;
  const absentRetryMs = options.absentRetryMs ?? 30_000;
  const kinds = options.kinds ?? (options.includeProxyDeployments ? [...TRANSLATION_KINDS, PROXY_DEPLOYMENTS, PROXY_PODS] : TRANSLATION_KINDS);
  const watches: KindWatch[] = kinds.map((kind) => ({ kind, absent: false }));
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let synced = false;
  let debounce: NodeJS.Timeout | undefined;

  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const snapshot = (): TranslateInput => {
    const input = emptyTranslateInput();
    if (!options.includeProxyDeployments) delete input.deployments;
    else input.pods = [];
    for (const w of watches) {
      if (!w.informer) continue;
      (input[w.kind.field] as InputObject[]) = w.informer.list() as InputObject[];
    }
    return input;
  };

  const deliver = () => {
    debounce = undefined;
    if (stopped || !synced) return;
    try {
      onSnapshot(snapshot());
    } catch (error) {
      log(`snapshot callback failed: ${(error as Error).stack ?? error}`);
    }
  };
  const changed = () => {
    if (!synced || stopped) return;
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(deliver, debounceMs);
  };

  /** Finds the first served version of a kind; undefined when none is. */
  async function servedPath(kind: WatchedKind): Promise<string | undefined> {
    for (const version of kind.versions) {
      const path = collectionPath(kind, version);
      try {
        await api.request('GET', `${path}?limit=1`);
        return path;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return undefined;
  }

  async function startKind(w: KindWatch, attempt = 0): Promise<void> {
    if (stopped) return;
    let path: string | undefined;
    try {
      path = await servedPath(w.kind);
    } catch (error) {
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt);
      log(`cannot list ${w.kind.kind} (${(error as Error).message}); retrying in ${delay} ms`);
      await new Promise<void>((resolve) => later(resolve, delay));
      return startKind(w, attempt + 1);
    }
    // stop() may have come while the kind was being looked up: start nothing then.
    if (stopped) return;
    if (!path) {
      if (!w.absent) log(`${w.kind.kind} (${w.kind.group || 'core'}) is not served by this API; treating it as empty`);
      w.absent = true;
      later(() => void startKind(w).then(changed), absentRetryMs);
      return;
    }
    if (w.absent) log(`${w.kind.kind} is now served at ${path}`);
    w.absent = false;
    const query = w.kind.labelSelector ? `?labelSelector=${encodeURIComponent(w.kind.labelSelector)}` : '';
    const apiVersion = w.kind.group ? `${w.kind.group}/${path.split('/')[3]}` : 'v1';
    const listFn = async () => {
      const list = await api.request('GET', path + query);
      // List items carry no apiVersion/kind; watch events do. Make them alike.
      list.items = (list.items ?? []).map((item: InputObject) => ({ apiVersion, kind: w.kind.kind, ...item }));
      return list;
    };
    const informer = new ListWatch<KubernetesObject>(path, new Watch(kubeConfig), listFn, false, w.kind.labelSelector);
    w.informer = informer;
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', changed);
    let failures = 0;
    informer.on('connect', () => {
      failures = 0;
    });
    informer.on('error', (error: unknown) => {
      if (stopped) return;
      failures += 1;
      const delay = Math.min(MAX_BACKOFF_MS, 200 * 2 ** Math.min(failures, 6));
      log(`watch of ${w.kind.kind} ended (${(error as Error)?.message ?? error}); restarting in ${delay} ms`);
      later(() => void informer.start().catch(() => {}), delay);
    });
    await informer.start();
    // A watch opened after stop() would keep the process alive until it is killed.
    if (stopped) await informer.stop();
  }

  const ready = Promise.all(watches.map((w) => startKind(w))).then(() => {
    synced = true;
    deliver();
  });

  return {
    ready,
    snapshot,
    async stop() {
      stopped = true;
      if (debounce) clearTimeout(debounce);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(watches.map((w) => w.informer?.stop()));
    },
  };
}
