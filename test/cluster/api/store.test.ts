import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../../source/cluster/embedded/store/store.js';
import { isApiError } from '../../../source/cluster/embedded/apiserver/api-error.js';
import type { KubeObject, WatchEvent } from '../../../source/cluster/embedded/store/store-types.js';

const CM = { group: '', resource: 'configmaps' };
const DEPLOY = { group: 'apps', resource: 'deployments' };
const PODS = { group: '', resource: 'pods' };
const NS = { group: '', resource: 'namespaces' };

function cm(name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

test('create fills uid, creationTimestamp (RFC 3339 seconds), generation and a rising resourceVersion', (t) => {
  const store = new MemoryStore();
  const a = store.create(CM, cm('a'));
  const b = store.create(CM, cm('b'));
  t.regex(a.metadata.uid!, /^[0-9a-f-]{36}$/);
  t.regex(a.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(a.metadata.generation, 1);
  t.true(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
  const error = t.throws(() => store.create(CM, cm('a')));
  t.true(isApiError(error));
  t.is((error as unknown as { code: number }).code, 409);
});

test('generation moves with spec changes only; status and metadata writes leave it', (t) => {
  const store = new MemoryStore();
  const d = store.create(DEPLOY, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, spec: { replicas: 1 } });
  const labelled = store.update(DEPLOY, { ...d, metadata: { ...d.metadata, labels: { a: 'b' } } });
  t.is(labelled.metadata.generation, 1);
  const scaled = store.update(DEPLOY, { ...labelled, spec: { replicas: 2 } });
  t.is(scaled.metadata.generation, 2);
  const withStatus = store.updateStatus(DEPLOY, { ...scaled, status: { readyReplicas: 2 } });
  t.is(withStatus.metadata.generation, 2);
  t.deepEqual(withStatus.status, { readyReplicas: 2 });
  // update() keeps status (it is a subresource), and ignores attempts to change system metadata
  const again = store.update(DEPLOY, { ...withStatus, status: { readyReplicas: 0 }, metadata: { ...withStatus.metadata, uid: 'forged', generation: 99 } });
  t.deepEqual(again.status, { readyReplicas: 2 });
  t.is(again.metadata.uid, d.metadata.uid);
  t.is(again.metadata.generation, 2);
  // a write that changes nothing is no new version
  t.is(again.metadata.resourceVersion, withStatus.metadata.resourceVersion);
});

test('a stale resourceVersion is a 409 Conflict and changes nothing', (t) => {
  const store = new MemoryStore();
  const first = store.create(CM, cm('a', { v: '1' }));
  store.update(CM, { ...first, data: { v: '2' } });
  const error = t.throws(() => store.update(CM, { ...first, data: { v: '3' } }));
  t.is((error as unknown as { code: number }).code, 409);
  t.deepEqual(store.get(CM, 'default', 'a')!.data, { v: '2' });
});

test('deleting an owner collects its dependents (background) or releases them (orphan)', (t) => {
  const store = new MemoryStore();
  const owner = store.create(DEPLOY, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, spec: {} });
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: owner.metadata.uid!, controller: true };
  store.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'x', ownerReferences: [ref] } });
  store.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2', namespace: 'x' } });
  store.delete(DEPLOY, 'x', 'd');
  t.is(store.get(PODS, 'x', 'p1'), undefined);
  t.truthy(store.get(PODS, 'x', 'p2'));

  const owner2 = store.create(DEPLOY, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'e', namespace: 'x' }, spec: {} });
  store.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p3', namespace: 'x', ownerReferences: [{ ...ref, name: 'e', uid: owner2.metadata.uid! }] } });
  store.delete(DEPLOY, 'x', 'e', { propagationPolicy: 'Orphan' });
  const orphan = store.get(PODS, 'x', 'p3');
  t.truthy(orphan);
  t.is(orphan!.metadata.ownerReferences, undefined);
});

