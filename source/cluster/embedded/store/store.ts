// The object store of the embedded cluster: objects in memory, one global
// resourceVersion counter, a bounded history of events for watches, garbage
// collection through ownerReferences, and an atomic snapshot on disk.
// Every mutation is validated before anything changes, so a rejected request
// leaves the store as it was. Mutations apply in memory at once; `committed()`
// says when they are on disk (group commit), and the API answers only then.
// A write that fails to reach the disk is undone in memory.
import crypto from 'node:crypto';
import { ApiError } from '../apiserver/api-error.js';
import { rfc3339 } from '../apiserver/http-util.js';
import { objectFilter } from '../apiserver/selectors.js';
import { loadSnapshot, SnapshotWriter, type StoreSnapshot } from './store-file.js';
import type { KubeObject, ListOptions, ResourceKey, Store, WatchEvent } from './store-types.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  /** Delete only if the object still has this uid / resourceVersion (409 otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface MemoryStoreOptions {
  /** Persist to this file (group-committed atomic writes); absent → memory only. */
  file?: string;
  log?: (line: string) => void;
  /** Kinds whose status is a subresource: update() keeps their status. Default: every kind. */
  hasStatusSubresource?: (key: ResourceKey) => boolean;
  /** How many events watches can resume from. */
  historySize?: number;
}

interface HistoryEntry {
  rv: number;
  collection: string;
  event: WatchEvent;
}

interface Watcher {
  collection: string;
  matches: (o: KubeObject) => boolean;
  listener: (event: WatchEvent) => void;
  /** Events up to this resourceVersion were replayed (or predate the watch). */
  startRv: number;
}

const NAMESPACES = 'namespaces';

export function collectionName(key: ResourceKey): string {
  return `${key.group}/${key.resource}`;
}
function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}
function parseCollection(collection: string): ResourceKey {
  const slash = collection.indexOf('/');
  return { group: collection.slice(0, slash), resource: collection.slice(slash + 1) };
}
function clone<T>(value: T): T {
  return structuredClone(value);
}
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
/** Everything but metadata and status: what `generation` tracks. */
function specPart(object: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return stableJson(rest);
}
/** The rest of an object: with specPart, all of it. */
function envelopePart(object: KubeObject): string {
  return stableJson({ apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, status: object.status });
}
function resourceLabel(key: ResourceKey): string {
  return key.group ? `${key.resource}.${key.group}` : key.resource;
}

export class MemoryStore implements Store {
  private readonly collections = new Map<string, Map<string, KubeObject>>();
  private readonly byUid = new Map<string, { collection: string; namespace?: string; name: string }>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  /** Events waiting for delivery: a listener that writes to the store must not reorder what others see. */
  private readonly pending: { collection: string; event: WatchEvent }[] = [];
  private delivering = false;
  private revision = 0;
  /** Highest resourceVersion whose event fell out of the history: watches from before it get 410. */
  private trimmedThrough = 0;
  private readonly writer: SnapshotWriter | undefined;
  private readonly log: (line: string) => void;
  private readonly historySize: number;
  private readonly hasStatusSubresource: (key: ResourceKey) => boolean;

  constructor(options: MemoryStoreOptions = {}) {
    this.log = options.log ?? (() => {});
    this.historySize = options.historySize ?? 5000;
    this.hasStatusSubresource = options.hasStatusSubresource ?? (() => true);
    if (options.file) {
      const snapshot = loadSnapshot(options.file, this.log);
      if (snapshot) this.restore(snapshot);
      this.writer = new SnapshotWriter(options.file, () => this.snapshot(), (_error, durable) => this.undoTo(durable), this.log, snapshot);
    }
  }

  /** The current (latest) resourceVersion. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  /** How many snapshots were written to disk: with group commit, fewer than the changes. */
  get diskWrites(): number {
    return this.writer?.writes ?? 0;
  }

  /** True when no object has ever been stored (first start). */
  get isEmpty(): boolean {
    return this.revision === 0;
  }

