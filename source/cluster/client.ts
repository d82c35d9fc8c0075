// The lesson runner's view of a Kubernetes API: apply, get, delete, wait, and
// a Service's load-balancer address, the same against the embedded cluster and
// kind/k3d/any real cluster, through @kubernetes/client-node's generic object API.
import os from 'node:os';
import path from 'node:path';

import type { ConnectOptions } from './kubeconfig.js';
import type { KubeObject } from './kube-object.js';

export type { ConnectOptions };

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export type { KubeObject };

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

/**
 * A client for the cluster the options (or $KUBECONFIG, or ~/.kube/config) name,
 * through @kubernetes/client-node (the project's one Kubernetes client), loaded
 * on first use so commands that never reach the cluster don't pay for it.
 */
export function createClusterClient(options: ConnectOptions = {}): ClusterClient {
  const file = options.kubeconfig ?? process.env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(os.homedir(), '.kube', 'config');
  return lazyClientNode(options, file);
}

function lazyClientNode(options: ConnectOptions, file: string): ClusterClient {
  let backend: Promise<ClusterClient> | undefined;
  let loaded: ClusterClient | undefined;
  const load = () => (backend ??= import('./client-node-backend.js').then((m) => (loaded = m.createClientNodeClient(options))));
  return {
    // The server's URL once the kubeconfig is read (the first call loads it); until then, where it will come from.
    get server() {
      return loaded?.server ?? `(kubeconfig ${file})`;
    },
    context: options.context ?? '(current)',
    version: async () => (await load()).version(),
    get: async (ref) => (await load()).get(ref),
    list: async (...args) => (await load()).list(...args),
    apply: async (object) => (await load()).apply(object),
    replace: async (object) => (await load()).replace(object),
    delete: async (ref) => (await load()).delete(ref),
    waitFor: async (...args) => (await load()).waitFor(...args),
  };
}

/** The address a LoadBalancer Service got (ip, else hostname), or undefined while pending. */
export function loadBalancerAddress(service: KubeObject | undefined): string | undefined {
  const ingress = ((service?.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)?.loadBalancer?.ingress ?? [])[0];
  return ingress?.ip || ingress?.hostname || undefined;
}
