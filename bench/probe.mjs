// Probe benchmarks, each against a baseline measured in the same run:
//  1. whole process: `node dist/source/cli.js probe -s URL` vs `curl -s URL`
//     and `node -e ''`, in interleaved rounds, wall and CPU time (bench/child-cpu.mjs);
//  2. in process: probe() (tap, record analysis, TLS 1.3 decryption, undici)
//     vs a bare tls.connect + undici request on a fresh connection.
// The TLS server runs in this process on 127.0.0.1; all loops are bounded in count and time.
// Usage: npm run build && [BENCH_BEFORE=other/dist] node bench/probe.mjs [--runs N] [--inprocess N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import { interleavedRounds, loadAverage, median, p90 } from './child-cpu.mjs';

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

const fmt = (ms) => `${ms.toFixed(2)} ms`;

const curlVersion = spawnSync('curl', ['--version'], { encoding: 'utf8' });
if (curlVersion.status !== 0) {
  console.error('curl is not installed: the whole-process baseline needs it');
  process.exit(1);
}

console.log(`probe bench: node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()}`);
console.log(`${curlVersion.stdout.split('\n')[0]}`);
console.log(`server: node http2 secure server (TLS 1.3, h2) on 127.0.0.1:${port}\n`);

// 1. Whole process: probe, curl, node -e '' (and the probe of another build, BENCH_BEFORE=DIR
// whose DIR/source/cli.js is that build's CLI) in interleaved rounds of BATCH runs each.
const BATCH = 5;
const probeArgs = (cliPath) => [cliPath, 'probe', '-s', '--resolve', resolve, '--cacert', caFile, url];
const targets = [
  { label: 'agw-workshop probe', command: process.execPath, args: probeArgs(cli) },
  ...(process.env.BENCH_BEFORE ? [{ label: 'probe (BENCH_BEFORE)', command: process.execPath, args: probeArgs(path.resolve(process.env.BENCH_BEFORE, 'source/cli.js')) }] : []),
  { label: 'curl', command: 'curl', args: ['-s', '-o', '/dev/null', '--resolve', resolve, '--cacert', caFile, url] },
  { label: "node -e ''", command: process.execPath, args: ['-e', ''] },
];
const results = await interleavedRounds(targets, { rounds: Math.ceil(PROCESS_RUNS / BATCH), batch: BATCH, deadlineMs: TIME_LIMIT_MS });
const node = results.get("node -e ''");
console.log(`whole process (${node.wall.length} runs each, interleaved rounds of ${BATCH}; CPU = user+sys from /proc per round, median over rounds):`);
for (const { label } of targets) {
  const r = results.get(label);
  console.log(`  ${label.padEnd(22)} wall median ${fmt(median(r.wall))}  p90 ${fmt(p90(r.wall))}  CPU ${fmt(median(r.cpu))}`);
}
for (const label of ['agw-workshop probe', ...(process.env.BENCH_BEFORE ? ['probe (BENCH_BEFORE)'] : [])]) {
  const r = results.get(label);
  console.log(`  ${label}: minus node start ${fmt(median(r.wall) - median(node.wall))} wall (target <= 60 ms: ${median(r.wall) - median(node.wall) <= 60 ? 'met' : 'NOT met'}), ${fmt(median(r.cpu) - median(node.cpu))} CPU; ` +
    `${(median(r.wall) / median(node.wall)).toFixed(2)}x node, ${(median(r.wall) / median(results.get('curl').wall)).toFixed(2)}x curl (wall)`);
}
console.log(`  load average at the end ${loadAverage()}`);
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
