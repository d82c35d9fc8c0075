// `pods/portforward`: the kubelet's port-forward protocol (portforward.k8s.io)
// over SPDY/3.1, reached either directly (Upgrade: SPDY/3.1, kubectl < 1.31
// or KUBECTL_PORT_FORWARD_WEBSOCKETS=false) or tunnelled through a WebSocket
// whose binary messages carry the SPDY byte stream (subprotocol
// SPDY/3.1+portforward.k8s.io, kubectl ≥ 1.31). For each local connection
// kubectl opens an error stream and a data stream with the same requestID;
// the pair becomes one TCP connection to the pod's address, on the declared
// port as the pod's port map places it.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { ApiError } from '../apiserver/api-error.js';
import { recordedPortMap } from '../../port-map-annotation.js';
import type { KubeObject } from '../store/store-types.js';
import { RstStatus } from './spdy.js';
import { SpdySession, type SpdyStream } from './spdy-session.js';
import { headerTokens, rejectUpgrade, type StreamingRequest } from './upgrade.js';

/** Header tokens compared case-insensitively, as HTTP compares these. */
const lowerTokens = (value: string | string[] | undefined) => headerTokens(value).map((token) => token.toLowerCase());

const PROTOCOL = 'portforward.k8s.io';
const TUNNEL_PROTOCOL = `SPDY/3.1+${PROTOCOL}`;
/** As the kubelet: a half-opened pair is given up after this long. */
const PAIR_TIMEOUT_MS = 30_000;

// ws holds subprotocols to RFC 7230 tokens, which "/" is not (Kubernetes' Go server accepts it and so must
// this one): the offer is checked here and handed to ws under a token alias; the answer names it in full.
const TUNNEL_ALIAS = 'spdy-3.1-portforward.k8s.io';
const tunnels = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has(TUNNEL_ALIAS) ? TUNNEL_PROTOCOL : false),
});

export function handlePortForward(request: StreamingRequest): void {
  const { req, socket, head, pod, ctx } = request;
  const upgrade = lowerTokens(req.headers.upgrade);
  if (upgrade.includes('websocket')) {
    if (!lowerTokens(req.headers['sec-websocket-protocol']).includes(TUNNEL_PROTOCOL.toLowerCase())) {
      rejectUpgrade(socket, ApiError.badRequest(`port-forward over WebSocket needs the subprotocol ${TUNNEL_PROTOCOL}`));
      return;
    }
    req.headers['sec-websocket-protocol'] = TUNNEL_ALIAS;
    tunnels.handleUpgrade(req, socket, head, (ws) => {
      const transport = createWebSocketStream(ws);
      transport.on('error', () => transport.destroy());
      serve(transport, pod, ctx.log);
    });
    return;
  }
  if (upgrade.includes('spdy/3.1')) {
    if (!lowerTokens(req.headers['x-stream-protocol-version']).includes(PROTOCOL)) {
      rejectUpgrade(socket, ApiError.badRequest(`port-forward needs X-Stream-Protocol-Version: ${PROTOCOL}`));
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PROTOCOL}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    serve(socket, pod, ctx.log);
    return;
  }
  rejectUpgrade(socket, ApiError.badRequest('Upgrade request required: port-forward speaks SPDY/3.1, or SPDY/3.1 tunnelled in a WebSocket'));
}

interface StreamPair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

export interface PodTarget {
  name: string;
  host: string;
  portMap: Map<number, number>;
}

/** The port the pod really listens on for a declared port (absent from the map: the port itself). */
export function servedPort(target: PodTarget, port: number): number {
  return target.portMap.get(port) ?? port;
}

/** Where the pod serves its declared ports: its address, and each port through its port map. */
export function podTarget(pod: KubeObject): PodTarget {
  return {
    name: pod.metadata.name ?? '',
    host: (pod.status as { podIP?: string } | undefined)?.podIP || '127.0.0.1',
    portMap: recordedPortMap(pod),
  };
}

/** One SPDY connection: pairs up streams and forwards each pair; closing it closes every pod socket. */
function serve(transport: Duplex, pod: KubeObject, log: (line: string) => void): void {
  const target = podTarget(pod);
  const session = new SpdySession(transport, log);
  const pairs = new Map<string, StreamPair>();
  const podSockets = new Set<net.Socket>();
  session.on('close', () => {
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    pairs.clear();
    for (const podSocket of podSockets) podSocket.destroy();
    podSockets.clear();
  });
  session.on('stream', (stream) => {
    const type = stream.header('streamtype');
    const port = Number(stream.header('port'));
    if ((type !== 'error' && type !== 'data') || !Number.isInteger(port) || port < 1 || port > 65535) {
      log(`port-forward: refusing stream ${stream.id} (streamType ${type ?? 'missing'}, port ${stream.header('port') ?? 'missing'})`);
      stream.reset(RstStatus.protocolError);
      return;
    }
    stream.reply();
    // Old clients send no requestID: the kubelet pairs a data stream with the error stream two ids before it.
    const requestId = stream.header('requestid') ?? String(type === 'error' ? stream.id : stream.id - 2);
    let pair = pairs.get(requestId);
    if (!pair) {
      pair = {
        timer: setTimeout(() => {
          pairs.delete(requestId);
          pair?.error?.reset();
          pair?.data?.reset();
        }, PAIR_TIMEOUT_MS),
      };
      pairs.set(requestId, pair);
    }
    if (pair[type]) {
      stream.reset(RstStatus.protocolError);
      return;
    }
    pair[type] = stream;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      forward(pair.error, pair.data, port, target, podSockets);
    }
  });
}

/** Go's wording for a failed dial, which kubectl users recognise. */
function dialError(error: NodeJS.ErrnoException, host: string, port: number): string {
  const reason = error.code === 'ECONNREFUSED' ? 'connect: connection refused' : error.code === 'ETIMEDOUT' ? 'i/o timeout' : error.message;
  return `dial tcp4 ${host}:${port}: ${reason}`;
}

function forward(errorStream: SpdyStream, dataStream: SpdyStream, port: number, target: PodTarget, podSockets: Set<net.Socket>): void {
  // kubectl half-closes the error stream at once and only reads it.
  errorStream.resume();
  const targetPort = servedPort(target, port);
  const podSocket = net.connect({ host: target.host, port: targetPort, allowHalfOpen: true });
  podSockets.add(podSocket);
  let connected = false;
  podSocket.once('connect', () => {
    connected = true;
    podSocket.pipe(dataStream);
    dataStream.pipe(podSocket);
  });
  podSocket.on('error', (error: NodeJS.ErrnoException) => {
    if (!connected && !errorStream.destroyed) {
      // The kubelet's wording; its uid is empty there too (the CRI streaming server is not told it).
      errorStream.write(`error forwarding port ${port} to pod ${target.name}, uid : ${dialError(error, target.host, targetPort)}`);
    }
  });
  podSocket.once('close', () => {
    podSockets.delete(podSocket);
    // The pod's side is over: FIN what is still open (kubectl then resets the data stream).
    if (!dataStream.destroyed && !dataStream.writableEnded) dataStream.end();
    if (!errorStream.destroyed && !errorStream.writableEnded) errorStream.end();
  });
  // kubectl resets the data stream when its local connection is done with: drop the pod connection.
  dataStream.once('reset', () => podSocket.destroy());
  dataStream.once('close', () => {
    if (!dataStream.readableEnded) podSocket.destroy();
  });
}
