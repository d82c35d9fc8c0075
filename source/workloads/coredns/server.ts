// The DNS server: one UDP socket and one TCP listener on the same address and
// port (RFC 7766: TCP is required, and a truncated UDP answer sends the
// client there). Every message goes through `respond`, which never throws:
// a message whose header cannot be read is dropped, a malformed query gets
// FORMERR, a response sent to us is dropped (no reflection).
import dgram from 'node:dgram';
import net from 'node:net';
import { CLASSIC_UDP_SIZE, DnsFormatError, EDNS_UDP_SIZE, encodeResponse, errorResponse, parseQuery, RCODE } from './message.js';
import { answerQuery, type ZoneTable } from './records.js';

export type Transport = 'udp' | 'tcp';

/** TCP connections idle longer than this are closed (RFC 7766 §6.2.3 suggests seconds). */
const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 256;

export interface QueryLog {
  (line: { transport: Transport; client: string; name?: string; type?: number; rcode?: number; answers?: number; error?: string }): void;
}

/** The bytes to send back for one received message, or undefined to send nothing. */
export function respond(message: Uint8Array, transport: Transport, table: ZoneTable, log?: (entry: Parameters<QueryLog>[0]) => void, client = ''): Buffer | undefined {
  try {
    const query = parseQuery(message);
    const response = answerQuery(table, query);
    const maxSize = transport === 'tcp' ? 65_535 : query.ednsUdpSize !== undefined ? Math.min(Math.max(query.ednsUdpSize, CLASSIC_UDP_SIZE), EDNS_UDP_SIZE) : CLASSIC_UDP_SIZE;
    log?.({ transport, client, name: query.question.labels.map((l) => l.toString('latin1')).join('.') + '.', type: query.question.type, rcode: response.rcode, answers: response.answers.length });
    return encodeResponse(response, maxSize);
  } catch (error) {
    if (error instanceof DnsFormatError) {
      log?.({ transport, client, error: error.message });
      return error.id === undefined ? undefined : errorResponse(error.id, error.opcode, RCODE.FORMERR);
    }
    log?.({ transport, client, error: `internal: ${(error as Error).message}` });
    return undefined;
  }
}

export interface DnsServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Binds UDP and TCP on host:port (port 0: the TCP listener's free port, then UDP on the same number). */
export async function startDnsServer(options: { host: string; port: number; table: () => ZoneTable; log?: QueryLog }): Promise<DnsServer> {
  const { host, table, log } = options;
  const tcp = net.createServer({ pauseOnConnect: false });
  tcp.maxConnections = MAX_TCP_CONNECTIONS;
  const connections = new Set<net.Socket>();
  tcp.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveTcp(socket, table, log);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  udp.on('message', (message, remote) => {
    const reply = respond(message, 'udp', table(), log, `${remote.address}:${remote.port}`);
    if (reply) udp.send(reply, remote.port, remote.address);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    tcp.close();
    throw error;
  }
  udp.on('error', (error) => log?.({ transport: 'udp', client: '', error: error.message }));
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        let open = 2;
        const done = () => --open === 0 && resolve();
        udp.close(done);
        tcp.close(done);
        for (const socket of connections) socket.destroy();
      }),
  };
}

/** Length-prefixed messages (RFC 1035 §4.2.2), several per connection, answered in order. */
function serveTcp(socket: net.Socket, table: () => ZoneTable, log?: QueryLog): void {
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  let pending: Buffer = Buffer.alloc(0);
  const client = `${socket.remoteAddress}:${socket.remotePort}`;
  socket.on('data', (chunk: Buffer) => {
    // At most one message (2 + 65535 bytes) is ever held.
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const message = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      const reply = respond(message, 'tcp', table(), log, client);
      if (!reply) {
        socket.destroy();
        return;
      }
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(reply.length);
      socket.write(Buffer.concat([prefix, reply]));
    }
  });
  socket.on('end', () => socket.end());
}
