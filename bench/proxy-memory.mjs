// Issue 16 item 5, "memory that comes back": where the proxy's memory goes
// during proxy-attack.mjs's connection attacks and how much of it returns.
// Each variant runs the same build's data plane (attack-target.mjs, default
// limits, descriptor limit 4096) with its own environment, one after the
// other in this run:
//   1000 slowloris HTTP connections + 1000 idle TLS connections (handshake
//   done), held BENCH_HOLD_S (default 5) s and closed by the client; then
//   6000 TCP connections at once to the HTTP port, held 2 s, closed.
// Memory is read at the start, at the peak (RSS sampled every 250 ms), right
// after the clients left (two full GCs), every second of a quiet period of
// BENCH_IDLE_S (default 10) s, and after it (two full GCs): RSS from /proc
// (also by mapping: brk heap, other anonymous, files), V8 heap used and
// total, external and arrayBuffers from process.memoryUsage().
// BENCH_NO_GC=1 in a variant's environment: the bench's GCs only report, so
// what comes back is what the proxy and V8 return on their own.
// With BENCH_MALLOC_PROBE=1 (bench/malloc-probe.c, built here with gcc; or
// the path of a built .so), the target also reports glibc's own view
// (malloc_info: bytes in use, bytes free but kept, arenas) and RSS after an
// explicit malloc_trim(0): what the allocator holds as free, as opposed to
// what the program still uses.
// Variants: BENCH_VARIANTS="name:ENV=V ENV=V;name2:..." (default: baseline
// and MALLOC_ARENA_MAX=2). BENCH_ROUNDS (default 1) repeats the attack in one
// process (does it grow round after round, or plateau?).
import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ask, freePort, pool } from './attack-common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(root, 'dist');
const HOLD_S = Number(process.env.BENCH_HOLD_S ?? 5);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const SLOW = 1000;
const IDLE = 1000;
const FLOOD = 6000;
const variants = (process.env.BENCH_VARIANTS ?? 'baseline:;arena2:MALLOC_ARENA_MAX=2').split(';').filter(Boolean).map((spec) => {
  const [name, assignments = ''] = spec.split(/:(.*)/s);
  const env = Object.fromEntries(assignments.split(/\s+/).filter(Boolean).map((a) => a.split(/=(.*)/s).slice(0, 2)));
  return { name, env };
});
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes) => (bytes === undefined ? '?' : (bytes / 1024 / 1024).toFixed(1));

const { issueCertificate } = await import(pathToFileURL(path.join(dist, 'source', 'pki', 'index.js')).href);
const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-memory-'));
const ca = issueCertificate({ subject: '/CN=attack CA' });
const foo = issueCertificate({ subject: '/CN=foo.attack.test', subjectAltNames: ['foo.attack.test'], issuer: ca });
fs.writeFileSync(path.join(certDir, 'foo.crt'), foo.certPem);
fs.writeFileSync(path.join(certDir, 'foo.key'), foo.keyPem);

/** The malloc probe's shared object: BENCH_MALLOC_PROBE=1 builds bench/malloc-probe.c, any other value is a built one. */
function mallocProbe() {
  const wanted = process.env.BENCH_MALLOC_PROBE;
  if (!wanted) return undefined;
  if (wanted !== '1') return path.resolve(wanted);
  const built = path.join(certDir, 'malloc-probe.so');
  const gcc = spawnSync('gcc', ['-O2', '-shared', '-fPIC', '-o', built, path.join(here, 'malloc-probe.c'), '-lpthread'], { encoding: 'utf8' });
  if (gcc.status !== 0) throw new Error(`gcc could not build the malloc probe: ${gcc.error?.message ?? gcc.stderr}`);
  return built;
}
const probe = mallocProbe();


