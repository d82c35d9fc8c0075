// Small helpers the loops share: keys, owners, selectors, conditions, names.
import crypto from 'node:crypto';
import type { KubeObject, OwnerReference, ResourceKey, Store, WatchEvent } from '../store/store-types.js';

export function objectKey(object: KubeObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Lists, replays the items as ADDED, then watches from the list's resourceVersion: nothing is missed in between. */
export function listAndWatch(store: Store, key: ResourceKey, listener: (event: WatchEvent) => void): () => void {
  const { items, resourceVersion } = store.list(key);
  for (const object of items) listener({ type: 'ADDED', object });
  return store.watch(key, listener, { sinceResourceVersion: resourceVersion });
}

export function controllerOwner(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller);
}

export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  return controllerOwner(object)?.uid === owner.metadata.uid;
}

export function ownerReferenceTo(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export { selectorMatches, type LabelSelector, type LabelSelectorRequirement } from '../../label-selector.js';

/** JSON with sorted keys: equal objects give equal strings (hashes, change detection). */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sameJson(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

// The alphabet Kubernetes uses for generated names (no vowels, no confusable characters).
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncode(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[bytes[i % bytes.length]! % SAFE_ALPHABET.length];
  return out;
}

/** A stable short hash of a value (pod-template-hash). */
export function shortHash(value: unknown, length = 10): string {
  return safeEncode(crypto.createHash('sha256').update(stableStringify(value)).digest(), length);
}

/** The random suffix of a generateName. */
export function randomSuffix(length = 5): string {
  return safeEncode(crypto.randomBytes(length), length);
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  observedGeneration?: number;
  [field: string]: unknown;
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
export function withCondition(conditions: Condition[] | undefined, next: Condition, now = new Date().toISOString()): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const merged: Condition = {
    ...next,
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime ?? now : now,
  };
  if (previous && sameJson({ ...previous, lastUpdateTime: undefined }, { ...merged, lastUpdateTime: undefined })) return list;
  if (index >= 0) list[index] = merged;
  else list.push(merged);
  return list;
}

export function findCondition(object: KubeObject, type: string): Condition | undefined {
  const status = object.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

export function podIsReady(pod: KubeObject): boolean {
  return findCondition(pod, 'Ready')?.status === 'True';
}

export function isTerminating(object: KubeObject): boolean {
  return Boolean(object.metadata.deletionTimestamp);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when the error is the store's 404/409 (object gone, or changed under us): the next event retries. */
export function isConflictOrGone(error: unknown): boolean {
  const code = (error as { code?: number } | undefined)?.code;
  return code === 404 || code === 409;
}
