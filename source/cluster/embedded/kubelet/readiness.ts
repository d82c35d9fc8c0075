// Is a container ready? Its readinessProbe (httpGet or tcpSocket) when it has
// one; otherwise every declared TCP containerPort (or, with none declared, the
// ports its image is known to listen on) accepts a connection on the pod IP; a
// container with neither is ready while its process is alive.
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { impliedPorts } from './images.js';
import { effectivePort } from './port-map.js';

interface ProbePort { port: number | string }
export interface ReadinessProbe {
  httpGet?: ProbePort & { path?: string; scheme?: 'HTTP' | 'HTTPS'; host?: string; httpHeaders?: Array<{ name: string; value: string }> };
  tcpSocket?: ProbePort & { host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
}
export interface ProbedContainer {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  readinessProbe?: ReadinessProbe;
}

export interface ProbeTarget {
  host: string;
  portMap: Map<number, number>;
  privileged: boolean;
}

const PROBE_TIMEOUT_MS = 1000;

function resolvePort(container: ProbedContainer, port: number | string, target: ProbeTarget): number {
  let number: number | undefined;
  if (typeof port === 'number') number = port;
  else if (/^\d+$/.test(port)) number = Number(port);
  else number = container.ports?.find((p) => p.name === port)?.containerPort;
  if (number === undefined) throw new Error(`probe port "${port}" is not a declared port of container "${container.name}"`);
  return effectivePort(number, target.portMap, target.privileged);
}

export function tcpConnects(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function httpSucceeds(url: URL, headers: Record<string, string>, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    // The kubelet does not verify the certificate of an HTTPS probe either.
    const request = client.get(url, { headers, timeout: timeoutMs, rejectUnauthorized: false }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

/** One readiness check. `explicit` says whether the container declared a probe (else: ports, else alive). */
export async function checkReadiness(container: ProbedContainer, target: ProbeTarget): Promise<boolean> {
  const probe = container.readinessProbe;
  if (probe?.httpGet) {
    const port = resolvePort(container, probe.httpGet.port, target);
    const scheme = probe.httpGet.scheme === 'HTTPS' ? 'https' : 'http';
    const url = new URL(`${scheme}://${target.host}:${port}${probe.httpGet.path ?? '/'}`);
    const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return httpSucceeds(url, headers, (probe.timeoutSeconds ?? 1) * 1000);
  }
  if (probe?.tcpSocket) {
    return tcpConnects(target.host, resolvePort(container, probe.tcpSocket.port, target), (probe.timeoutSeconds ?? 1) * 1000);
  }
  const declared = (container.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
  // An image that listens on ports its pod need not declare (coredns on 53) is ready once it does.
  const ports = declared.length ? declared : impliedPorts(container);
  if (ports.length === 0) return true;
  const results = await Promise.all(ports.map((p) => tcpConnects(target.host, effectivePort(p, target.portMap, target.privileged))));
  return results.every(Boolean);
}

/** Whether the container keeps being probed after it first became ready (only with an explicit probe). */
export function probesContinuously(container: ProbedContainer): boolean {
  return Boolean(container.readinessProbe?.httpGet || container.readinessProbe?.tcpSocket);
}