/** glibc's malloc_info: bytes mapped from the system, free but kept, mmapped chunks (all arenas), and the main arena's part. */
function mallocTotals(xml) {
  const sum = (text) => {
    const fast = Number(/<total type="fast" count="\d+" size="(\d+)"\/>/.exec(text)?.[1] ?? 0);
    const rest = Number(/<total type="rest" count="\d+" size="(\d+)"\/>/.exec(text)?.[1] ?? 0);
    const system = Number(/<system type="current" size="(\d+)"\/>/.exec(text)?.[1] ?? 0);
    return { system, free: fast + rest };
  };
  const totals = sum(xml.slice(xml.lastIndexOf('</heap>')));
  const main = sum(xml.slice(xml.indexOf('<heap nr="0">'), xml.indexOf('</heap>')));
  const mmapped = Number(/<total type="mmap" count="\d+" size="(\d+)"\/>/.exec(xml)?.[1] ?? 0);
  return { arenas: (xml.match(/<heap nr=/g) ?? []).length, ...totals, inUse: totals.system - totals.free + mmapped, mmapped, mainSystem: main.system, mainFree: main.free };
}

async function attack(name, env) {
  const backend = fork(path.join(here, 'attack-backend.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port: backendPort } = await ask(backend, undefined, 'ready');
  const httpPort = await freePort();
  const tlsPort = await freePort();
  const fifo = probe ? path.join(certDir, `probe-${name}`) : undefined;
  if (fifo) spawnSync('mkfifo', [fifo]);
  const targetEnv = { ...process.env, ...env, ...(probe ? { LD_PRELOAD: probe, MALLOC_PROBE_FIFO: fifo } : {}) };
  const target = fork(path.join(here, 'attack-target.mjs'), [dist, httpPort, tlsPort, backendPort, certDir], { env: targetEnv, execPath: process.env.BENCH_TARGET_EXEC ?? process.execPath, execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await ask(target, undefined, 'loaded');
  // A wrapper (BENCH_TARGET_EXEC, say a profiler) sets its own limit: the pid here is the wrapper's.
  const limited = process.env.BENCH_TARGET_EXEC ? { status: 0 } : spawnSync('prlimit', ['--pid', String(target.pid), '--nofile=4096:4096']);
  if (limited.status !== 0) throw new Error(`prlimit failed: ${limited.stderr}`);
  await ask(target, { type: 'start' }, 'ready');
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${target.pid}/status`, 'utf8'))[1]) * 1024;
  const threads = () => Number(/Threads:\s+(\d+)/.exec(fs.readFileSync(`/proc/${target.pid}/status`, 'utf8'))[1]);
  let infos = 0;
  const malloc = async (command) => {
    if (!fifo) return undefined;
    const out = `${fifo}.out`;
    fs.rmSync(out, { force: true });
    fs.writeFileSync(fifo, `${command}\n`);
    for (let i = 0; i < 100 && !fs.existsSync(out); i++) await sleep(50);
    const xml = fs.readFileSync(out, 'utf8');
    // BENCH_MALLOC_INFO_DIR keeps each malloc_info document (free chunk sizes per arena).
    if (process.env.BENCH_MALLOC_INFO_DIR) fs.writeFileSync(path.join(process.env.BENCH_MALLOC_INFO_DIR, `${name}-${++infos}-${command}.xml`), xml);
    return mallocTotals(xml);
  };
  /** Resident bytes by mapping: the brk heap (glibc's main arena), other anonymous mappings (V8's heap pages, other arenas, large mmapped chunks), files. */
  const mappings = () => {
    const out = { brk: 0, anonymous: 0, file: 0 };
    let kind = 'file';
    for (const l of fs.readFileSync(`/proc/${target.pid}/smaps`, 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
      if (head) kind = head[1] === '[heap]' ? 'brk' : head[1] === '' || head[1].startsWith('[anon') ? 'anonymous' : 'file';
      else if (l.startsWith('Rss:')) out[kind] += Number(/(\d+)/.exec(l)[1]) * 1024;
    }
    return out;
  };
  const snapshot = async () => ({ ...(await ask(target, { type: 'gc' }, 'stats')), rss: rss(), threads: threads(), mappings: mappings(), malloc: await malloc('info') });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 250);
  const rounds = [];
  try {
    const start = await snapshot();
    for (let round = 0; round < ROUNDS; round++) {
      const sockets = [];
      await pool(Array.from({ length: SLOW }, (_, i) => i), 100, () => new Promise((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: httpPort }, () => (s.write('GET / HTTP/1.1\r\nHost: a\r\n'), resolve()));
        s.on('error', () => resolve());
        sockets.push(s);
      }));
      let handshakes = 0;
      await pool(Array.from({ length: IDLE }, (_, i) => i), 50, () => new Promise((resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: 'foo.attack.test', ca: ca.certPem, ALPNProtocols: ['http/1.1'] }, () => (handshakes++, resolve()));
        s.on('data', () => undefined);
        s.on('close', () => resolve());
        s.on('error', () => resolve());
        sockets.push(s);
      }));
      await sleep(HOLD_S * 1000);
      const held = rss();
      for (const s of sockets) s.destroy();
      await sleep(1000);
      const flood = [];
      await pool(Array.from({ length: FLOOD }, (_, i) => i), 400, () => new Promise((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: httpPort }, () => resolve());
        s.on('data', () => undefined);
        s.on('close', () => resolve());
        s.on('error', () => resolve());
        flood.push(s);
      }));
      await sleep(2000);
      for (const s of flood) s.destroy();
      await sleep(2000);
      const after = await snapshot();
      // RSS every second of the quiet period, as the proxy (not the bench's GC) gives memory back.
      const quiet = [];
      for (let second = 0; second < IDLE_S; second++) {
        await sleep(1000);
        quiet.push(rss());
      }
      const idle = await snapshot();
      rounds.push({ handshakes, held, peak, after, quiet, idle });
    }
    const trimmed = probe ? { malloc: await malloc('trim'), rss: (await sleep(200), rss()), mappings: mappings() } : undefined;
    return { name, env, start, rounds, trimmed };
  } finally {
    clearInterval(sampler);
    target.kill('SIGKILL');
    backend.kill('SIGKILL');
  }
}

const mapText = (m) => `brk heap ${mb(m.brk)}, other anonymous ${mb(m.anonymous)}, files ${mb(m.file)} MB`;
const line = (label, s) =>
  `  ${label.padEnd(22)} RSS ${mb(s.rss).padStart(6)} MB  heap used/total ${mb(s.heapUsed).padStart(5)}/${mb(s.heapTotal).padStart(5)}  external ${mb(s.external).padStart(5)}  arrayBuffers ${mb(s.arrayBuffers).padStart(5)}` +
  (s.malloc ? `  malloc: in use ${mb(s.malloc.inUse)}, free kept ${mb(s.malloc.free)} (main arena ${mb(s.malloc.mainFree)} of ${mb(s.malloc.mainSystem)}), ${s.malloc.arenas} arenas` : '') + (s.threads ? `  threads ${s.threads}` : '') + (s.parsersKept !== undefined ? `  free HTTP parsers kept ${s.parsersKept}` : '') + (s.mappings ? `\n${' '.repeat(26)}resident: ${mapText(s.mappings)}` : '');

console.log(`proxy memory under connection attacks, node ${process.version}, load average at start ${loadAverage()}`);
const results = [];
for (const v of variants) {
  const r = await attack(v.name, v.env);
  results.push(r);
  console.log(`\n${v.name} (${Object.entries(v.env).map(([k, x]) => `${k}=${x}`).join(' ') || 'default environment'}), load average ${loadAverage()}`);
  console.log(line('start', r.start));
  r.rounds.forEach((x, i) => {
    console.log(`  round ${i + 1}: ${x.handshakes} TLS handshakes; RSS holding slow+idle ${mb(x.held)} MB, peak so far ${mb(x.peak)} MB`);
    console.log(line('after + GC', x.after));
    console.log(`  RSS each 5 s of the quiet period: ${x.quiet.filter((_, i) => i % 5 === 4).map(mb).join(', ')} MB`);
    console.log(line(`after ${IDLE_S} s idle + GC`, x.idle));
  });
  if (r.trimmed) console.log(line('after malloc_trim(0)', r.trimmed));
  if (r.trimmed) console.log(`    resident by mapping, after malloc_trim(0): ${mapText(r.trimmed.mappings)}`);
}
if (results.length > 1) {
  const growth = (r) => r.rounds[r.rounds.length - 1].idle.rss - r.start.rss;
  console.log('\nRSS growth that stayed (after idle + GC, minus start), against the first variant:');
  for (const r of results) console.log(`  ${r.name}: ${mb(growth(r))} MB = ${(growth(r) / growth(results[0])).toFixed(2)}x`);
}
console.log(`\nload average at end ${loadAverage()}`);
console.log(JSON.stringify(results));
fs.rmSync(certDir, { recursive: true, force: true });
process.exit(0);
