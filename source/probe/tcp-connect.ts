// TCP to the first address that accepts, in order, as curl tries them.
import net from 'node:net';
import type { ProbeTarget } from './target.js';

export class DnsError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'DnsError';
  }
}

/** The addresses to try: --resolve's, the IP itself, or DNS. */
export async function addressesFor(target: ProbeTarget): Promise<string[]> {
  if (target.resolvedAddresses) return target.resolvedAddresses;
  if (net.isIP(target.connectHost)) return [target.connectHost];
  // Loaded when a name needs DNS: a probe with --resolve or an address (every lab's) never does.
  const dns = await import('node:dns/promises');
  try {
    return (await dns.lookup(target.connectHost, { all: true })).map((a) => a.address);
  } catch (error) {
    throw new DnsError(error as Error);
  }
}

export interface Connected {
  socket: net.Socket;
  address: string;
  ms: number;
}

/**
 * Connects to each address in turn until one accepts. `race` bounds each
 * attempt by the probe's deadline; the last error is thrown when none accepts.
 */
export async function connectFirst(addresses: string[], port: number, race: <T>(p: Promise<T>) => Promise<T>, isAborted: () => boolean): Promise<Connected> {
  let failure: Error | undefined;
  for (const address of addresses) {
    const socket = net.connect({ host: address, port });
    const started = performance.now();
    try {
      await race(
        new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        }),
      );
      socket.setNoDelay(true);
      return { socket, address, ms: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      socket.destroy();
      if (isAborted()) throw error;
      failure = error as Error;
    }
  }
  throw failure ?? new Error('no address to connect to');
}
