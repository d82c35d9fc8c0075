// echo-basic in TCP mode (TCP_ECHO_SERVER=1), as the Gateway API conformance
// base manifests run it for `tcp-backend`: the welcome line, PING/IS_TLS/TEST
// over plain TCP and over TLS (TLS_SERVER_CERT + TLS_SERVER_PRIV_KEY), and
// TCP_MODE=RESET.
import test from 'ava';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { freePort, startWorkload, type RunningWorkload } from './spawn-workload.js';
import { makeFixtures, type Fixtures } from './tls-fixtures.js';

const host = '127.0.0.1';
let echo: RunningWorkload;
let reset: RunningWorkload;
let fixtures: Fixtures;
let tcpPort: number;
let tlsPort: number;
let resetPort: number;

test.before(async () => {
  fixtures = makeFixtures(['tcp.example.com']);
  [tcpPort, tlsPort, resetPort] = [await freePort(host), await freePort(host), await freePort(host)];
  echo = await startWorkload('echo-basic', [], {
    AGW_POD_IP: host, TCP_ECHO_SERVER: '1', TCP_PORT: String(tcpPort), TLS_PORT: String(tlsPort),
    TLS_SERVER_CERT: fixtures.files['tcp.example.com.crt']!, TLS_SERVER_PRIV_KEY: fixtures.files['tcp.example.com.key']!,
    POD_NAME: 'tcp-pod', NAMESPACE: 'gateway-conformance-infra', SERVICE_NAME: 'tcp-backend',
  }, 2);
  reset = await startWorkload('echo-basic', [], { AGW_POD_IP: host, TCP_ECHO_SERVER: '1', TCP_MODE: 'RESET', TCP_PORT: String(resetPort), TLS_PORT: String(await freePort(host)) }, 1);
});
test.after.always(async () => {
  await echo?.stop();
  await reset?.stop();
  fixtures?.cleanup();
});

/** Sends each line and collects the answer lines (the welcome line first), then closes. */
async function converse(socket: net.Socket, lines: string[], answers: number): Promise<string[]> {
  socket.setEncoding('utf8');
  let received = '';
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.split('\n').length - 1 >= answers) resolve();
    });
    socket.once('error', reject);
    socket.once('close', () => resolve());
  });
  for (const line of lines) socket.write(`${line}\r\n`);
  await done;
  socket.end();
  return received.split('\n').filter(Boolean);
}

test('plain TCP: the welcome line, then PING → PONG, IS_TLS → false, TEST → the pod context; unknown lines are ignored', async (t) => {
  const socket = net.connect(tcpPort, host);
  await once(socket, 'connect');
  const [welcome, pong, isTls, json] = await converse(socket, ['PING', 'NOISE', 'IS_TLS', 'TEST'], 4);
  t.is(welcome, 'Gateway API Test TCP Server');
  t.is(pong, 'PONG');
  t.is(isTls, 'false');
  t.deepEqual(JSON.parse(json!), { namespace: 'gateway-conformance-infra', ingress: '', service: 'tcp-backend', pod: 'tcp-pod', tcpport: String(tcpPort), tlsport: String(tlsPort), isTLS: false });
});

test('TLS: TLS_SERVER_PRIV_KEY is read, and TEST reports the version, SNI and cipher in Go\'s names', async (t) => {
  const socket = tls.connect({ host, port: tlsPort, servername: 'tcp.example.com', ca: fixtures.ca.certPem });
  await once(socket, 'secureConnect');
  const [welcome, isTls, json] = await converse(socket, ['IS_TLS', 'TEST'], 3);
  t.is(welcome, 'Gateway API Test TCP Server');
  t.is(isTls, 'true');
  const body = JSON.parse(json!);
  t.true(body.isTLS);
  t.is(body.tls.version, 'TLS 1.3');
  t.is(body.tls.serverName, 'tcp.example.com');
  t.regex(body.tls.cipherSuite, /^TLS_/);
});

test('TCP_MODE=RESET: every connection is reset', async (t) => {
  const socket = net.connect(resetPort, host);
  const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  t.is(error.code, 'ECONNRESET');
});
