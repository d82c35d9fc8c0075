// The embedded API's store on its write path.
// 1. CPU per write, in process, memory only: status writes, spec updates and
//    no-op writes of a Deployment with 5 containers of 20 env vars each (what
//    a controller's status loop and `kubectl apply` cause). Baseline in the
//    same run: one structuredClone plus one JSON.stringify of the same object.
// 2. Durability, this build against another (BENCH_BEFORE=/path/to/checkout
//    with its own dist/, e.g. main before group commit), in the same run:
//    - in process, with the store on disk: one create until acknowledged
//      (median), 60 concurrent creates until all are acknowledged, and N
//      clients each creating in a loop (creates/s);
//    - a real cluster process per build: one create over HTTPS (median), 60
//      concurrent creates, then kill -9 at once after the last 201, restart,
//      and count the creates that survived (writes lost out of 60).
//    "Acknowledged" means what each build's API server waits for before it
//    answers: the before build answers right after the change in memory.
// Bounded in counts; every server binds loopback.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modulePath = path.join(root, 'dist', 'source', 'cluster', 'embedded', 'store.js');
if (!fs.existsSync(modulePath)) {
  console.error(`${modulePath} is missing: run npm run build first`);
  process.exit(1);
}
const { MemoryStore } = await import(modulePath);
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`load average at start: ${loadAverage()}`);
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

// ---- 2. durability: this build against BENCH_BEFORE's --------------------------------------------
const before = process.env.BENCH_BEFORE;
const builds = [{ name: 'after', root }];
if (before) {
  if (!fs.existsSync(path.join(before, 'dist', 'source', 'cli.js'))) {
    console.error(`${before}/dist is missing: build that checkout first (npm run build there)`);
    process.exit(1);
  }
  builds.unshift({ name: 'before', root: path.resolve(before) });
} else {
  console.log('\n(BENCH_BEFORE unset: durability figures for this build only, no ratio)');
}
const CM = { group: '', resource: 'configmaps' };
const configMap = (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { bench: 'store' } }, data: { k: 'v'.repeat(200) } });
const turn = () => new Promise((resolve) => setImmediate(resolve));
const acknowledge = (store) => (typeof store.committed === 'function' ? store.committed() : undefined);

async function inProcess(build) {
  const { MemoryStore: Store } = await import(path.join(build.root, 'dist', 'source', 'cluster', 'embedded', 'store.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-bench-store-'));
  try {
    const store = new Store({ file: path.join(dir, 'store.json') });
    // A store of realistic size first: 300 objects (a few lessons' worth).
    for (let i = 0; i < 300; i++) store.create(CM, configMap(`seed-${i}`));
    await acknowledge(store);
    let n = 0;
    const one = [];
    for (let i = 0; i < 100; i++) {
      const start = performance.now();
      store.create(CM, configMap(`one-${n++}`));
      await acknowledge(store);
      one.push(performance.now() - start);
    }
    const burst = [];
    for (let round = 0; round < 7; round++) {
      const start = performance.now();
      await Promise.all(
        Array.from({ length: 60 }, async () => {
          await turn();
          store.create(CM, configMap(`burst-${n++}`));
          await acknowledge(store);
        }),
      );
      burst.push(performance.now() - start);
    }
    const clients = {};
    for (const count of [1, 8, 64]) {
      const total = 640;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: count }, async () => {
          for (let i = 0; i < total / count; i++) {
            await turn();
            store.create(CM, configMap(`client-${n++}`));
            await acknowledge(store);
          }
        }),
      );
      clients[count] = total / ((performance.now() - start) / 1000);
    }
    const writesBefore = store.diskWrites;
    if (typeof store.flush === 'function') await store.flush();
    return { one: median(one), burst: median(burst), clients, diskWrites: writesBefore };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function cliOf(build, home) {
  const env = { ...process.env, AGW_WORKSHOP_HOME: home };
  delete env.KUBECONFIG;
  return (args) => {
    const result = spawnSync(process.execPath, [path.join(build.root, 'dist', 'source', 'cli.js'), ...args], { env, encoding: 'utf8', timeout: 180_000 });
    if (result.status !== 0) throw new Error(`cli ${args.join(' ')} (${build.name}) failed: ${result.stderr || result.stdout}`);
    return result.stdout;
  };
}

