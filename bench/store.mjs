// The embedded API's store on its write path, in process: status writes,
// spec updates and no-op writes of a Deployment with 5 containers of 20 env
// vars each (what a controller's status loop and `kubectl apply` cause).
// Baseline measured in the same run: one structuredClone plus one
// JSON.stringify of the same object, the least a copying, change-detecting
// store can do per write. Bounded: N writes per kind.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modulePath = path.join(root, 'dist', 'source', 'cluster', 'embedded', 'store.js');
if (!fs.existsSync(modulePath)) {
  console.error(`${modulePath} is missing: run npm run build first`);
  process.exit(1);
}
const { MemoryStore } = await import(modulePath);
const N = 5000;
const ROUNDS = 3;
const key = { group: 'apps', resource: 'deployments' };
const containers = Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, image: 'x', env: Array.from({ length: 20 }, (_, j) => ({ name: `E${j}`, value: 'v'.repeat(40) })) }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function round() {
  const store = new MemoryStore({ hasStatusSubresource: () => true, historySize: 100 });
  let obj = store.create(key, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n', labels: { a: 'b' } }, spec: { replicas: 1, template: { spec: { containers } } }, status: { replicas: 0 } });
  const unversioned = (o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  const time = (fn) => {
    const start = performance.now();
    for (let i = 0; i < N; i++) fn(i);
    return ((performance.now() - start) / N) * 1000;
  };
  const baseline = time(() => JSON.stringify(structuredClone(obj)));
  const status = time((i) => (obj = store.updateStatus(key, { ...unversioned(obj), status: { replicas: i % 2, observedGeneration: 1 } })));
  const update = time((i) => (obj = store.update(key, { ...unversioned(obj), spec: { ...obj.spec, replicas: i % 3 } })));
  const noop = time(() => store.update(key, unversioned(obj)));
  return { baseline, status, update, noop };
}

const rounds = Array.from({ length: ROUNDS }, round);
const figure = (name) => median(rounds.map((r) => r[name]));
const baseline = figure('baseline');
console.log(`store writes, ${N} per kind, median of ${ROUNDS} rounds (node ${process.version})`);
console.log(`  baseline (structuredClone + JSON.stringify)  ${baseline.toFixed(1)} µs`);
for (const [name, label] of [['status', 'status write'], ['update', 'spec update'], ['noop', 'no-op write']]) {
  const v = figure(name);
  console.log(`  ${label.padEnd(44)} ${v.toFixed(1)} µs  (${(v / baseline).toFixed(1)}x baseline)`);
}