test('deleting a namespace deletes what is in it', (t) => {
  const store = new MemoryStore();
  store.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
  store.create(CM, cm('a', {}, 'x'));
  store.create(CM, cm('b', {}, 'y'));
  store.delete(NS, undefined, 'x');
  t.is(store.get(CM, 'x', 'a'), undefined);
  t.truthy(store.get(CM, 'y', 'b'));
});

test('a watch from a resourceVersion gets exactly the later events, in order, and 410 once they fell out of history', (t) => {
  const store = new MemoryStore({ historySize: 5 });
  const a = store.create(CM, cm('a'));
  const from = a.metadata.resourceVersion!;
  store.update(CM, { ...a, data: { x: '1' } });
  store.create(CM, cm('b'));
  store.delete(CM, 'default', 'a');
  const seen: string[] = [];
  const stop = store.watch(CM, (e: WatchEvent) => seen.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`), { sinceResourceVersion: from });
  store.create(CM, cm('c'));
  stop();
  store.create(CM, cm('d'));
  t.deepEqual(
    seen.map((s) => s.split(' ').slice(0, 2).join(' ')),
    ['MODIFIED a', 'ADDED b', 'DELETED a', 'ADDED c'],
  );
  const rvs = seen.map((s) => Number(s.split(' ')[2]));
  t.true(rvs.every((rv, i) => rv > Number(from) && (i === 0 || rv > rvs[i - 1]!)));
  for (let i = 0; i < 10; i++) store.create(CM, cm(`n${i}`));
  const error = t.throws(() => store.watch(CM, () => {}, { sinceResourceVersion: from }));
  t.is((error as unknown as { code: number }).code, 410);
});

test('watch filters by namespace, label and field selectors; a listener writing to the store does not reorder events', (t) => {
  const store = new MemoryStore();
  const seen: string[] = [];
  const other: string[] = [];
  store.watch(CM, (e) => {
    seen.push(`${e.type} ${e.object.metadata.name}`);
    if (e.type === 'ADDED' && e.object.metadata.name === 'a') store.create(CM, cm('echo', {}, 'x'));
  }, { namespace: 'x' });
  store.watch(CM, (e) => other.push(`${e.type} ${e.object.metadata.name}`), { fieldSelector: 'metadata.name!=b', labelSelector: '' });
  store.create(CM, cm('a', {}, 'x'));
  store.create(CM, cm('b', {}, 'x'));
  store.create(CM, cm('c', {}, 'y'));
  t.deepEqual(seen, ['ADDED a', 'ADDED echo', 'ADDED b']);
  t.deepEqual(other, ['ADDED a', 'ADDED echo', 'ADDED c']);
});

test('the store persists atomically and a file that does not parse is moved aside', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-store-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'store.json');
  const store = new MemoryStore({ file });
  store.create(CM, cm('kept', { k: 'v' }));
  await store.flush();
  t.is((fs.statSync(file).mode & 0o777).toString(8), '600');
  const reloaded = new MemoryStore({ file });
  t.deepEqual(reloaded.get(CM, 'default', 'kept')!.data, { k: 'v' });
  t.true(Number(reloaded.create(CM, cm('next')).metadata.resourceVersion) > 1);

  fs.writeFileSync(file, '{"torn": ');
  const lines: string[] = [];
  const fresh = new MemoryStore({ file, log: (l) => lines.push(l) });
  t.true(fresh.isEmpty);
  t.regex(lines.join('\n'), /could not be read.*moved it to .*store\.json\.corrupt-/);
  t.true(fs.readdirSync(dir).some((f) => f.startsWith('store.json.corrupt-')));
});

test('a write is acknowledged only once on disk, and concurrent writes share one fsync (group commit)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-store-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'store.json');
  const store = new MemoryStore({ file });
  store.create(CM, cm('first'));
  const onDisk = () => fs.existsSync(file) && fs.readFileSync(file, 'utf8');
  t.false(onDisk(), 'a change is not on disk in the same turn');
  await store.committed();
  t.true(String(onDisk()).includes('"first"'), 'committed() resolves after the write');
  const writesBefore = store.diskWrites;
  const acknowledged = await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      // One create per turn of the event loop, as 60 clients' requests arrive.
      await new Promise((resolve) => setImmediate(resolve));
      store.create(CM, cm(`c${i}`));
      await store.committed();
      // Acknowledged: it must be in the file now.
      return JSON.parse(fs.readFileSync(file, 'utf8')).collections['/configmaps'].some((o: KubeObject) => o.metadata.name === `c${i}`) as boolean;
    }),
  );
  t.deepEqual(acknowledged, Array(60).fill(true));
  const writes = store.diskWrites - writesBefore;
  t.true(writes >= 1 && writes < 60, `60 creates took ${writes} writes`);
  t.is(new MemoryStore({ file }).list(CM).items.length, 61);
});

test('a write that fails to reach the disk is refused with 500 and undone in memory, and watchers see the undo', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-store-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sub = path.join(dir, 'cluster');
  const file = path.join(sub, 'store.json');
  const store = new MemoryStore({ file, log: () => {} });
  store.create(CM, cm('kept', { k: 'v1' }));
  await store.committed();
  const seen: string[] = [];
  store.watch(CM, (e) => seen.push(`${e.type} ${e.object.metadata.name} ${JSON.stringify(e.object.data)}`));
  // The store's directory becomes a plain file: every write now fails (ENOTDIR), whoever runs the test.
  fs.renameSync(sub, `${sub}.moved`);
  fs.writeFileSync(sub, 'not a directory');
  const kept = store.get(CM, 'default', 'kept')!;
  store.update(CM, { ...kept, data: { k: 'v2' } });
  store.create(CM, cm('lost'));
  const error = await t.throwsAsync(store.committed());
  t.is((error as unknown as { code: number }).code, 500);
  t.regex(error!.message, /could not be stored on disk and was undone/);
  t.is(store.get(CM, 'default', 'lost'), undefined);
  t.deepEqual(store.get(CM, 'default', 'kept')!.data, { k: 'v1' });
  t.deepEqual(seen.slice(2), ['DELETED lost {}', 'MODIFIED kept {"k":"v1"}']);
  // The disk is back: the next write goes through, and a reload has exactly what was acknowledged.
  fs.rmSync(sub);
  fs.renameSync(`${sub}.moved`, sub);
  store.create(CM, cm('after'));
  await store.committed();
  const reloaded = new MemoryStore({ file });
  t.deepEqual(reloaded.list(CM).items.map((o) => `${o.metadata.name} ${JSON.stringify(o.data)}`), ['after {}', 'kept {"k":"v1"}']);
});

test('an object with finalizers is marked for deletion and goes when the last finalizer is removed; Foreground deletes dependents first', (t) => {
  const store = new MemoryStore();
  const seen: string[] = [];
  store.watch(CM, (e) => seen.push(`${e.type} ${e.object.metadata.name}${e.object.metadata.deletionTimestamp ? ' (terminating)' : ''}`));
  store.create(CM, { ...cm('held'), metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/cleanup'] } });
  const marked = store.delete(CM, 'default', 'held');
  t.truthy(marked?.metadata.deletionTimestamp);
  t.truthy(store.get(CM, 'default', 'held'));
  const current = store.get(CM, 'default', 'held')!;
  store.update(CM, { ...current, metadata: { ...current.metadata, finalizers: [] } });
  t.is(store.get(CM, 'default', 'held'), undefined);
  t.deepEqual(seen, ['ADDED held', 'MODIFIED held (terminating)', 'DELETED held (terminating)']);

  const order: string[] = [];
  store.watch(DEPLOY, (e) => order.push(`${e.type} ${e.object.kind}`));
  store.watch(PODS, (e) => order.push(`${e.type} ${e.object.kind}`));
  const owner = store.create(DEPLOY, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'f', namespace: 'x' }, spec: {} });
  store.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fp', namespace: 'x', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'f', uid: owner.metadata.uid! }] } });
  store.delete(DEPLOY, 'x', 'f', { propagationPolicy: 'Foreground' });
  t.deepEqual(order, ['ADDED Deployment', 'ADDED Pod', 'DELETED Pod', 'DELETED Deployment']);
});
