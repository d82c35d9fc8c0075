// Issue 16's attacks on the gateway's data plane, bounded in count and time,
// against one or more builds in the same run (each in its own process, with
// default limits and a descriptor limit of 4096 set with prlimit):
// - slowloris: 1000 HTTP connections sending a header line every 2 s, never
//   finishing; and 1000 TLS connections that finish the handshake and then
//   say nothing. How many are still open after BENCH_HOLD_S (default 15) s.
// - connection flood: 6000 TCP connections at once to the HTTP port. How many
//   are held, how many are refused politely (503), how many fail otherwise;
//   whether an existing keep-alive connection and a new one still get 200.
// - RSS of the proxy process before, at the peak, and after the clients have
//   gone and a full GC.
// - HTTP/2 rapid reset: one connection opens and at once resets up to 10,000
//   streams to a 300 ms upstream while another client sends a request every
//   250 ms; that client's latency, and how many cancelled requests reached
//   the upstream.
// - ClientHello in 1-byte records (item 6): the proxy's CPU per hello of
//   ~1.7 KB sent as one record, and as 1-byte records arriving in ~60-byte
//   pieces (CPU from /proc, 10 ms ticks over 600 hellos); a 10 KB hello as
//   1-byte records (60 KB, the most the proxy reads); and the reader alone in
//   process with each build's strategy.
// Builds: BENCH_BUILDS="name=/checkout,name=/checkout" (each with its dist/),
// default: this checkout. Loopback only.
import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ask, freePort, pool } from './attack-common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const builds = (process.env.BENCH_BUILDS ?? `now=${root}`).split(',').map((spec) => {
  const [name, dir] = spec.split('=');
  const dist = path.join(path.resolve(dir), 'dist');
  if (!fs.existsSync(path.join(dist, 'gateway', 'dataplane', 'index.js'))) throw new Error(`${dist} has no built data plane: npm run build in ${dir}`);
  return { name, dist };
});
const HOLD_S = Number(process.env.BENCH_HOLD_S ?? 15);
const SLOW = 1000;
const IDLE = 1000;
const FLOOD = 6000;
const RESETS = 10_000;
const HELLOS = 600;
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const { issueCertificate } = await import(pathToFileURL(path.join(root, 'dist', 'source', 'pki', 'index.js')).href);
const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-attack-'));
const ca = issueCertificate({ subject: '/CN=attack CA' });
const foo = issueCertificate({ subject: '/CN=foo.attack.test', subjectAltNames: ['foo.attack.test'], issuer: ca });
fs.writeFileSync(path.join(certDir, 'foo.crt'), foo.certPem);
fs.writeFileSync(path.join(certDir, 'foo.key'), foo.keyPem);


function get(port, agent, pathName = '/') {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathName, agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve(`error ${e.code ?? e.message}`));
  });
}

// ---- ClientHello bytes (as test/gateway/dataplane/hello-builder.ts) ----
const u16 = (n) => Buffer.from([n >> 8, n & 255]);
const ext = (type, body) => Buffer.concat([u16(type), u16(body.length), body]);
function helloMessage(sni, padding = 1600) {
  const name = Buffer.from(sni, 'latin1');
  const entry = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
  // A padding extension (21) makes it the size of a post-quantum key share hello.
  const extensions = Buffer.concat([ext(0, Buffer.concat([u16(entry.length), entry])), ext(21, Buffer.alloc(padding))]);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([32]), Buffer.alloc(32, 1), u16(4), Buffer.from([0x13, 0x01, 0x13, 0x02]), Buffer.from([1, 0]), u16(extensions.length), extensions]);
  return Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 255, body.length & 255]), body]);
}
function records(message, fragment) {
  const out = [];
  for (let i = 0; i < message.length; i += fragment) {
    const part = message.subarray(i, i + fragment);
    out.push(Buffer.from([22, 3, 1]), u16(part.length), part);
  }
  return Buffer.concat(out);
}

/**
 * The reader alone, in this process: the build's own strategy for bytes arriving in 60-byte pieces (a build with
 * ClientHelloReader pushes each piece; an older one concatenated and re-parsed from the first byte, as its listener did).
 */
