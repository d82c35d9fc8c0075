// Binding a listener port. A port below 1024 that this process may not bind
// (EACCES: not root, no CAP_NET_BIND_SERVICE) is served on port+8000 instead —
// loudly: the caller logs it, puts it in every access log line and records it
// on the proxy's Pod. Any other bind failure is an error.
import cluster from 'node:cluster';
import type net from 'node:net';
import { listen as listenOn } from '../../source/common/listen.js';

export const MAPPED_PORT_OFFSET = 8000;

export interface BoundPort {
  port: number;
  actualPort: number;
  mapped: boolean;
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  // In a node:cluster worker (multi-worker proxy mode), the primary holds the listening socket
  // and every worker accepts on it (shared handle; Node 20 has no `reusePort`, added in 22.12).
  // Alone, the process owns its socket.
  return listenOn(server, { host, port, exclusive: !cluster.isWorker, backlog: 1024 });
}

export async function bindPort(server: net.Server, host: string, port: number): Promise<BoundPort> {
  try {
    return { port, actualPort: await listen(server, host, port), mapped: false };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' || port >= 1024 || port === 0) {
      throw new Error(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
    }
    const fallback = port + MAPPED_PORT_OFFSET;
    try {
      return { port, actualPort: await listen(server, host, fallback), mapped: true };
    } catch (second) {
      throw new Error(`cannot listen on ${host}:${port} (${code}) nor on the mapped port ${fallback}: ${(second as Error).message}`);
    }
  }
}
