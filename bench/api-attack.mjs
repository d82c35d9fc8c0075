// Issue 16's attack on the embedded API server: a JSON-patch "copy bomb"
// (22 operations that each copy an array into itself, under 2 KB) sent to a
// real cluster of each build, in the same run. Measured: time to the answer
// and its status, the cluster process's RSS before, at its peak (VmHWM) and
// after, and the slowest of the GETs a bystander sends one after another
// while the patch runs (the control plane is one event loop: while the patch
// runs, nothing else is answered).
// (Acknowledged writes lost to kill -9: bench/store.mjs.)
// Builds: BENCH_BUILDS="name=/checkout,..." (each with its dist/), default this
// checkout. Bounded: one bomb per build, 120 s client timeout. Loopback only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builds = (process.env.BENCH_BUILDS ?? `now=${root}`).split(',').map((spec) => {
  const [name, dir] = spec.split('=');
  const cli = path.join(path.resolve(dir), 'dist', 'source', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: npm run build in ${dir}`);
  return { name, cli };
});
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]), hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)[1]) };
}

const ops = [{ op: 'add', path: '/metadata/annotations', value: { a: 'x'.repeat(64) } }, { op: 'add', path: '/spec', value: { b: [] } }, { op: 'add', path: '/spec/b/-', value: 'y'.repeat(64) }];
for (let i = 0; i < 22; i++) ops.push({ op: 'copy', from: '/spec/b', path: '/spec/b/-' });
const bomb = JSON.stringify(ops);

async function attack(build) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-api-attack-'));
  const env = { ...process.env, AGW_WORKSHOP_HOME: home };
  delete env.KUBECONFIG;
  const cli = (args) => {
    const r = spawnSync(process.execPath, [build.cli, ...args], { env, encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  };
  try {
    cli(['cluster', 'up']);
    const runtime = JSON.parse(fs.readFileSync(path.join(home, 'cluster', 'runtime.json'), 'utf8'));
    const ca = fs.readFileSync(path.join(home, 'cluster', 'pki', 'ca.crt'), 'utf8');
    const token = fs.readFileSync(path.join(home, 'cluster', 'pki', 'token'), 'utf8').trim();
    const call = (method, urlPath, body, contentType = 'application/json') =>
      new Promise((resolve) => {
        const started = performance.now();
        const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
        if (body) headers['Content-Type'] = contentType;
        const req = https.request(`${runtime.apiUrl}${urlPath}`, { method, ca, headers, timeout: 120_000 }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started, text: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('timeout', () => req.destroy(new Error('no answer in 120 s')));
        req.on('error', (e) => resolve({ status: `error ${e.message}`, ms: performance.now() - started, text: '' }));
        req.end(body);
      });
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target' }, data: { k: 'v' } }));
    if (created.status !== 201) throw new Error(`create answered ${created.status}: ${created.text}`);
    await call('GET', '/api/v1/namespaces'); // warm
    const before = memory(runtime.pid);
    let answered = false;
    const patching = call('PATCH', '/api/v1/namespaces/default/configmaps/target', bomb, 'application/json-patch+json').then((r) => ((answered = true), r));
    // A bystander: one GET after another while the patch runs; the slowest is what the control plane's other clients saw.
    const bystanders = [];
    await sleep(50);
    do bystanders.push((await call('GET', '/api/v1/namespaces')).ms);
    while (!answered);
    const patched = await patching;
    const bystander = { ms: Math.max(...bystanders) };
    const peak = memory(runtime.pid);
    await sleep(3000);
    const after = memory(runtime.pid);
    return { build: build.name, status: patched.status, ms: patched.ms, message: (() => { try { return JSON.parse(patched.text).message?.slice(0, 120); } catch { return patched.text.slice(0, 120); } })(), bystanderMs: bystander.ms, rssBeforeKb: before.rssKb, peakKb: peak.hwmKb, rssAfterKb: after.rssKb };
  } finally {
    try {
      cli(['cluster', 'down']);
    } catch {}
    fs.rmSync(home, { recursive: true, force: true });
  }
}

console.log(`API attack: JSON-patch copy bomb of ${bomb.length} bytes, node ${process.version}, load average ${loadAverage()}`);
const results = [];
for (const build of builds) {
  const r = await attack(build);
  results.push(r);
  console.log(`\n${r.build}, load average ${loadAverage()}`);
  console.log(`  answer ${r.status} in ${r.ms.toFixed(0)} ms: ${r.message ?? ''}`);
  console.log(`  a bystander's GETs during the patch: the slowest waited ${r.bystanderMs.toFixed(0)} ms`);
  console.log(`  cluster RSS ${mb(r.rssBeforeKb)} before, peak ${mb(r.peakKb)}, ${mb(r.rssAfterKb)} 3 s after`);
}
if (results.length > 1) {
  const last = results[results.length - 1];
  for (const r of results.slice(0, -1)) {
    console.log(`\n${last.build} / ${r.build}: answer time ${(last.ms / r.ms).toFixed(3)}x, bystander GET ${(last.bystanderMs / r.bystanderMs).toFixed(3)}x, peak RSS ${(last.peakKb / r.peakKb).toFixed(2)}x, growth (peak - before) ${((last.peakKb - last.rssBeforeKb) / Math.max(1, r.peakKb - r.rssBeforeKb)).toFixed(3)}x`);
  }
}
console.log(`\nload average at end ${loadAverage()}`);
console.log(JSON.stringify(results));
