// Raw HTTPS requests to the embedded API (real TLS against its CA), for the
// cases kubectl never sends: malformed bodies, missing tokens, watches.
import https from 'node:https';
import type { TestCluster } from '../../helpers/cluster.js';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function request(
  cluster: TestCluster,
  method: string,
  path: string,
  options: { body?: string | Buffer; contentType?: string; accept?: string; token?: string | null } = {},
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
    const token = options.token === undefined ? cluster.token : options.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      // Node's client sends DELETE bodies without framing unless told the length.
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    const req = https.request(`${cluster.apiUrl}${path}`, { method, ca: cluster.caPem, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Creates a namespace with a raw POST (no kubectl); throws unless the API answers 201. */
export async function createNamespace(cluster: TestCluster, name: string): Promise<void> {
  const ns = await request(cluster, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) });
  if (ns.status !== 201) throw new Error(`namespace create answered ${ns.status}: ${ns.text}`);
}

/** Opens a watch and collects events until `until` says stop (bounded by `timeoutMs`). */
export function collectWatch(
  cluster: TestCluster,
  path: string,
  until: (events: { type: string; object: any }[]) => boolean, // eslint-disable-line @typescript-eslint/no-explicit-any
  timeoutMs = 10_000,
  onOpen?: () => void,
): Promise<{ type: string; object: any }[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const events: { type: string; object: any }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    let buffer = '';
    const req = https.request(`${cluster.apiUrl}${path}`, { ca: cluster.caPem, headers: { Authorization: `Bearer ${cluster.token}` } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${path} answered ${res.statusCode}`));
        return;
      }
      onOpen?.();
      res.on('data', (c: Buffer) => {
        buffer += c.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
        if (until(events)) {
          clearTimeout(timer);
          req.destroy();
          resolve(events);
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(events);
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`watch ${path}: condition not met in ${timeoutMs} ms; events: ${JSON.stringify(events.map((e) => `${e.type} ${e.object?.metadata?.name}`))}`));
    }, timeoutMs);
    req.on('error', (error) => {
      if (!(error as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) reject(error);
    });
    req.end();
  });
}