  snapshot(): StoreSnapshot {
    const collections: Record<string, KubeObject[]> = {};
    for (const [name, objects] of this.collections) if (objects.size) collections[name] = [...objects.values()];
    return { version: 1, resourceVersion: this.revision, collections };
  }

  private restore(snapshot: StoreSnapshot): void {
    this.revision = snapshot.resourceVersion;
    this.trimmedThrough = snapshot.resourceVersion; // no history survives a restart
    for (const [collection, objects] of Object.entries(snapshot.collections)) {
      const map = this.collectionMap(collection);
      for (const o of objects) {
        map.set(objectKey(o.metadata.namespace, o.metadata.name), o);
        if (o.metadata.uid) this.byUid.set(o.metadata.uid, { collection, namespace: o.metadata.namespace, name: o.metadata.name });
      }
    }
  }

  /** Writes pending changes now (shutdown). */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  /**
   * Resolves once every change made so far is on disk (at once for a memory-only store).
   * Rejects with a 500 when the write failed; those changes were undone.
   */
  async committed(): Promise<void> {
    try {
      await this.writer?.committed();
    } catch (error) {
      throw new ApiError(500, 'InternalError', `the change could not be stored on disk and was undone: ${(error as Error).message}`);
    }
  }

  /**
   * Brings memory back to the snapshot last known on disk, after a failed write. Each object that differs is put back
   * (or removed) as a new change with a new resourceVersion and a watch event, so watchers follow the undo.
   */
  private undoTo(durable: StoreSnapshot | undefined): void {
    const wanted = new Map<string, Map<string, KubeObject>>();
    for (const [collection, objects] of Object.entries(durable?.collections ?? {})) {
      wanted.set(collection, new Map(objects.map((o) => [objectKey(o.metadata.namespace, o.metadata.name), o])));
    }
    for (const collection of new Set([...this.collections.keys(), ...wanted.keys()])) {
      const map = this.collectionMap(collection);
      const target = wanted.get(collection) ?? new Map<string, KubeObject>();
      for (const [id, current] of [...map]) {
        if (target.has(id)) continue;
        map.delete(id);
        if (current.metadata.uid) this.byUid.delete(current.metadata.uid);
        const deleted = clone(current);
        deleted.metadata.resourceVersion = String(++this.revision);
        this.emit(collection, { type: 'DELETED', object: deleted });
      }
      for (const [id, before] of target) {
        const current = map.get(id);
        if (current === before) continue;
        const restored = clone(before);
        restored.metadata.resourceVersion = String(++this.revision);
        map.set(id, restored);
        if (current?.metadata.uid && current.metadata.uid !== restored.metadata.uid) this.byUid.delete(current.metadata.uid);
        if (restored.metadata.uid) this.byUid.set(restored.metadata.uid, { collection, namespace: restored.metadata.namespace, name: restored.metadata.name });
        this.emit(collection, { type: current ? 'MODIFIED' : 'ADDED', object: restored });
      }
    }
  }

  private collectionMap(collection: string): Map<string, KubeObject> {
    let map = this.collections.get(collection);
    if (!map) {
      map = new Map();
      this.collections.set(collection, map);
    }
    return map;
  }

  get(key: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.collections.get(collectionName(key))?.get(objectKey(namespace, name));
    return found ? clone(found) : undefined;
  }

  list(key: ResourceKey, options: ListOptions = {}): { items: KubeObject[]; resourceVersion: string } {
    const matches = objectFilter(options);
    const items: KubeObject[] = [];
    for (const o of this.collections.get(collectionName(key))?.values() ?? []) if (matches(o)) items.push(clone(o));
    items.sort((a, b) => objectKey(a.metadata.namespace, a.metadata.name).localeCompare(objectKey(b.metadata.namespace, b.metadata.name)));
    return { items, resourceVersion: this.resourceVersion };
  }

  /** Every collection that holds objects (for namespace deletion and tooling). */
  collectionKeys(): ResourceKey[] {
    return [...this.collections.keys()].map(parseCollection);
  }

