// The lesson runner's view of a Kubernetes API: apply, get, delete, wait, and
// a Service's load-balancer address. Built on @kubernetes/client-node's
// generic object API, so it works the same against the embedded cluster and
// kind/k3d/any real cluster.
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { loadKubeConfig, type ConnectOptions } from './kubeconfig.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called on each look with a short description of what is still missing. */
  onPoll?: (object: KubeObject | undefined) => void;
}

export interface ClusterClient {
  readonly server: string;
  readonly context: string;
  /** API reachable? Resolves to the server version, rejects with a readable error. */
  version(): Promise<string>;
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]>;
  /** Declarative apply (server-side apply; create/merge-patch where SSA is not served). */
  apply(object: KubeObject): Promise<{ object: KubeObject; action: ApplyAction }>;
  /** Makes the object exactly this (create, or replace the stored one): used to restore saved objects. */
  replace(object: KubeObject): Promise<KubeObject>;
  /** 'not-found' is not an error: deleting twice is fine. */
  delete(ref: ObjectRef): Promise<'deleted' | 'not-found'>;
  /** Polls `ref` until `done(object)` holds; bounded by timeoutMs; rejects on abort or timeout. */
  waitFor(ref: ObjectRef, done: (object: KubeObject | undefined) => boolean, options: WaitOptions): Promise<KubeObject | undefined>;
}

export const FIELD_MANAGER = 'agw-workshop';
const POLL_MS = 200;

export function isNotFound(error: unknown): boolean {
  return (error as { code?: number })?.code === 404;
}

/** A readable message out of client-node's ApiException (its body is a Status). */
export function apiErrorMessage(error: unknown): string {
  const e = error as { code?: number; body?: unknown; message?: string };
  let body = e?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // plain text body
    }
  }
  const status = body as { message?: string } | undefined;
  if (status && typeof status === 'object' && status.message) return `${status.message}${e.code ? ` (HTTP ${e.code})` : ''}`;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${e?.message ?? 'request failed'}: ${cause.code}`;
  return e?.message ?? String(error);
}

export function refOf(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
}

function header(ref: ObjectRef) {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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
    const { VersionApi } = await import('@kubernetes/client-node');
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
      throw new Error(`get ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ${apiErrorMessage(error)}`);
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
    const what = `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
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
    const what = `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
    try {
      const current = await this.get(refOf(object));
      if (!current) return (await this.api.create(object as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as unknown as KubeObject;
      const next = { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } };
      if ('status' in current && !('status' in next)) (next as Record<string, unknown>).status = current.status;
      return (await this.api.replace(next as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as unknown as KubeObject;
    } catch (error) {
      throw new Error(`replace ${what}: ${apiErrorMessage(error)}`);
    }
  }

  async delete(ref: ObjectRef): Promise<'deleted' | 'not-found'> {
    try {
      await this.api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
      return 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'not-found';
      throw new Error(`delete ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ${apiErrorMessage(error)}`);
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
    const error = new Error(`timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
    (error as Error & { lastSeen?: KubeObject }).lastSeen = last;
    throw error;
  }
}

export function createClusterClient(options: ConnectOptions = {}): ClusterClient {
  return new ObjectApiClient(loadKubeConfig(options));
}

/** The address a LoadBalancer Service got (ip, else hostname), or undefined while pending. */
export function loadBalancerAddress(service: KubeObject | undefined): string | undefined {
  const ingress = ((service?.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)?.loadBalancer?.ingress ?? [])[0];
  return ingress?.ip || ingress?.hostname || undefined;
}
