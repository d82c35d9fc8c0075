// A small in-memory Store for the controller tests: same contract as the
// embedded store (store-types.ts), without persistence or validation.
import crypto from 'node:crypto';
import { ApiError } from '../../../source/cluster/embedded/apiserver/api-error.js';
import type { KubeObject, ListOptions, ResourceKey, Store, WatchEvent } from '../../../source/cluster/embedded/store/store-types.js';

type Listener = { key: string; namespace?: string; fn: (event: WatchEvent) => void };

const clone = <T>(value: T): T => structuredClone(value);

export class FakeStore implements Store {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<Listener>();
  private revision = 1;

  private bucket(key: ResourceKey): Map<string, KubeObject> {
    const id = `${key.group}/${key.resource}`;
    let bucket = this.objects.get(id);
    if (!bucket) this.objects.set(id, (bucket = new Map()));
    return bucket;
  }

  private emit(key: ResourceKey, type: WatchEvent['type'], object: KubeObject): void {
    const id = `${key.group}/${key.resource}`;
    for (const listener of [...this.listeners]) {
      if (listener.key !== id) continue;
      if (listener.namespace && listener.namespace !== object.metadata.namespace) continue;
      listener.fn({ type, object: clone(object) });
    }
  }

  get(key: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(key).get(`${namespace ?? ''}/${name}`);
    return found && clone(found);
  }

  list(key: ResourceKey, options: ListOptions = {}): { items: KubeObject[]; resourceVersion: string } {
    const wanted = parseSelector(options.labelSelector);
    const items = [...this.bucket(key).values()]
      .filter((o) => !options.namespace || o.metadata.namespace === options.namespace)
      .filter((o) => Object.entries(wanted).every(([k, v]) => o.metadata.labels?.[k] === v))
      .map(clone);
    return { items, resourceVersion: String(this.revision) };
  }

  create(key: ResourceKey, object: KubeObject): KubeObject {
    const stored = clone(object);
    if (!stored.metadata.name && stored.metadata.generateName) {
      stored.metadata.name = stored.metadata.generateName + crypto.randomBytes(3).toString('hex').slice(0, 5);
    }
    const id = `${stored.metadata.namespace ?? ''}/${stored.metadata.name}`;
    if (this.bucket(key).has(id)) throw ApiError.alreadyExists(key.resource, stored.metadata.name, key.group);
    stored.metadata.uid = crypto.randomUUID();
    stored.metadata.resourceVersion = String(++this.revision);
    stored.metadata.creationTimestamp = new Date().toISOString();
    stored.metadata.generation = 1;
    this.bucket(key).set(id, stored);
    this.emit(key, 'ADDED', stored);
    return clone(stored);
  }

  private existing(key: ResourceKey, object: KubeObject): KubeObject {
    const current = this.bucket(key).get(`${object.metadata.namespace ?? ''}/${object.metadata.name}`);
    if (!current) throw ApiError.notFound(key.resource, object.metadata.name, key.group);
    if (object.metadata.resourceVersion && object.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw ApiError.conflict(`the object has been modified; please apply your changes to the latest version and try again`);
    }
    return current;
  }

  update(key: ResourceKey, object: KubeObject): KubeObject {
    const current = this.existing(key, object);
    const next = clone({ ...object, status: current.status });
    next.metadata = { ...next.metadata, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
    const specChanged = JSON.stringify(current.spec) !== JSON.stringify(object.spec);
    next.metadata.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    next.metadata.resourceVersion = String(++this.revision);
    this.bucket(key).set(`${next.metadata.namespace ?? ''}/${next.metadata.name}`, next);
    this.emit(key, 'MODIFIED', next);
    return clone(next);
  }

  updateStatus(key: ResourceKey, object: KubeObject): KubeObject {
    const current = this.existing(key, object);
    const next = clone({ ...current, status: object.status });
    next.metadata.resourceVersion = String(++this.revision);
    this.bucket(key).set(`${next.metadata.namespace ?? ''}/${next.metadata.name}`, next);
    this.emit(key, 'MODIFIED', next);
    return clone(next);
  }

  delete(key: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined {
    const id = `${namespace ?? ''}/${name}`;
    const current = this.bucket(key).get(id);
    if (!current) return undefined;
    this.bucket(key).delete(id);
    ++this.revision;
    this.emit(key, 'DELETED', current);
    // Garbage-collect dependents, in any collection.
    for (const [bucketId, bucket] of this.objects) {
      for (const dependent of [...bucket.values()]) {
        if (dependent.metadata.ownerReferences?.some((ref) => ref.uid === current.metadata.uid)) {
          const [group, resource] = bucketId.split('/') as [string, string];
          this.delete({ group, resource }, dependent.metadata.namespace, dependent.metadata.name);
        }
      }
    }
    return clone(current);
  }

  watch(key: ResourceKey, fn: (event: WatchEvent) => void, options: ListOptions & { sinceResourceVersion?: string } = {}): () => void {
    const listener: Listener = { key: `${key.group}/${key.resource}`, namespace: options.namespace, fn };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function parseSelector(selector: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (selector ?? '').split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    out[k!.trim()] = (v ?? '').trim();
  }
  return out;
}

/** Polls `check` until it returns a value (bounded), for loops that react asynchronously. */
export async function eventually<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