function api(home) {
  const runtime = JSON.parse(fs.readFileSync(path.join(home, 'cluster', 'runtime.json'), 'utf8'));
  const ca = fs.readFileSync(path.join(home, 'cluster', 'pki', 'ca.crt'), 'utf8');
  const token = fs.readFileSync(path.join(home, 'cluster', 'pki', 'token'), 'utf8').trim();
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 64 });
  const call = (method, urlPath, body) =>
    new Promise((resolve, reject) => {
      const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
      if (body) headers['Content-Type'] = 'application/json';
      const req = https.request(`${runtime.apiUrl}${urlPath}`, { method, agent, headers, timeout: 30_000 }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in 30 s`)));
      req.on('error', reject);
      req.end(body);
    });
  return { pid: runtime.pid, call, close: () => agent.destroy() };
}

function waitGone(pid) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`pid ${pid} still alive 10 s after SIGKILL`);
    spawnSync('sleep', ['0.02']);
  }
}

async function overHttps(build, rounds) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-bench-store-home-'));
  const cli = cliOf(build, home);
  try {
    cli(['cluster', 'up']);
    let client = api(home);
    const post = (name) => client.call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify(configMap(name)));
    const one = [];
    for (let i = 0; i < 40; i++) {
      const start = performance.now();
      const r = await post(`https-one-${i}`);
      if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.text}`);
      one.push(performance.now() - start);
    }
    const burst = [];
    const lost = [];
    for (let round = 0; round < rounds; round++) {
      // 60 connections open and TLS done first, so the 60 creates arrive together as from 60 clients.
      await Promise.all(Array.from({ length: 60 }, () => client.call('GET', '/api/v1/namespaces/default/configmaps?limit=1')));
      const start = performance.now();
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => post(`kill-${round}-${i}`)));
      burst.push(performance.now() - start);
      const acknowledged = answers.filter((a) => a.status === 201).length;
      // kill -9 right after the last acknowledgement, no wait for the disk.
      process.kill(client.pid, 'SIGKILL');
      client.close();
      waitGone(client.pid);
      cli(['cluster', 'up']);
      client = api(home);
      const list = JSON.parse((await client.call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=bench%3Dstore')).text);
      const survived = list.items.filter((o) => o.metadata.name.startsWith(`kill-${round}-`)).length;
      lost.push(acknowledged - survived);
    }
    client.close();
    return { one: median(one), burst: median(burst), lost };
  } finally {
    try {
      cli(['cluster', 'down']);
    } catch {}
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const ROUNDS_KILL = Number(process.env.BENCH_KILL_ROUNDS ?? 3);
const results = {};
for (const build of builds) {
  results[build.name] = { process: await inProcess(build), https: await overHttps(build, ROUNDS_KILL) };
}
console.log(`\ndurability, ${builds.map((b) => `${b.name} = ${b.root}`).join(', ')} (load average now ${loadAverage()})`);
const row = (label, pick, unit, digits = 2) => {
  const values = builds.map((b) => pick(results[b.name]));
  const ratio = values.length === 2 ? `  (${(values[1] / values[0]).toFixed(2)}x before)` : '';
  console.log(`  ${label.padEnd(46)} ${builds.map((b, i) => `${b.name} ${values[i].toFixed(digits)} ${unit}`).join('   ')}${ratio}`);
};
row('in process: one create until acknowledged', (r) => r.process.one, 'ms', 3);
row('in process: 60 concurrent creates, all acked', (r) => r.process.burst, 'ms');
for (const count of [1, 8, 64]) row(`in process: ${count} client(s) creating in a loop`, (r) => r.process.clients[count], 'creates/s', 0);
if (results.after.process.diskWrites) console.log(`  (after: ${results.after.process.diskWrites} snapshot writes for ${300 + 100 + 7 * 60 + 3 * 640} creates: group commit)`);
row('HTTPS: one create, median of 40', (r) => r.https.one, 'ms');
row('HTTPS: 60 concurrent creates, all answered', (r) => r.https.burst, 'ms');
for (const build of builds) console.log(`  kill -9 right after 60 acknowledged creates, ${build.name}: lost ${results[build.name].https.lost.join(', ')} of 60 (${ROUNDS_KILL} rounds)`);
console.log(`load average at end: ${loadAverage()}`);
