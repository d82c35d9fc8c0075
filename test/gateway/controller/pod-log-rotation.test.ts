// Issue 16 item 7 end to end: a client floods a running gateway pod with
// 60 KB SNIs; each refusal is one capped access-log line on the pod's stdout,
// and the kubelet rotates the pod log (containerLogMaxSize, set small here
// through AGW_CONTAINER_LOG_MAX_SIZE), so what is on disk stays bounded
// however much the client sends: at most CONTAINER_LOG_MAX_FILES files, the
// live one within the size after each check. As with the kubelet (which
// checks every 10 s), a rotated file holds what arrived between two checks,
// so it can be larger than the size at a high log rate.
import test from 'ava';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import YAML from 'yaml';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { CONTAINER_LOG_MAX_FILES } from '../../../source/cluster/embedded/kubelet/pod-logs.js';
import { helloMessage, records } from '../dataplane/hello-builder.js';
import { FOO, labPki } from '../dataplane/helpers.js';

const MAX_BYTES = 8 * 1024;
const NS = 'agentgateway-system';
let cluster: TestCluster;

test.before(async () => {
  cluster = await startTestCluster({ env: { AGW_CONTAINER_LOG_MAX_SIZE: '8Ki' } });
});
test.after.always(async () => {
  await cluster?.stop();
});

/** Sends a ClientHello with a 60 KB server name and waits for the gateway to close the connection. */
function hugeSni(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => socket.write(records(helloMessage({ sni: `${'a'.repeat(60_000)}.example`, alpn: ['h2'] }))));
    socket.setTimeout(10_000, () => socket.destroy(new Error('the gateway did not close a refused connection within 10 s')));
    socket.on('data', () => {});
    socket.once('close', () => resolve());
    socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve() : reject(error)));
  });
}

function logFiles(logFile: string): string[] {
  const dir = path.dirname(logFile);
  return fs.readdirSync(dir).filter((f) => f === path.basename(logFile) || f.startsWith(`${path.basename(logFile)}.`)).map((f) => path.join(dir, f));
}

test('a flood of 60 KB SNIs against a gateway pod: capped lines, and the pod log rotates within containerLogMaxSize', async (t) => {
  const pki = labPki();
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'foo-cert', namespace: NS },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(pki.foo.certPem).toString('base64'), 'tls.key': Buffer.from(pki.foo.keyPem).toString('base64') },
  };
  const gateway = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'flooded', namespace: NS },
    spec: {
      gatewayClassName: 'enterprise-agentgateway',
      listeners: [{ name: 'foo', protocol: 'HTTPS', port: 8443, hostname: FOO, tls: { mode: 'Terminate', certificateRefs: [{ name: 'foo-cert' }] } }],
    },
  };
  await cluster.kubectlOk(['apply', '-f', '-'], [secret, gateway].map((o) => YAML.stringify(o)).join('---\n'));
  await cluster.kubectlOk(['wait', '--for=condition=Programmed', 'gateway/flooded', '-n', NS, '--timeout=90s']);
  const ip = await cluster.kubectlOk(['get', 'gateway', 'flooded', '-n', NS, '-o', 'jsonpath={.status.addresses[0].value}']);
  const pod = await cluster.kubectlOk(['get', 'pods', '-n', NS, '-l', 'gateway.networking.k8s.io/gateway-name=flooded', '-o', 'jsonpath={.items[0].metadata.name}']);
  const logFile = path.join(cluster.home, 'cluster', 'pods', `${NS}_${pod}.log`);
  t.true(fs.existsSync(logFile), `the pod log ${logFile} exists`);
  // The pod's first complete line (a line still being written could be a prefix of every later line).
  const startDeadline = Date.now() + 10_000;
  while (!fs.readFileSync(logFile, 'utf8').includes('\n') && Date.now() < startDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const firstLine = fs.readFileSync(logFile, 'utf8').split('\n')[0]!;
  // Which start-up line comes first (the config going live, or tracing's exporter once the SDK loaded) depends on the runtime's speed.
  t.regex(firstLine, /agentgateway-system\/flooded(: tracing: | live)/, 'the pod wrote a start-up line');

  // The flood: 4 clients at a time, until the log has rotated past every kept file (bounded: 20,000 connections, 90 s).
  // Rotation is checked once a second, so this needs several seconds of flood whatever the machine's speed:
  // an idle machine sends 2,000 connections in about two checks.
  let sent = 0;
  let mostFiles = 0;
  const oldest = `${logFile}.${CONTAINER_LOG_MAX_FILES - 1}`;
  // A file listed may be rotated away before it is read (the kubelet renames while the flood goes on).
  const readIfPresent = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  };
  const startLineKept = () => logFiles(logFile).some((f) => readIfPresent(f).includes(firstLine));
  const floodDeadline = Date.now() + 90_000;
  while (sent < 20_000 && Date.now() < floodDeadline && (sent < 200 || !fs.existsSync(oldest) || startLineKept())) {
    await Promise.all(Array.from({ length: 4 }, () => hugeSni(ip, 8443)));
    sent += 4;
    mostFiles = Math.max(mostFiles, logFiles(logFile).length);
  }
  t.true(fs.existsSync(oldest), `after ${sent} connections the log rotated into ${path.basename(oldest)}`);
  t.log(`${sent} connections; files: ${logFiles(logFile).map((f) => `${path.basename(f)} ${fs.statSync(f).size} B`).join(', ')}`);
  t.false(startLineKept(), 'the oldest lines (the pod\'s start-up) were dropped: rotation keeps a bounded number of files');
  t.true(mostFiles <= CONTAINER_LOG_MAX_FILES, `at most ${CONTAINER_LOG_MAX_FILES} files at any time (saw ${mostFiles})`);

  // Every line is capped: a 60 KB name costs a few hundred bytes, not 120 KB.
  const lines = logFiles(logFile).flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean));
  const refusals = lines.filter((l) => l.includes('flags=NS'));
  t.true(refusals.length > 0, 'the refusals are logged');
  const longest = Math.max(...lines.map((l) => l.length));
  t.true(longest < 2048, `longest line ${longest} bytes`);

  // Once the client stops, the next check brings the live log under the limit (bounded wait: the check runs every second).
  const deadline = Date.now() + 10_000;
  while (fs.statSync(logFile).size > MAX_BYTES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  t.true(fs.statSync(logFile).size <= MAX_BYTES, `live log ${fs.statSync(logFile).size} bytes, limit ${MAX_BYTES}`);
  t.true(logFiles(logFile).length <= CONTAINER_LOG_MAX_FILES);

  // The pod never restarted and still serves its listener.
  t.is(await cluster.kubectlOk(['get', 'pod', pod, '-n', NS, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']), '0');
  const served = await new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: ip, port: 8443, servername: FOO, ca: pki.ca.certPem }, () => {
      resolve(socket.getPeerX509Certificate()!.subject);
      socket.destroy();
    });
    socket.once('error', reject);
  });
  t.regex(served, new RegExp(`CN=${FOO.replace(/\./g, '\\.')}`));
});
