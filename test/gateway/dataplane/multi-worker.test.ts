// Multi-worker proxy mode (bench/gateway-workers.mjs measures it): data planes in two
// node:cluster workers open the same port — the primary holds the socket, each worker
// accepts on it — and both serve. Before, every data plane listened `exclusive`, so the
// second worker's port failed with EADDRINUSE.
import test from 'ava';
import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startEchoBackend } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function get(port: number, agent: http.Agent): Promise<{ status: number; worker: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: String(res.headers['x-worker']) }));
    }).on('error', reject);
  });
}

test('two cluster workers serve one port, each accepting connections', async (t) => {
  const backend = await startEchoBackend('backend');
  const port = await freePort();
  cluster.setupPrimary({ exec: path.join(here, 'fixtures', 'cluster-worker.ts'), execArgv: ['--import=tsx'], silent: true });
  // The kernel spreads connections over the workers' accept calls (no round-robin through the primary).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const workers: Worker[] = [cluster.fork({ PORT: String(port), BACKEND_PORT: String(backend.port) }), cluster.fork({ PORT: String(port), BACKEND_PORT: String(backend.port) })];
  t.teardown(() => {
    for (const worker of workers) worker.kill();
    backend.server.close();
  });
  const ready = await Promise.all(workers.map((worker) => new Promise<{ errors: string[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  })));
  t.deepEqual(ready.map((r) => r.errors), [[], []], 'both workers opened the port');

  // Fresh connections until both workers have answered (bounded: 200 connections).
  const seen = new Set<string>();
  for (let i = 0; i < 200 && seen.size < 2; i++) {
    const agent = new http.Agent({ keepAlive: false });
    const response = await get(port, agent);
    t.is(response.status, 200);
    seen.add(response.worker);
    agent.destroy();
  }
  t.deepEqual([...seen].sort(), workers.map((w) => String(w.id)).sort(), 'each worker accepted connections');
});
