// Probe benchmarks, each against a baseline measured in the same run:
//  1. whole process: `node dist/source/cli.js probe -s URL` vs `curl -s URL`
//     (hyperfine when installed, else an interleaved loop timed with hrtime);
//  2. in process: probe() (tap, record analysis, TLS 1.3 decryption, undici)
//     vs a bare tls.connect + undici request on a fresh connection.
// The TLS server runs in this process on 127.0.0.1; all loops are bounded in count and time.
// Usage: npm run build && node bench/probe.mjs [--runs N] [--inprocess N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/source/cli.js');
const { issueCertificate } = await import(path.join(root, 'dist/source/pki/index.js'));
const { probe } = await import(path.join(root, 'dist/source/probe/index.js'));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PROCESS_RUNS = option('--runs', 30);
const INPROCESS_RUNS = option('--inprocess', 300);
const TIME_LIMIT_MS = 120_000;
const HOST = 'mock-openai-foo.glootest.com';

const dir = mkdtempSync(path.join(os.tmpdir(), 'agw-bench-probe-'));
const ca = issueCertificate({ subject: '/O=Solo.io/CN=glootest.com' });
const leaf = issueCertificate({ subject: `/CN=${HOST}`, subjectAltNames: [HOST], issuer: ca });
const caFile = path.join(dir, 'ca.crt');
writeFileSync(caFile, ca.certPem);

const server = http2.createSecureServer({ cert: leaf.certPem, key: leaf.keyPem, allowHTTP1: true }, (request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"ok":true}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const url = `https://${HOST}:${port}/`;
const resolve = `${HOST}:${port}:127.0.0.1`;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const p90 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))];
const fmt = (ms) => `${ms.toFixed(2)} ms`;

// GNU time, when present, adds each process's CPU time (user + sys): on a loaded machine wall time
// mostly measures waiting for a CPU, CPU time what the process itself cost.
const gnuTime = spawnSync('/usr/bin/time', ['-f', '%U %S', 'true'], { encoding: 'utf8' }).status === 0;

function run(command, commandArgs) {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = gnuTime
      ? spawn('/usr/bin/time', ['-f', 'CPU %U %S', command, ...commandArgs], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'ignore'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.once('error', fail);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const cpu = stderr.match(/CPU ([\d.]+) ([\d.]+)/);
      if (code !== 0) fail(new Error(`${command} ${commandArgs.join(' ')} exited ${code}`));
      else done({ ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined });
    });
  });
}

const probeArgs = [cli, 'probe', '-s', '--resolve', resolve, '--cacert', caFile, url];
const curlArgs = ['-s', '-o', '/dev/null', '--resolve', resolve, '--cacert', caFile, url];

const curlVersion = spawnSync('curl', ['--version'], { encoding: 'utf8' });
if (curlVersion.status !== 0) {
  console.error('curl is not installed: the whole-process baseline needs it');
  process.exit(1);
}

// hyperfine cannot reach the in-process server from its own process tree any differently, so it works
// as long as this process keeps serving; it runs asynchronously below.
const hyperfine = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' }).status === 0;

