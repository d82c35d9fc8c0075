// Shared fixtures for the data plane tests: the SNI lab's certificates, IR
// builders, loopback backends, and real curl/openssl runs.
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueCertificate, type IssuedCertificate } from '../../../source/pki/index.js';
import type {
  BackendIR,
  CertificateIR,
  GatewayIR,
  HttpFilterIR,
  HttpMatchIR,
  HttpRouteEntryIR,
  ListenerIR,
  PortIR,
  RoutePoliciesIR,
  WeightedBackendIR,
} from '../../../gateway/ir/types.js';
import { Dataplane, type DataplaneOptions } from '../../../gateway/dataplane/index.js';
import { parseLogfmt } from '../../../gateway/dataplane/access-log.js';
import { run, type CommandResult } from '../../helpers/cluster.js';

export const FOO = 'mock-openai-foo.glootest.com';
export const BAR = 'mock-openai-bar.glootest.com';
export const BAZ = 'mock-openai-baz.glootest.com';

export interface LabPki {
  ca: IssuedCertificate;
  foo: IssuedCertificate;
  bar: IssuedCertificate;
  dir: string;
  caFile: string;
  cleanup(): void;
}

/** The SNI lab's CA and two server certificates, written where curl can read the CA. */
export function labPki(): LabPki {
  const ca = issueCertificate({ subject: '/O=Solo.io/CN=glootest.com' });
  const foo = issueCertificate({ subject: `/CN=${FOO}/O=mock-openai organization`, subjectAltNames: [FOO], issuer: ca, serial: 0 });
  const bar = issueCertificate({ subject: `/CN=${BAR}/O=solo.io`, subjectAltNames: [BAR], issuer: ca, serial: 1 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agw-dp-'));
  const caFile = path.join(dir, 'glootest.com.crt');
  writeFileSync(caFile, ca.certPem);
  return { ca, foo, bar, dir, caFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function cert(source: string, issued: IssuedCertificate): CertificateIR {
  return { source, certPem: issued.certPem, keyPem: issued.keyPem };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function service(id: string, port: number, extra: Partial<Extract<BackendIR, { kind: 'service' }>> = {}): BackendIR {
  return { kind: 'service', id, endpoints: [{ address: '127.0.0.1', port }], protocol: 'http1', ...extra };
}

export function route(id: string, opts: {
  hostnames?: string[];
  path?: HttpMatchIR['path'];
  method?: string;
  headers?: HttpMatchIR['headers'];
  queryParams?: HttpMatchIR['queryParams'];
  filters?: HttpFilterIR[];
  backends?: WeightedBackendIR[];
  backend?: BackendIR;
  directResponse?: { status: number; body?: string };
  requestMs?: number;
  policies?: RoutePoliciesIR;
}): HttpRouteEntryIR {
  const [ns, name] = id.split('/');
  return {
    id,
    route: { namespace: ns ?? 'default', name: name ?? id },
    hostnames: opts.hostnames ?? [],
    match: {
      path: opts.path ?? { type: 'PathPrefix', value: '/' },
      method: opts.method,
      headers: opts.headers ?? [],
      queryParams: opts.queryParams ?? [],
    },
    filters: opts.filters ?? [],
    backends: opts.backends ?? (opts.backend ? [{ weight: 1, backend: opts.backend }] : []),
    directResponse: opts.directResponse,
    timeouts: { requestMs: opts.requestMs },
    policies: opts.policies ?? {},
  };
}

export function httpsListener(name: string, hostname: string | undefined, certificate: CertificateIR | CertificateIR[], routes: HttpRouteEntryIR[], extra: Partial<ListenerIR> = {}): ListenerIR {
  return {
    name,
    protocol: 'HTTPS',
    hostname,
    tls: { mode: 'Terminate', certificates: Array.isArray(certificate) ? certificate : [certificate], alpnProtocols: ['h2', 'http/1.1'] },
    routes,
    tlsRoutes: [],
    ...extra,
  };
}

export function httpListener(name: string, hostname: string | undefined, routes: HttpRouteEntryIR[]): ListenerIR {
  return { name, protocol: 'HTTP', hostname, routes, tlsRoutes: [] };
}

let versionCounter = 0;
export function gatewayIR(ports: PortIR[]): GatewayIR {
  return { gateway: { namespace: 'agentgateway-system', name: 'agentgateway-proxy' }, version: `test-${++versionCounter}`, ports };
}

/** A data plane whose access log lines are kept for assertions. */
export function startDataplane(options: Partial<DataplaneOptions> = {}): { dataplane: Dataplane; lines: string[]; logs: string[]; waitForLine(pred: (fields: Record<string, string>) => boolean, timeoutMs?: number): Promise<Record<string, string>> } {
  const lines: string[] = [];
  const logs: string[] = [];
  const waiters: { pred: (f: Record<string, string>) => boolean; resolve: (f: Record<string, string>) => void }[] = [];
  const dataplane = new Dataplane({
    bindAddress: '127.0.0.1',
    accessLog: (line) => {
      lines.push(line);
      const fields = parseLogfmt(line);
      for (const w of [...waiters]) if (w.pred(fields)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(fields);
      }
    },
    log: (m) => logs.push(m),
    ...options,
  });
  const waitForLine = (pred: (f: Record<string, string>) => boolean, timeoutMs = 5000) => {
    for (const line of lines) {
      const f = parseLogfmt(line);
      if (pred(f)) return Promise.resolve(f);
    }
    return new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no access log line matched within ${timeoutMs} ms; lines:\n${lines.join('\n')}`)), timeoutMs);
      waiters.push({ pred, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  };
  return { dataplane, lines, logs, waitForLine };
}

/** A backend that answers JSON describing the request it received. */
export function startEchoBackend(name: string): Promise<{ port: number; server: http.Server; requests: { path: string; headers: http.IncomingHttpHeaders; body: string }[] }> {
  const requests: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/slow')) {
        setTimeout(() => res.end('slow\n'), 2000).unref();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-backend', name);
      res.end(JSON.stringify({ backend: name, method: req.method, path: req.url, headers: req.headers, body }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, server, requests })));
}

export type RunResult = CommandResult;

/** Runs a real program (test/helpers/cluster.ts run); says clearly when it is missing instead of passing. */
export function runTool(cmd: string, args: string[], input?: string, timeoutMs = 20_000): Promise<RunResult> {
  return run(cmd, args, { input, timeoutMs });
}

export function curl(host: string, port: number, caFile: string, urlPath = '/', extra: string[] = []): Promise<RunResult> {
  return runTool('curl', ['-sS', '-v', '--max-time', '10', '--resolve', `${host}:${port}:127.0.0.1`, '--cacert', caFile, ...extra, `https://${host}:${port}${urlPath}`]);
}
