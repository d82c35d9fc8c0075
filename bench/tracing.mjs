// CPU cost of one request span, isolated from the proxying: RequestTracing
// (gateway/tracing) begins and finishes N spans on request/response stand-ins
// carrying the attributes a real request has, with the real BatchSpanProcessor
// and OTLP/HTTP exporter sending to the trace workload, then flushes. The
// figure is process CPU time (user+system) per span, which other load on the
// machine disturbs far less than wall time; compare it with the proxy's CPU
// per request from gateway.mjs; and what a request over the traces-per-second
// cap costs (sampled out). Env: BENCH_SPANS (default 20000).
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { otlpHttpExporter, RequestTracing } = await import(path.join(root, 'dist/gateway/tracing/request-tracing.js'));
const SPANS = Math.max(1000, Math.min(200_000, Number(process.env.BENCH_SPANS ?? 20_000)));

const freePort = () => new Promise((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const [q, g, h] = [await freePort(), await freePort(), await freePort()];
const collector = spawn(process.execPath, [path.join(root, 'dist/source/cli.js'), 'workload', 'jaeger', '--memory.max-traces=1000'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AGW_PORT_MAP: `16686:${q},4317:${g},4318:${h}` } });
process.on('exit', () => collector.kill('SIGKILL'));
await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error(`collector did not start: ${out}`)), 15_000);
  collector.stdout.on('data', (d) => { out += d; if ((out.match(/listening on/g) ?? []).length >= 3) { clearTimeout(timer); resolve(); } });
});

function exchange(i) {
  const res = new EventEmitter();
  return {
    res,
    route: { id: 'bench/route/0/0', match: { path: { type: 'PathPrefix', value: '/' } } },
    req: { headers: { 'user-agent': 'wrk' }, httpVersion: '1.1', httpVersionMajor: 1, socket: { remoteAddress: '127.0.0.1' } },
    entry: { time: '', port: 8443, sni: 'mock-openai-foo.glootest.com', listener: 'foo', proto: 'HTTP/1.1', method: 'GET', host: 'mock-openai-foo.glootest.com', path: `/r${i % 10}`, flags: [], route: 'bench/foo/0/0', upstream: '127.0.0.1:8000', status: 200, durationMs: 0.4 },
    observer: undefined,
  };
}

async function run(label, traced, maxTracesPerSecond = Infinity) {
  let exported = 0;
  const inner = otlpHttpExporter(`http://127.0.0.1:${h}/v1/traces`);
  // Without a traces-per-second cap (Infinity) this measures what one span costs.
  const tracing = new RequestTracing({ maxTracesPerSecond, exporter: { export: (spans, done) => inner.export(spans, (r) => { if (r.code === 0) exported += spans.length; done(r); }), shutdown: () => inner.shutdown(), forceFlush: () => inner.forceFlush() } });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // Batches of 200 per event-loop turn, as requests arrive: the BatchSpanProcessor's timers and exports run in between.
  for (let i = 0; i < SPANS; i += 200) {
    for (let j = i; j < Math.min(SPANS, i + 200); j++) {
      const ex = exchange(j);
      if (traced) tracing.begin(ex);
      ex.res.emit('close');
    }
    await new Promise((resolve) => setImmediate(resolve));
    // Keep within the bounded queue (2048) so every span is exported, as under a proxy's steady load.
    if (traced && i % 1000 === 800) await tracing.flush().catch(() => undefined);
  }
  await tracing.flush().catch(() => undefined);
  const cpu = process.cpuUsage(cpu0);
  const ms = (cpu.user + cpu.system) / 1000;
  await tracing.shutdown();
  console.log(`${label.padEnd(10)} ${SPANS} requests: CPU ${ms.toFixed(0)} ms (${((ms * 1000) / SPANS).toFixed(1)} µs per request), wall ${(performance.now() - t0).toFixed(0)} ms, spans exported ${exported}`);
  return ms / SPANS;
}

console.log(`tracing bench: node ${process.version}`);
await run('warm-up', true);
const off = await run('no spans', false);
const on = await run('spans', true);
const over = await run('over cap', true, 0);
console.log(`CPU per span: ${((on - off) * 1000).toFixed(1)} µs (exporting included). With the proxy's CPU per keep-alive request from gateway.mjs (C µs), throughput with tracing ≈ C / (C + ${((on - off) * 1000).toFixed(1)}).`);
console.log(`CPU per request over the traces-per-second cap (the sampler says no): ${((over - off) * 1000).toFixed(1)} µs.`);
collector.kill('SIGTERM');
