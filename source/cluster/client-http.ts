// A small Kubernetes client over node:https for kubeconfigs that need nothing
// more than a server, a CA and a bearer token or client certificate (the
// embedded cluster's, kind's, k3d's). It exists for start-up time: loading
// @kubernetes/client-node costs ~0.8 s per command (its index pulls in every
// generated API), which dominated `run` and `cleanup`. Anything fancier
// (exec plugins, auth providers) goes to the client-node backend.
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { parse } from 'yaml';
import type { ApplyAction, ClusterClient, KubeObject, ObjectRef, WaitOptions } from './client.js';

export interface SimpleKubeconfig {
  server: string;
  context: string;
  ca?: Buffer;
  insecure: boolean;
  token?: string;
  cert?: Buffer;
  key?: Buffer;
}

type Named<T> = { name: string } & T;
interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

const SIMPLE_USER_FIELDS = new Set(['token', 'tokenFile', 'client-certificate-data', 'client-key-data', 'client-certificate', 'client-key']);

function fileOrData(data: unknown, file: unknown): Buffer | undefined {
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  if (typeof file === 'string') return fs.readFileSync(file);
  return undefined;
}

/** Reads a kubeconfig the small client can serve; undefined when it needs client-node (exec, auth-provider, …). */
export function readSimpleKubeconfig(file: string, contextName?: string): SimpleKubeconfig | undefined {
  let doc: KubeconfigFile;
  try {
    doc = parse(fs.readFileSync(file, 'utf8')) as KubeconfigFile;
  } catch {
    return undefined;
  }
  const name = contextName ?? doc['current-context'];
  const context = doc.contexts?.find((c) => c.name === name)?.context;
  const cluster = doc.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!name || !cluster || typeof cluster.server !== 'string') return undefined;
  if (Object.keys(user).some((k) => !SIMPLE_USER_FIELDS.has(k))) return undefined;
  const token = typeof user.token === 'string' ? user.token : typeof user.tokenFile === 'string' ? fs.readFileSync(user.tokenFile, 'utf8').trim() : undefined;
  return {
    server: cluster.server.replace(/\/$/, ''),
    context: name,
    ca: fileOrData(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    token,
    cert: fileOrData(user['client-certificate-data'], user['client-certificate']),
    key: fileOrData(user['client-key-data'], user['client-key']),
  };
}

export class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

const POLL_MS = 100;

export class HttpClusterClient implements ClusterClient {
  private readonly agent: http.Agent;
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo>>>();
  private serverSideApply = true;

  constructor(private readonly config: SimpleKubeconfig) {
    this.agent = config.server.startsWith('https:')
      ? new https.Agent({ keepAlive: true, ca: config.ca, cert: config.cert, key: config.key, rejectUnauthorized: !config.insecure })
      : new http.Agent({ keepAlive: true });
  }

  get server(): string {
    return this.config.server;
  }

  get context(): string {
    return this.config.context;
  }

  private request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
    const url = new URL(this.config.server + path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    if (payload) Object.assign(headers, { 'content-type': contentType, 'content-length': String(payload.length) });
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text for the error message
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer after 30 s`)));
      req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(`${method} ${url.origin}${path}: ${error.code ?? error.message}`)));
      req.end(payload);
    });
  }

  private async call(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const { status, json } = await this.request(method, path, body, contentType);
    if (status >= 200 && status < 300) return json;
    const message = (json as { message?: string } | undefined)?.message ?? (typeof json === 'string' && json ? json.slice(0, 200) : `HTTP ${status}`);
    throw new HttpError(status, `${message} (HTTP ${status})`);
  }

  private resources(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    let found = this.discovery.get(apiVersion);
    if (!found) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.call('GET', path).then((list) => {
        const map = new Map<string, ResourceInfo>();
        for (const r of (list as { resources?: { name: string; kind: string; namespaced: boolean }[] }).resources ?? []) {
          if (!r.name.includes('/')) map.set(r.kind, { plural: r.name, namespaced: r.namespaced });
        }
        return map;
      });
      found.catch(() => this.discovery.delete(apiVersion));
      this.discovery.set(apiVersion, found);
    }
    return found;
  }

  private async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const info = (await this.resources(apiVersion)).get(kind);
    if (!info) throw new HttpError(404, `the server does not serve ${kind} in ${apiVersion}`);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return info.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}` : `${base}/${info.plural}`;
  }

