// A small raw-JSON client over the KubeConfig's credentials. The generated
// client-node APIs turn timestamps into Date objects while watch events carry
// strings; translation wants the API's JSON exactly, so lists and writes go
// through here and watches through client-node's Watch (raw JSON too).
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export class KubeApi {
  constructor(readonly kubeConfig: KubeConfig) {}

  /** One request; resolves with the parsed body, rejects with KubeApiError for non-2xx answers. */
  async request<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(path, cluster.server.endsWith('/') ? cluster.server : cluster.server + '/');
    const options: https.RequestOptions = { method, headers: { accept: 'application/json' }, timeout: 30_000 };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) Object.assign(options.headers as object, { 'content-type': contentType, 'content-length': String(payload.length) });
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<T>((resolve, reject) => {
      const request = transport.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(parsed as T);
          else reject(new KubeApiError(status, parsed?.reason ?? 'Unknown', `${method} ${path}: ${status} ${parsed?.message ?? text.slice(0, 200)}`));
        });
      });
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: timed out`)));
      request.on('error', reject);
      if (payload) request.write(payload);
      request.end();
    });
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 404;
}
