// Our gateway's data plane (from dist/) with the SNI lab's two HTTPS
// listeners on one port, routing to the bench backend. The access log goes
// to a file, as a pod's stdout would.
// Usage: node gateway-target.mjs <backendPort> <certDir> <fooName> <barName> <port> <accessLogFile>. Prints "ready <port>".
import fs from 'node:fs';
import path from 'node:path';
import { Dataplane } from '../dist/gateway/dataplane/index.js';

const [backendPort, dir, fooName, barName, port, logFile] = process.argv.slice(2);
const out = fs.createWriteStream(logFile);
const dataplane = new Dataplane({ bindAddress: '127.0.0.1', accessLog: (line) => out.write(`${line}\n`), log: () => undefined });
const certificate = (name) => ({ source: `bench/${name}`, certPem: fs.readFileSync(path.join(dir, `${name}.crt`), 'utf8'), keyPem: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8') });
const backend = { kind: 'service', id: 'bench/backend:80', endpoints: [{ address: '127.0.0.1', port: Number(backendPort) }], protocol: 'http1' };
const listener = (name) => ({
  name,
  protocol: 'HTTPS',
  hostname: name,
  tls: { mode: 'Terminate', certificates: [certificate(name)], alpnProtocols: ['h2', 'http/1.1'] },
  routes: [
    {
      id: `bench/${name}/0/0`,
      route: { namespace: 'bench', name },
      hostnames: [name],
      match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
      filters: [],
      backends: [{ weight: 1, backend }],
      timeouts: { requestMs: 120_000 },
      policies: {},
    },
  ],
  tlsRoutes: [],
});
await dataplane.update({
  gateway: { namespace: 'bench', name: 'gateway' },
  version: 'bench-1',
  ports: [{ port: Number(port), transport: 'tls', listeners: [listener(fooName), listener(barName)] }],
});
process.stdout.write(`ready ${port}\n`);
process.on('SIGTERM', () => process.exit(0));