async function parserInProcess(build) {
  const mod = await import(pathToFileURL(path.join(build.dist, 'gateway', 'dataplane', 'client-hello.js')).href);
  const run = (bytes) => {
    if (mod.ClientHelloReader) {
      const reader = new mod.ClientHelloReader();
      for (let i = 0; i < bytes.length; i += 60) reader.push(bytes.subarray(i, i + 60));
      return;
    }
    let buffered;
    for (let i = 0; i < bytes.length; i += 60) {
      const chunk = bytes.subarray(i, i + 60);
      buffered = buffered ? Buffer.concat([buffered, chunk]) : chunk;
      mod.parseClientHello(buffered);
    }
  };
  const out = {};
  for (const [label, bytes] of [['1.7 KB one record', records(helloMessage('x.test'), 16384)], ['1.7 KB 1-byte records', records(helloMessage('x.test'), 1)], ['10 KB 1-byte records', records(helloMessage('x.test', 10_000), 1)]]) {
    run(bytes);
    const times = [];
    const deadline = performance.now() + 5000;
    for (let i = 0; i < 15 && performance.now() < deadline; i++) {
      const started = performance.now();
      run(bytes);
      times.push((performance.now() - started) * 1000);
    }
    out[label] = median(times);
  }
  return out;
}

async function attackBuild(build) {
  const backend = fork(path.join(here, 'attack-backend.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port: backendPort } = await ask(backend, undefined, 'ready');
  const httpPort = await freePort();
  const tlsPort = await freePort();
  const target = fork(path.join(here, 'attack-target.mjs'), [build.dist, httpPort, tlsPort, backendPort, certDir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await ask(target, undefined, 'loaded');
  const limited = spawnSync('prlimit', ['--pid', String(target.pid), '--nofile=4096:4096']);
  if (limited.status !== 0) throw new Error(`prlimit failed: ${limited.stderr}`);
  await ask(target, { type: 'start' }, 'ready');
  // From /proc, so it works when the proxy has no descriptor left to read its own.
  const proc = () => {
    const status = fs.readFileSync(`/proc/${target.pid}/status`, 'utf8');
    const stat = fs.readFileSync(`/proc/${target.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime, clock ticks (1/100 s)
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024, fds: fs.readdirSync(`/proc/${target.pid}/fd`).length, cpuMs: ticks * 10 };
  };
  const stats = async () => proc();
  const gcStats = async () => ({ ...(await ask(target, { type: 'gc' }, 'stats')), ...proc() });
  const result = { build: build.name };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, proc().rss)), 500);
  try {
    const idleStart = await gcStats();
    result.rssStart = idleStart.rss;
    result.heapStart = idleStart.heapUsed;

    // -- slowloris + idle TLS --
    const slow = [];
    await pool(Array.from({ length: SLOW }, (_, i) => i), 100, () => new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: httpPort }, () => {
        s.write('GET / HTTP/1.1\r\nHost: a\r\n');
        resolve();
      });
      const state = { socket: s, closed: false, got408: false };
      s.on('data', (d) => (state.got408 ||= d.toString('latin1').startsWith('HTTP/1.1 408')));
      s.on('close', () => (state.closed = true));
      s.on('error', () => resolve());
      slow.push(state);
    }));
    const drip = setInterval(() => {
      for (const s of slow) if (!s.closed) s.socket.write('X-a: b\r\n');
    }, 2000);
    const idle = [];
    await pool(Array.from({ length: IDLE }, (_, i) => i), 50, () => new Promise((resolve) => {
      const state = { closed: false, handshake: false };
      const s = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: 'foo.attack.test', ca: ca.certPem, ALPNProtocols: ['http/1.1'] }, () => {
        state.handshake = true;
        resolve();
      });
      state.socket = s;
      s.on('data', () => undefined); // read, or the server's close is never seen
      s.on('close', () => (state.closed = true, resolve()));
      s.on('error', () => resolve());
      idle.push(state);
    }));
    await sleep(HOLD_S * 1000);
    result.slowHeld = slow.filter((s) => !s.closed).length;
    result.slow408 = slow.filter((s) => s.got408).length;
    result.idleHandshakes = idle.filter((s) => s.handshake).length;
    result.idleHeld = idle.filter((s) => !s.closed).length;
    result.rssHeld = (await stats()).rss;
    clearInterval(drip);
    for (const s of [...slow, ...idle]) s.socket.destroy();
    await sleep(1000);

    // -- connection flood --
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    result.victimBefore = await get(httpPort, agent);
    const flood = [];
    await pool(Array.from({ length: FLOOD }, (_, i) => i), 400, () => new Promise((resolve) => {
      const state = { closed: false, refused503: false, error: undefined };
      const s = net.connect({ host: '127.0.0.1', port: httpPort }, () => resolve());
      state.socket = s;
      s.on('data', (d) => (state.refused503 ||= d.toString('latin1').startsWith('HTTP/1.1 503')));
      s.on('close', () => (state.closed = true, resolve()));
      s.on('error', (e) => (state.error = e.code ?? e.message, resolve()));
      flood.push(state);
    }));
    await sleep(2000);
    result.floodHeld = flood.filter((s) => !s.closed && !s.refused503).length;
    result.flood503 = flood.filter((s) => s.refused503).length;
    result.floodFailed = flood.filter((s) => s.error || (s.closed && !s.refused503)).length;
    result.victimExisting = await get(httpPort, agent);
    result.victimNew = await get(httpPort, undefined);
    const during = await stats();
    result.fdsDuringFlood = during.fds;
    for (const s of flood) s.socket.destroy();
    agent.destroy();
    await sleep(2000);
    result.rssPeak = peak;
    const afterGc = await gcStats();
    result.rssAfter = afterGc.rss;
    result.heapAfter = afterGc.heapUsed;

    // -- HTTP/2 rapid reset --
    await ask(backend, { type: 'reset' }, 'count');
    const victim = http2.connect(`https://127.0.0.1:${tlsPort}`, { servername: 'foo.attack.test', ca: ca.certPem });
    victim.on('error', () => undefined);
    const victimGet = () => new Promise((resolve) => {
      const started = performance.now();
      const req = victim.request({ ':path': '/', ':authority': 'foo.attack.test' });
      req.on('response', () => undefined);
      req.resume();
      req.on('end', () => resolve(performance.now() - started));
      req.on('error', () => resolve(performance.now() - started));
      // Bounded: a request still waiting after 30 s is given up and counted as 30 s.
      req.setTimeout(30_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
    });
    await victimGet();
    const attacker = http2.connect(`https://127.0.0.1:${tlsPort}`, { servername: 'foo.attack.test', ca: ca.certPem });
    attacker.on('error', () => undefined);
    let goaway = false;
    attacker.on('goaway', () => (goaway = true));
    await new Promise((resolve) => attacker.once('connect', resolve));
    const latencies = [];
    let flooding = true;
    const victimLoop = (async () => {
      while (flooding) {
        latencies.push(await victimGet());
        await sleep(250);
      }
    })();
    const floodStart = performance.now();
    let sent = 0;
    while (sent < RESETS && !goaway && !attacker.destroyed && performance.now() - floodStart < 60_000) {
      for (let i = 0; i < 100 && sent < RESETS; i++, sent++) {
        try {
          const req = attacker.request({ ':path': '/slow', ':authority': 'foo.attack.test' });
          req.on('error', () => undefined);
          req.close(http2.constants.NGHTTP2_CANCEL);
        } catch {
          goaway = true;
          break;
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const floodMs = performance.now() - floodStart;
    await sleep(1500);
    flooding = false;
    await victimLoop;
    latencies.push(await victimGet());
    const upstream = await ask(backend, { type: 'count' }, 'count');
    result.resetsSent = sent;
    result.resetGoaway = goaway;
    result.resetFloodMs = floodMs;
    result.resetUpstreamStarted = upstream.started - latencies.length - 1;
    result.resetUpstreamAborted = upstream.aborted;
    result.victimMedianMs = median(latencies);
    result.victimMaxMs = Math.max(...latencies);
    attacker.destroy();
    victim.close();

    clearInterval(sampler);
    // -- ClientHello: one record vs 1-byte records --
    const message = helloMessage('unknown.attack.test');
    const whole = records(message, 16384);
    const tiny = records(message, 1);
    const hello = (bytes, piece) => new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: tlsPort }, async () => {
        s.setNoDelay(true);
        for (let i = 0; i < bytes.length && !s.destroyed; i += piece) {
          s.write(bytes.subarray(i, i + piece));
          if (piece < bytes.length) await new Promise((r) => setImmediate(r));
        }
      });
      s.on('data', () => undefined);
      s.on('close', resolve);
      s.on('error', () => undefined);
    });
    const cpuOf = async (bytes, piece) => {
      const before = proc().cpuMs;
      await pool(Array.from({ length: HELLOS }, (_, i) => i), 10, () => hello(bytes, piece));
      return ((proc().cpuMs - before) * 1000) / HELLOS; // µs per hello
    };
    await cpuOf(whole, whole.length); // warm-up
    result.helloCpuWholeUs = await cpuOf(whole, whole.length);
    result.helloCpuTinyUs = await cpuOf(tiny, 60);
    result.helloBytes = { whole: whole.length, tiny: tiny.length };
    // The largest hello the proxy reads in 1-byte records (10 KB message, 60 KB on the wire): fewer connections.
    const big = records(helloMessage('unknown.attack.test', 10_000), 1);
    const beforeBig = proc().cpuMs;
    await pool(Array.from({ length: 40 }, (_, i) => i), 4, () => hello(big, 60));
    result.helloCpuBigTinyUs = ((proc().cpuMs - beforeBig) * 1000) / 40;
    result.helloBigBytes = big.length;
    result.parserInProcess = await parserInProcess(build);
  } finally {
    clearInterval(sampler);
    target.kill('SIGKILL');
    backend.kill('SIGKILL');
  }
  return result;
}

console.log(`proxy attacks, node ${process.version}, load average at start ${loadAverage()}`);
const results = [];
for (const build of builds) {
  const r = await attackBuild(build);
  results.push(r);
  console.log(`\n${build.name} (${build.dist}), load average ${loadAverage()}`);
  console.log(`  slowloris: ${r.slowHeld} of ${SLOW} still open after ${HOLD_S} s (${r.slow408} answered 408)`);
  console.log(`  idle TLS: ${r.idleHeld} of ${r.idleHandshakes} handshaken connections still open after ${HOLD_S} s`);
  console.log(`  flood of ${FLOOD}: ${r.floodHeld} held, ${r.flood503} refused with 503, ${r.floodFailed} failed otherwise; proxy descriptors ${r.fdsDuringFlood}`);
  console.log(`  during the flood: existing keep-alive connection ${r.victimExisting}, new connection ${r.victimNew} (before the flood: ${r.victimBefore})`);
  console.log(`  RSS: ${mb(r.rssStart)} at start, ${mb(r.rssHeld)} holding slow+idle, peak ${mb(r.rssPeak)}, ${mb(r.rssAfter)} after the clients left and a GC (heap used ${r.heapStart === undefined ? '?' : mb(r.heapStart)} at start, ${r.heapAfter === undefined ? '?' : mb(r.heapAfter)} after)`);
  console.log(`  rapid reset: ${r.resetsSent} streams reset in ${(r.resetFloodMs / 1000).toFixed(1)} s${r.resetGoaway ? ', then GOAWAY' : ''}; ${r.resetUpstreamStarted} reached the upstream (${r.resetUpstreamAborted} aborted there); concurrent request median ${r.victimMedianMs.toFixed(0)} ms, max ${r.victimMaxMs.toFixed(0)} ms${r.victimMaxMs >= 30_000 ? ' (gave up at 30 s)' : ''}`);
  console.log(`  ClientHello of 10 KB as 1-byte records (${r.helloBigBytes} B in 60-byte writes): ${r.helloCpuBigTinyUs.toFixed(0)} µs CPU per hello`);
  console.log(`  ClientHello reader in process, 60-byte pieces: ${Object.entries(r.parserInProcess).map(([k, v]) => `${k} ${v.toFixed(0)} µs`).join(', ')}`);
  console.log(`  ClientHello of ${r.helloBytes.whole} B: ${r.helloCpuWholeUs.toFixed(0)} µs CPU as one record, ${r.helloCpuTinyUs.toFixed(0)} µs as 1-byte records (${r.helloBytes.tiny} B) = ${(r.helloCpuTinyUs / r.helloCpuWholeUs).toFixed(2)}x`);
}
if (results.length > 1) {
  const last = results[results.length - 1];
  console.log('\nratios, last build / each earlier build:');
  for (const r of results.slice(0, -1)) {
    console.log(`  vs ${r.build}: RSS after ${(last.rssAfter / r.rssAfter).toFixed(2)}x, peak ${(last.rssPeak / r.rssPeak).toFixed(2)}x; rapid-reset victim max ${(last.victimMaxMs / r.victimMaxMs).toFixed(3)}x; 1-byte-record hello CPU ${(last.helloCpuTinyUs / r.helloCpuTinyUs).toFixed(2)}x (10 KB: ${(last.helloCpuBigTinyUs / r.helloCpuBigTinyUs).toFixed(3)}x; reader in process, 10 KB: ${(last.parserInProcess['10 KB 1-byte records'] / r.parserInProcess['10 KB 1-byte records']).toFixed(4)}x)`);
  }
}
console.log(`\nload average at end ${loadAverage()}`);
console.log(JSON.stringify(results));
fs.rmSync(certDir, { recursive: true, force: true });
process.exit(0);