  create(key: ResourceKey, object: KubeObject): KubeObject {
    const name = object.metadata?.name;
    if (!name) throw new ApiError(422, 'Invalid', `${object.kind} is invalid: metadata.name: Required value: name or generateName is required`, { kind: object.kind, causes: [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }] });
    const collection = collectionName(key);
    const map = this.collectionMap(collection);
    const id = objectKey(object.metadata.namespace, name);
    if (map.has(id)) throw ApiError.alreadyExists(key.resource, name, key.group);
    const stored = clone(object);
    const meta = stored.metadata;
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = rfc3339();
    meta.generation = 1;
    delete meta.deletionTimestamp;
    meta.resourceVersion = String(++this.revision);
    map.set(id, stored);
    this.byUid.set(meta.uid, { collection, namespace: meta.namespace, name });
    this.emit(collection, { type: 'ADDED', object: stored });
    return clone(stored);
  }

  update(key: ResourceKey, object: KubeObject): KubeObject {
    return this.replace(key, object, 'update');
  }

  updateStatus(key: ResourceKey, object: KubeObject): KubeObject {
    return this.replace(key, object, 'status');
  }

  private replace(key: ResourceKey, object: KubeObject, mode: 'update' | 'status'): KubeObject {
    const collection = collectionName(key);
    const name = object.metadata?.name;
    const id = objectKey(object.metadata?.namespace, name);
    const current = this.collections.get(collection)?.get(id);
    if (!current) throw ApiError.notFound(key.resource, name ?? '', key.group);
    const requested = object.metadata.resourceVersion;
    if (requested && requested !== current.metadata.resourceVersion) {
      throw ApiError.modified(key.resource, name, key.group);
    }
    let next: KubeObject;
    // Status writes leave the spec as it is; an update may change it.
    let specChanged = false;
    if (mode === 'status') {
      next = clone(current);
      if (object.status === undefined) delete next.status;
      else next.status = clone(object.status);
    } else {
      next = clone(object);
      // System metadata is the server's: attempts to change it are ignored.
      next.metadata.uid = current.metadata.uid;
      next.metadata.creationTimestamp = current.metadata.creationTimestamp;
      next.metadata.generation = current.metadata.generation;
      if (current.metadata.deletionTimestamp) next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      else delete next.metadata.deletionTimestamp;
      if (this.hasStatusSubresource(key)) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      specChanged = specPart(next) !== specPart(current);
      if (specChanged) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    // A no-op write is not a change: no new resourceVersion, no event (as the real server).
    // A changed spec is a change; otherwise only the envelope needs comparing (each write serialises less).
    if (!specChanged && envelopePart(next) === envelopePart(current)) return clone(current);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      // The last finalizer was removed from an object marked for deletion: now it goes.
      this.collectionMap(collection).set(id, next);
      return clone(this.remove(collection, next, 'Background'));
    }
    next.metadata.resourceVersion = String(++this.revision);
    this.collectionMap(collection).set(id, next);
    this.emit(collection, { type: 'MODIFIED', object: next });
    return clone(next);
  }

  delete(key: ResourceKey, namespace: string | undefined, name: string, options: DeleteOptions = {}): KubeObject | undefined {
    const collection = collectionName(key);
    const current = this.collections.get(collection)?.get(objectKey(namespace, name));
    if (!current) return undefined;
    const pre = options.preconditions;
    if ((pre?.uid && pre.uid !== current.metadata.uid) || (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)) {
      throw ApiError.conflict(`Operation cannot be fulfilled on ${resourceLabel(key)} "${name}": precondition failed`, { name, group: key.group, kind: key.resource });
    }
    if (current.metadata.finalizers?.length) {
      // Finalizers hold the object: it is marked for deletion and goes when the last finalizer is removed.
      if (current.metadata.deletionTimestamp) return clone(current);
      const marked = clone(current);
      marked.metadata.deletionTimestamp = rfc3339();
      marked.metadata.resourceVersion = String(++this.revision);
      this.collectionMap(collection).set(objectKey(namespace, name), marked);
      this.emit(collection, { type: 'MODIFIED', object: marked });
      return clone(marked);
    }
    return clone(this.remove(collection, current, options.propagationPolicy ?? 'Background'));
  }

  private remove(collection: string, current: KubeObject, policy: PropagationPolicy): KubeObject {
    const { namespace, name, uid } = current.metadata;
    // Foreground: dependents go first, then the owner.
    if (policy === 'Foreground' && uid) this.collectDependents(uid, policy);
    this.collections.get(collection)!.delete(objectKey(namespace, name));
    if (uid) this.byUid.delete(uid);
    const deleted = clone(current);
    deleted.metadata.resourceVersion = String(++this.revision);
    this.emit(collection, { type: 'DELETED', object: deleted });
    if (parseCollection(collection).resource === NAMESPACES && parseCollection(collection).group === '') this.removeNamespaceContents(name);
    if (uid && policy !== 'Foreground') this.collectDependents(uid, policy);
    return deleted;
  }

  /** A deleted namespace takes every object in it along. */
  private removeNamespaceContents(namespace: string): void {
    for (const [collection, objects] of this.collections) {
      for (const o of [...objects.values()]) {
        if (o.metadata.namespace === namespace && objects.has(objectKey(namespace, o.metadata.name))) this.remove(collection, o, 'Background');
      }
    }
  }

  /** Garbage collection: dependents whose owners are all gone are deleted (or, with Orphan, released). */
  private collectDependents(ownerUid: string, policy: PropagationPolicy): void {
    for (const [collection, objects] of this.collections) {
      for (const o of [...objects.values()]) {
        const refs = o.metadata.ownerReferences;
        if (!refs?.some((r) => r.uid === ownerUid)) continue;
        if (!objects.has(objectKey(o.metadata.namespace, o.metadata.name))) continue; // already collected
        const remaining = refs.filter((r) => r.uid !== ownerUid);
        if (policy === 'Orphan' || remaining.some((r) => this.byUid.has(r.uid))) {
          const released = clone(o);
          if (remaining.length) released.metadata.ownerReferences = remaining;
          else delete released.metadata.ownerReferences;
          this.replace(parseCollection(collection), released, 'update');
        } else {
          this.remove(collection, o, policy);
        }
      }
    }
  }

  watch(
    key: ResourceKey,
    listener: (event: WatchEvent) => void,
    options: ListOptions & { sinceResourceVersion?: string } = {},
  ): () => void {
    const collection = collectionName(key);
    const matches = objectFilter(options);
    const since = options.sinceResourceVersion ? Number(options.sinceResourceVersion) : undefined;
    if (since !== undefined && !Number.isInteger(since)) throw ApiError.badRequest(`invalid resourceVersion "${options.sinceResourceVersion}"`);
    const replay: WatchEvent[] = [];
    if (since !== undefined && since < this.revision) {
      if (since < this.trimmedThrough) {
        throw new ApiError(410, 'Expired', `too old resource version: ${since} (${this.trimmedThrough})`);
      }
      for (const entry of this.history) {
        if (entry.rv > since && entry.collection === collection && matches(entry.event.object)) replay.push(entry.event);
      }
    }
    const watcher: Watcher = { collection, matches, listener, startRv: this.revision };
    for (const event of replay) this.deliver(watcher, event);
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  private deliver(watcher: Watcher, event: WatchEvent): void {
    try {
      watcher.listener({ type: event.type, object: clone(event.object) });
    } catch (error) {
      this.log(`store: a watch listener failed: ${(error as Error).message}`);
    }
  }

  private emit(collection: string, event: WatchEvent): void {
    const rv = Number(event.object.metadata.resourceVersion);
    this.history.push({ rv, collection, event });
    if (this.history.length > this.historySize) {
      const dropped = this.history.splice(0, this.history.length - this.historySize);
      this.trimmedThrough = dropped[dropped.length - 1]!.rv;
    }
    this.writer?.changed();
    this.pending.push({ collection, event });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        for (const watcher of [...this.watchers]) {
          if (
            watcher.collection === next.collection &&
            this.watchers.has(watcher) &&
            Number(next.event.object.metadata.resourceVersion) > watcher.startRv &&
            watcher.matches(next.event.object)
          )
            this.deliver(watcher, next.event);
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}
