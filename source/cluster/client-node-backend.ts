// The client-node backend of ClusterClient (exec plugins, auth providers and
// in-cluster config included). Loaded only when needed: even bundled
// (k8s-client.ts), importing client-node costs ~0.1 s.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { KubernetesObjectApi, PatchStrategy, VersionApi } from './k8s-client.js';
import { loadKubeConfig, type ConnectOptions } from './kubeconfig.js';
import { sleep } from '../common/sleep.js';
import { apiErrorMessage, FIELD_MANAGER, isNotFound, refOf, type ApplyAction, type ClusterClient, type KubeObject, type ObjectRef, type WaitOptions } from './client.js';

const POLL_MS = 100;

/** `Kind namespace/name`, as the error messages name an object. */
function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function header(ref: ObjectRef) {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
}

class ObjectApiClient implements ClusterClient {
  private readonly api: KubernetesObjectApi;
  private serverSideApply = true;

  constructor(private readonly kc: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(none)';
  }

  get context(): string {
    return this.kc.getCurrentContext();
  }

  async version(): Promise<string> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig names no cluster');
    try {
      const info = await this.kc.makeApiClient(VersionApi).getCode();
      return info.gitVersion;
    } catch (error) {
      throw new Error(`cannot reach the Kubernetes API at ${cluster.server}: ${apiErrorMessage(error)}`);
    }
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.api.read(header(ref))) as unknown as KubeObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new Error(`get ${describe(ref)}: ${apiErrorMessage(error)}`);
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    try {
      const list = await this.api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
      return list.items.map((item) => ({ ...(item as unknown as KubeObject), apiVersion, kind }));
    } catch (error) {
      throw new Error(`list ${kind}: ${apiErrorMessage(error)}`);
    }
  }

  async apply(object: KubeObject): Promise<{ object: KubeObject; action: ApplyAction }> {
    const before = await this.get(refOf(object));
    const what = describe(refOf(object));
    try {
      let after: KubeObject;
      if (this.serverSideApply) {
        try {
          after = (await this.api.patch(object as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as unknown as KubeObject;
        } catch (error) {
          const code = (error as { code?: number }).code;
          if (code !== 415 && code !== 405) throw error;
          this.serverSideApply = false; // not served: fall back for this and later objects
          after = await this.createOrMerge(object, before);
        }
      } else {
        after = await this.createOrMerge(object, before);
      }
      const action: ApplyAction = !before ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'configured';
      return { object: after, action };
    } catch (error) {
      throw new Error(`apply ${what}: ${apiErrorMessage(error)}`);
    }
  }

  private async createOrMerge(object: KubeObject, before: KubeObject | undefined): Promise<KubeObject> {
    if (!before) return (await this.api.create(object as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as unknown as KubeObject;
    return (await this.api.patch(object as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch)) as unknown as KubeObject;
  }

  async replace(object: KubeObject): Promise<KubeObject> {
    const what = describe(refOf(object));
    // A controller writing status between our read and our write makes the
    // write conflict (409): read again and retry, a bounded number of times.
    for (let attempt = 1; ; attempt++) {
      try {
        const current = await this.get(refOf(object));
        if (!current) return (await this.api.create(object as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as unknown as KubeObject;
        const next = { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } };
        if ('status' in current && !('status' in next)) (next as Record<string, unknown>).status = current.status;
        return (await this.api.replace(next as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as unknown as KubeObject;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if ((code === 409 || code === 404) && attempt < 5) continue;
        throw new Error(`replace ${what}: ${apiErrorMessage(error)}`);
      }
    }
  }

  async delete(ref: ObjectRef): Promise<'deleted' | 'not-found'> {
    try {
      await this.api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
      return 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'not-found';
      throw new Error(`delete ${describe(ref)}: ${apiErrorMessage(error)}`);
    }
  }

  async waitFor(ref: ObjectRef, done: (object: KubeObject | undefined) => boolean, options: WaitOptions): Promise<KubeObject | undefined> {
    const deadline = Date.now() + options.timeoutMs;
    const maxPolls = Math.ceil(options.timeoutMs / POLL_MS) + 2;
    let last: KubeObject | undefined;
    for (let i = 0; i < maxPolls; i++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      last = await this.get(ref);
      if (done(last)) return last;
      options.onPoll?.(last);
      if (Date.now() >= deadline) break;
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), options.signal);
    }
    const error = new Error(`timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${describe(ref)}`);
    (error as Error & { lastSeen?: KubeObject }).lastSeen = last;
    throw error;
  }
}


export function createClientNodeClient(options: ConnectOptions): ClusterClient {
  return new ObjectApiClient(loadKubeConfig(options));
}
