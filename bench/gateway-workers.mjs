// Multi-worker proxy mode: the same data plane (bench/gateway-target.mjs) as one
// process and as GATEWAY_WORKERS=2 node:cluster workers sharing the listening
// socket, in the same run, interleaved rounds, medians: keep-alive requests/s
// and new TLS connections/s (wrk, Connection: close), and CPU ms per 1000
// requests of the whole proxy (primary + workers, from /proc). Nothing is
// pinned: the workers, the backend and wrk share every core, so on a machine
// with few cores the ratio is what that machine gets, not what 2 cores alone
// would give. Env: BENCH_SECONDS (default 4), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 32).
// Usage: npm run build && node bench/gateway-workers.mjs (needs wrk)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, median } from './child-cpu.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FOO = 'mock-openai-foo.glootest.com';
const BAR = 'mock-openai-bar.glootest.com';

if (spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status !== 0) {
  console.log('bench/gateway-workers.mjs needs wrk (as root: apt-get install -y wrk)');
  process.exit(1);
}
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-bench-workers-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

const { issueCertificate } = await import(path.join(root, 'dist/source/pki/index.js'));
const ca = issueCertificate({ subject: '/O=Solo.io/CN=glootest.com' });
for (const name of [FOO, BAR]) {
  const c = issueCertificate({ subject: `/CN=${name}`, subjectAltNames: [name], issuer: ca });
  fs.writeFileSync(path.join(work, `${name}.crt`), c.certPem);
  fs.writeFileSync(path.join(work, `${name}.key`), c.keyPem, { mode: 0o600 });
}
fs.writeFileSync(path.join(work, 'resolve.lua'), 'wrk.resolve = function(host, service)\n  wrk.addrs = wrk.lookup("127.0.0.1", service)\nend\n');

function startChild(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    children.add(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start within 20 s: ${err}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${err}`)));
  });
}
const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** User+system CPU ms of a process and its direct children (the workers), from /proc. */
function treeCpuMs(pid) {
  const read = (p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * 10 };
    } catch {
      return undefined;
    }
  };
  let total = read(pid)?.ms ?? NaN;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = read(entry);
    if (info?.ppid === pid) total += info.ms;
  }
  return total;
}

function wrk(target, extra) {
  const before = treeCpuMs(target.child.pid);
  const r = spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', path.join(work, 'resolve.lua'), ...extra, `https://${FOO}:${target.port}/`], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 });
  const cpu = treeCpuMs(target.child.pid) - before;
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? NaN);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN), cpuPerK: (cpu / requests) * 1000 };
}

console.log(`gateway workers bench: node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()}, ${SECONDS}s x ${ROUNDS} rounds, ${CONNECTIONS} connections, nothing pinned`);
const backend = await startChild([path.join(here, 'gateway-backend.mjs')]);
const targets = [];
for (const workers of [1, 2]) {
  const port = await freePort();
  const started = await startChild([path.join(here, 'gateway-target.mjs'), String(backend.port), work, FOO, BAR, String(port), path.join(work, `access-${workers}.log`)], { GATEWAY_WORKERS: String(workers) });
  targets.push({ label: `${workers} worker${workers > 1 ? 's' : ''}`, ...started, keepAlive: [], connections: [] });
}
for (const t of targets) wrk(t, []); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const t of targets) t.keepAlive.push(wrk(t, []));
  for (const t of targets) t.connections.push(wrk(t, ['-H', 'Connection: close']));
}
const fig = (runs, key) => median(runs.map((r) => r[key]));
for (const t of targets) {
  console.log(`  ${t.label.padEnd(10)} keep-alive ${fig(t.keepAlive, 'rps').toFixed(0).padStart(6)} req/s (CPU ${fig(t.keepAlive, 'cpuPerK').toFixed(0)} ms/1000)   new TLS connections ${fig(t.connections, 'rps').toFixed(0).padStart(5)} /s (CPU ${fig(t.connections, 'cpuPerK').toFixed(0)} ms/1000)`);
}
const [one, two] = targets;
console.log(`  2 workers / 1: keep-alive req/s ${(fig(two.keepAlive, 'rps') / fig(one.keepAlive, 'rps')).toFixed(2)}x, new connections/s ${(fig(two.connections, 'rps') / fig(one.connections, 'rps')).toFixed(2)}x; CPU per request ${(fig(two.keepAlive, 'cpuPerK') / fig(one.keepAlive, 'cpuPerK')).toFixed(2)}x / ${(fig(two.connections, 'cpuPerK') / fig(one.connections, 'cpuPerK')).toFixed(2)}x`);
console.log(`  load average at the end ${loadAverage()}`);
process.exit(0);
