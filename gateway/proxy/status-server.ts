// The proxy's readiness endpoint, on a fixed status port like Istio's 15021.
// The Deployment's readiness probe points here instead of at a listener port,
// so the pod template does not change when listeners do: a listener added or
// removed is a hot swap in the running proxy, never a rollout to a new pod.
// Ready means "the current configuration is applied and all its ports are open".
import http from 'node:http';
import { PORT_MAP_ENV } from '../../source/cluster/port-map-annotation.js';

export const PROXY_STATUS_PORT = 15021;
export const READINESS_PATH = '/healthz/ready';

export interface Readiness {
  ready: boolean;
  reason: string;
}

/**
 * The port to bind: the status port, unless the cluster mapped it (AGW_PORT_MAP
 * "15021:40123", set where pods share 127.0.0.1 and need unique ports).
 */
export function statusPort(portMapEnv: string | undefined = process.env[PORT_MAP_ENV]): number {
  for (const entry of (portMapEnv ?? '').split(',')) {
    const match = /^\s*(\d+):(\d+)\s*$/.exec(entry);
    if (match && Number(match[1]) === PROXY_STATUS_PORT) return Number(match[2]);
  }
  return PROXY_STATUS_PORT;
}

export function startStatusServer(host: string, port: number, readiness: () => Readiness, log: (line: string) => void): { close(): Promise<void> } {
  const server = http.createServer((request, response) => {
    if (request.url !== READINESS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`only ${READINESS_PATH} is served here\n`);
      return;
    }
    const state = readiness();
    response.writeHead(state.ready ? 200 : 503, { 'content-type': 'text/plain' }).end(`${state.reason}\n`);
  });
  server.on('error', (error) => log(`ERROR status server on ${host}:${port}: ${error.message} (the pod will not become Ready)`));
  server.listen({ host, port });
  server.unref();
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