  private async itemPath(ref: ObjectRef): Promise<string> {
    return `${await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  }

  async version(): Promise<string> {
    try {
      return ((await this.call('GET', '/version')) as { gitVersion: string }).gitVersion;
    } catch (error) {
      throw new Error(`cannot reach the Kubernetes API at ${this.config.server}: ${(error as Error).message}`);
    }
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.call('GET', await this.itemPath(ref))) as KubeObject;
    } catch (error) {
      if ((error as HttpError).code === 404) return undefined;
      throw new Error(`get ${describe(ref)}: ${(error as Error).message}`);
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const list = (await this.call('GET', `${await this.collectionPath(apiVersion, kind, namespace)}${query}`)) as { items?: KubeObject[] };
    return (list.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
  }

  async apply(object: KubeObject): Promise<{ object: KubeObject; action: ApplyAction }> {
    const ref = refOf(object);
    try {
      const before = await this.get(ref);
      let after: KubeObject | undefined;
      if (this.serverSideApply) {
        try {
          after = (await this.call('PATCH', `${await this.itemPath(ref)}?fieldManager=agw-workshop&force=true`, object, 'application/apply-patch+yaml')) as KubeObject;
        } catch (error) {
          const code = (error as HttpError).code;
          if (code !== 415 && code !== 405) throw error;
          this.serverSideApply = false; // not served here: create / merge-patch from now on
        }
      }
      if (!after) {
        after = before
          ? ((await this.call('PATCH', `${await this.itemPath(ref)}?fieldManager=agw-workshop`, object, 'application/merge-patch+json')) as KubeObject)
          : ((await this.call('POST', `${await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace)}?fieldManager=agw-workshop`, object)) as KubeObject);
      }
      const action: ApplyAction = !before ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'configured';
      return { object: after, action };
    } catch (error) {
      throw new Error(`apply ${describe(ref)}: ${(error as Error).message}`);
    }
  }

  async replace(object: KubeObject): Promise<KubeObject> {
    const ref = refOf(object);
    // A controller writing status between our read and our write makes the write conflict (409): read again, bounded.
    for (let attempt = 1; ; attempt++) {
      try {
        const current = await this.get(ref);
        if (!current) return (await this.call('POST', `${await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace)}?fieldManager=agw-workshop`, object)) as KubeObject;
        const next: Record<string, unknown> = { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } };
        if (current.status !== undefined && next.status === undefined) next.status = current.status;
        return (await this.call('PUT', `${await this.itemPath(ref)}?fieldManager=agw-workshop`, next)) as KubeObject;
      } catch (error) {
        const code = (error as HttpError).code;
        if ((code === 409 || code === 404) && attempt < 5) continue;
        throw new Error(`replace ${describe(ref)}: ${(error as Error).message}`);
      }
    }
  }

  async delete(ref: ObjectRef): Promise<'deleted' | 'not-found'> {
    try {
      await this.call('DELETE', await this.itemPath(ref), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
      return 'deleted';
    } catch (error) {
      if ((error as HttpError).code === 404) return 'not-found';
      throw new Error(`delete ${describe(ref)}: ${(error as Error).message}`);
    }
  }

  async waitFor(ref: ObjectRef, done: (object: KubeObject | undefined) => boolean, options: WaitOptions): Promise<KubeObject | undefined> {
    const deadline = Date.now() + options.timeoutMs;
    let last: KubeObject | undefined;
    for (let i = 0; i < Math.ceil(options.timeoutMs / POLL_MS) + 2; i++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      last = await this.get(ref);
      if (done(last)) return last;
      options.onPoll?.(last);
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    }
    const error = new Error(`timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${describe(ref)}`);
    (error as Error & { lastSeen?: KubeObject }).lastSeen = last;
    throw error;
  }

  /** Lets the process exit: keep-alive sockets would hold it open. */
  close(): void {
    this.agent.destroy();
  }
}

function refOf(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
