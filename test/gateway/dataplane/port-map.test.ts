// A listener port below 1024 that the process may not bind (EACCES: not
// root) is served on port+8000 — loudly: a WARNING in the log, port_map on
// every access log line, and the map handed to onPortMap (which the proxy
// records on its Pod). The data plane runs as user nobody to get a real EACCES.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataplaneJs = path.join(root, 'dist', 'gateway', 'dataplane', 'index.js');
let child: ChildProcess | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-portmap-'));

test.after.always(() => {
  child?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('a privileged port that cannot be bound is served on port+8000, loudly', async (t) => {
  if (!fs.existsSync(dataplaneJs)) throw new Error(`${dataplaneJs} is missing: build first (npx tsc -p tsconfig.json)`);
  if (process.getuid?.() !== 0) throw new Error('this test drops to user nobody to get a real EACCES, which needs root; run the suite as root');
  let low = 0;
  for (let attempt = 0; attempt < 50 && !low; attempt++) {
    const candidate = 900 + Math.floor(Math.random() * 120);
    if ((await portFree(candidate)) && (await portFree(candidate + 8000))) low = candidate;
  }
  t.true(low > 0, 'found a free port pair');
  const script = path.join(dir, 'run.mjs');
  fs.writeFileSync(
    script,
    `import { Dataplane } from ${JSON.stringify(dataplaneJs)};
const dp = new Dataplane({ bindAddress: '127.0.0.1', accessLog: (l) => console.log('access ' + l), log: (m) => console.log('log ' + m), onPortMap: (m) => console.log('portmap ' + JSON.stringify(m)) });
const result = await dp.update({ gateway: { namespace: 'ns', name: 'gw' }, version: 'v1', ports: [{ port: ${low}, transport: 'http', listeners: [{ name: 'http', protocol: 'HTTP', routes: [{ id: 'ns/r/0/0', route: { namespace: 'ns', name: 'r' }, hostnames: [], match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }, filters: [], backends: [], directResponse: { status: 200, body: 'mapped' }, timeouts: {}, policies: {} }], tlsRoutes: [] }] }] });
console.log('ready ' + JSON.stringify(result.ports));
`,
  );
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(script, 0o644);
  child = spawn(process.execPath, [script], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let out = '';
  let err = '';
  const waitFor = (re: RegExp, timeoutMs = 10_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
      const check = () => {
        const m = re.exec(out);
        if (m) {
          clearTimeout(timer);
          child!.stdout!.off('data', check);
          resolve(m);
        }
      };
      child!.stdout!.on('data', (d: Buffer) => {
        out += d;
        check();
      });
      check();
    });
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const ready = await waitFor(/ready (.*)/);
  t.deepEqual(JSON.parse(ready[1]), [{ port: low, actualPort: low + 8000, transport: 'http', mapped: true }]);
  t.regex(out, new RegExp(`log WARNING port ${low} could not be bound \\(EACCES`));
  t.regex(out, new RegExp(`portmap \\{"${low}":${low + 8000}\\}`));
  const body = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: low + 8000, path: '/hello', agent: false }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  t.is(body, 'mapped');
  const access = await waitFor(/access (.*path=\/hello.*)/);
  t.regex(access[1], new RegExp(`port=${low} port_map=${low}->${low + 8000}`));
});