console.log(`probe bench: node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`${curlVersion.stdout.split('\n')[0]}`);
console.log(`server: node http2 secure server (TLS 1.3, h2) on 127.0.0.1:${port}\n`);

// 1. Whole process, interleaved so load changes hit both sides alike.
const ours = [];
const theirs = [];
const oursCpu = [];
const theirsCpu = [];
const deadline = Date.now() + TIME_LIMIT_MS;
if (hyperfine) {
  const exported = path.join(dir, 'hyperfine.json');
  await new Promise((done, fail) => {
    const child = spawn('hyperfine', ['-N', '--warmup', '3', '--runs', String(PROCESS_RUNS), '--export-json', exported,
      `${process.execPath} ${probeArgs.join(' ')}`, `curl ${curlArgs.join(' ')}`], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`hyperfine exited ${code}`))));
  });
  const { results } = JSON.parse((await import('node:fs')).readFileSync(exported, 'utf8'));
  ours.push(...results[0].times.map((s) => s * 1000));
  theirs.push(...results[1].times.map((s) => s * 1000));
} else {
  for (let i = 0; i < 3; i++) {
    await run(process.execPath, probeArgs);
    await run('curl', curlArgs);
  }
  for (let i = 0; i < PROCESS_RUNS && Date.now() < deadline; i++) {
    const a = await run(process.execPath, probeArgs);
    const b = await run('curl', curlArgs);
    ours.push(a.ms);
    theirs.push(b.ms);
    if (a.cpuMs !== undefined) oursCpu.push(a.cpuMs);
    if (b.cpuMs !== undefined) theirsCpu.push(b.cpuMs);
  }
}
const nodeBaseline = [];
const nodeCpu = [];
for (let i = 0; i < Math.min(10, PROCESS_RUNS); i++) {
  const r = await run(process.execPath, ['-e', '']);
  nodeBaseline.push(r.ms);
  if (r.cpuMs !== undefined) nodeCpu.push(r.cpuMs);
}

console.log(`whole process (${ours.length} runs each${hyperfine ? ', hyperfine' : ', interleaved loop'}):`);
console.log(`  agw-workshop probe   median ${fmt(median(ours))}  p90 ${fmt(p90(ours))}`);
console.log(`  curl                 median ${fmt(median(theirs))}  p90 ${fmt(p90(theirs))}`);
console.log(`  node -e ''           median ${fmt(median(nodeBaseline))}  (Node startup alone)`);
console.log(`  ratio probe/curl     ${(median(ours) / median(theirs)).toFixed(2)}x`);
console.log(`  probe minus node startup: ${fmt(median(ours) - median(nodeBaseline))}`);
if (oursCpu.length) {
  console.log(`  CPU time (user+sys, GNU time, 10 ms resolution): probe ${fmt(median(oursCpu))}, curl ${fmt(median(theirsCpu))}, node -e '' ${fmt(median(nodeCpu))}`);
  console.log(median(theirsCpu) >= 10
    ? `  CPU ratio probe/curl ${(median(oursCpu) / median(theirsCpu)).toFixed(1)}x`
    : `  CPU ratio probe/curl: curl used under 10 ms, below GNU time's resolution (no ratio)`);
}
console.log('');

// 2. In process: the probe against a bare TLS + undici request, fresh connection each time.
const ca_ = ca.certPem;
async function bare() {
  const socket = tls.connect({ host: '127.0.0.1', port, servername: HOST, ca: ca_, ALPNProtocols: ['h2', 'http/1.1'] });
  await new Promise((done, fail) => socket.once('secureConnect', done).once('error', fail));
  const client = new Client(`https://${HOST}:${port}`, {
    connect: (_o, cb) => process.nextTick(cb, null, socket),
    allowH2: socket.alpnProtocol === 'h2',
  });
  const response = await client.request({ path: '/', method: 'GET' });
  await response.body.text();
  await client.destroy();
}
async function probed() {
  const result = await probe({ url, resolve: [resolve], caFile, maxTimeMs: 5000 });
  if (result.curlExitCode !== 0) throw new Error(`probe failed: ${result.error}`);
}

const inDeadline = Date.now() + TIME_LIMIT_MS;
for (let i = 0; i < 20; i++) {
  await bare();
  await probed();
}
const probeTimes = [];
const bareTimes = [];
for (let i = 0; i < INPROCESS_RUNS && Date.now() < inDeadline; i++) {
  let t0 = performance.now();
  await probed();
  probeTimes.push(performance.now() - t0);
  t0 = performance.now();
  await bare();
  bareTimes.push(performance.now() - t0);
}
console.log(`in process, loopback, fresh TLS 1.3 + h2 connection per request (${probeTimes.length} runs each):`);
console.log(`  probe()                    median ${fmt(median(probeTimes))}  p90 ${fmt(p90(probeTimes))}`);
console.log(`  tls.connect + undici       median ${fmt(median(bareTimes))}  p90 ${fmt(p90(bareTimes))}`);
console.log(`  ratio probe/bare           ${(median(probeTimes) / median(bareTimes)).toFixed(2)}x`);

server.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
