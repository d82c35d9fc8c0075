// How a workload binds, whatever image it stands in for: on the pod's own
// address (AGW_POD_IP) and on the port it was configured with, unless the
// kubelet remapped that port (AGW_PORT_MAP, e.g. 443→8443 without root),
// which is then said in the log, never hidden.
import type net from 'node:net';
import path from 'node:path';
import { effectivePort } from '../../cluster/embedded/kubelet/port-map.js';
import { parsePortMap, PORT_MAP_ENV } from '../../cluster/port-map-annotation.js';
import { listen } from '../../common/listen.js';

export function bindHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.AGW_POD_IP || '127.0.0.1';
}

export function isPrivileged(): boolean {
  return process.getuid?.() === 0;
}

/** The port really bound for a configured port. */
export function listenPort(port: number, env: NodeJS.ProcessEnv = process.env): number {
  return effectivePort(port, parsePortMap(env[PORT_MAP_ENV]), isPrivileged());
}

/** Where a path inside a mounted volume really is (the kubelet writes mounts under its state dir). */
export function mountedPath(file: string, env: NodeJS.ProcessEnv = process.env): string {
  let mounts: Record<string, string> = {};
  try {
    mounts = JSON.parse(env.AGW_MOUNTS ?? '{}') as Record<string, string>;
  } catch {
    return file;
  }
  const match = Object.keys(mounts)
    .filter((mountPath) => file === mountPath || file.startsWith(`${mountPath}/`))
    .sort((a, b) => b.length - a.length)[0];
  return match ? path.join(mounts[match]!, file.slice(match.length)) : file;
}

/** Listens and logs where; rejects with a message naming the address when the bind fails. */
export async function listenOn(server: net.Server, port: number, what: string, log: (line: string) => void = console.log): Promise<{ host: string; port: number }> {
  const host = bindHost();
  const actual = listenPort(port);
  let bound: number;
  try {
    bound = await listen(server, { port: actual, host });
  } catch (error) {
    throw new Error(`${what}: cannot listen on ${host}:${actual}: ${(error as Error).message}`);
  }
  log(`${what}: listening on ${host}:${bound}${bound !== port ? ` (configured port ${port})` : ''}`);
  return { host, port: bound };
}

/** Runs until SIGTERM/SIGINT, then closes (bounded) and returns the exit code. */
export function untilSignal(close: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      console.log(`received ${signal}, shutting down`);
      const timer = setTimeout(() => resolve(0), 2000);
      timer.unref();
      close().then(() => resolve(0), () => resolve(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

export function closeServer(server: net.Server & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
