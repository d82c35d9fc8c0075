// The contract between the embedded API server (which owns the store) and the
// in-process controllers and kubelet (which read and write through it).
// Controllers use this directly instead of HTTP: they live in the cluster
// process, like the control plane's own loops, and starting them must not cost
// a TLS round trip each. Everything outside the cluster process (the gateway,
// the lesson runner, kubectl) goes through the HTTP API.

// One KubeObject type for the project (source/cluster/kube-object.ts).
import type { KubeObject } from '../../kube-object.js';
export type { KubeObject, ObjectMeta, OwnerReference } from '../../kube-object.js';

/** Identifies a collection: group ("" for core), version is the storage version, plural resource name. */
export interface ResourceKey {
  group: string;
  resource: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface Store {
  get(key: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined;
  list(key: ResourceKey, options?: ListOptions): { items: KubeObject[]; resourceVersion: string };
  /** Creates (fills uid, resourceVersion, creationTimestamp, generation); throws ApiError 409 on duplicates. */
  create(key: ResourceKey, object: KubeObject): KubeObject;
  /** Replaces spec/metadata (not status); bumps generation when spec changes. Optimistic concurrency when resourceVersion is set. */
  update(key: ResourceKey, object: KubeObject): KubeObject;
  /** Replaces only `status`. */
  updateStatus(key: ResourceKey, object: KubeObject): KubeObject;
  /**
   * Deletes and garbage-collects dependents (ownerReferences; Background by default, Foreground deletes them first,
   * Orphan releases them). An object with finalizers is only marked (deletionTimestamp) until they are removed.
   * Returns the deleted (or marked) object, or undefined when absent.
   */
  delete(key: ResourceKey, namespace: string | undefined, name: string, options?: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' }): KubeObject | undefined;
  /** Events strictly after `sinceResourceVersion` (or from now when absent). Returns an unsubscribe function. */
  watch(key: ResourceKey, listener: (event: WatchEvent) => void, options?: ListOptions & { sinceResourceVersion?: string }): () => void;
}
