// `kubectl port-forward` (the real kubectl) against the embedded cluster,
// with the real curl through the forward: pod/NAME and svc/NAME, over the
// WebSocket tunnel (kubectl's default) and over direct SPDY
// (KUBECTL_PORT_FORWARD_WEBSOCKETS=false), sequential, concurrent and large
// transfers, and a port nothing listens on.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireTool, run, startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { podTarget, servedPort } from '../../../source/cluster/embedded/streaming/port-forward.js';
import { PORT_MAP_ANNOTATION } from '../../../source/cluster/port-map-annotation.js';

const NAMESPACE = 'pf';
let cluster: TestCluster;
let podName: string;

// httpbin declares port 80; without root the pod listens elsewhere (its port map: 80:8080), and a forward to :80
// goes through the map (as root it binds 80 itself; the mapping is checked on its own at the end).
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpbin
  namespace: ${NAMESPACE}
spec:
  replicas: 1
  selector:
    matchLabels: {app: httpbin}
  template:
    metadata:
      labels: {app: httpbin}
    spec:
      containers:
      - name: httpbin
        image: kennethreitz/httpbin
        ports:
        - containerPort: 80
          name: http
---
apiVersion: v1
kind: Service
metadata:
  name: httpbin
  namespace: ${NAMESPACE}
spec:
  selector: {app: httpbin}
  ports:
  - port: 8000
    targetPort: http
    name: http
`;

test.before(async () => {
  await requireTool('curl');
  // AGW_API_LOG: the cluster log names each upgrade, so a test can tell which transport kubectl used.
  cluster = await startTestCluster({ env: { AGW_API_LOG: '1' } });
  await cluster.createNamespace(NAMESPACE);
  await cluster.kubectlOk(['apply', '-f', '-'], MANIFEST);
  await cluster.kubectlOk(['wait', '-n', NAMESPACE, '--for=condition=Available', 'deployment/httpbin', '--timeout=90s']);
  await cluster.kubectlOk(['wait', '-n', NAMESPACE, '--for=condition=Ready', 'pod', '-l', 'app=httpbin', '--timeout=90s']);
  podName = (await cluster.kubectlOk(['get', '-n', NAMESPACE, 'pods', '-l', 'app=httpbin', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
});
test.after.always(async () => {
  await cluster?.stop();
});

interface Forward {
  localPort: number;
  /** What kubectl printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with kubectl's output once it contains `text`; rejects after `ms`. */
  waitFor(text: string, ms?: number): Promise<string>;
}

type Transport = 'websocket' | 'spdy';

/** Starts `kubectl port-forward <target> :<remotePort>` on 127.0.0.1 and waits for its "Forwarding from" line. */
async function portForward(t: ExecutionContext, transport: Transport, target: string, remotePort: number): Promise<Forward> {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: transport === 'websocket' ? 'true' : 'false' };
  delete env.KUBECONFIG;
  const child = spawn(
    'kubectl',
    ['--kubeconfig', cluster.kubeconfig, '--cache-dir', path.join(cluster.home, 'kube-cache'), '-n', NAMESPACE, 'port-forward', '--address', '127.0.0.1', target, `:${remotePort}`],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let exited = false;
  child.on('exit', () => {
    exited = true;
    for (const listener of listeners) listener();
  });
  const waitFor = (text: string | RegExp, ms = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = typeof text === 'string' ? output.includes(text) : text.test(output);
        if (found || exited) {
          listeners.delete(check);
          clearTimeout(timer);
          if (found) resolve(output);
          else reject(new Error(`kubectl port-forward exited before printing ${String(text)}:\n${output}`));
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`kubectl port-forward did not print ${String(text)} within ${ms} ms:\n${output}`));
      }, ms);
      listeners.add(check);
      check();
    });
  const ready = await waitFor(/Forwarding from 127\.0\.0\.1:\d+ ->/);
  const localPort = Number(/Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(ready)![1]);
  return { localPort, output: () => output, waitFor };
}

function curl(args: string[]) {
  return run('curl', ['-sS', '--max-time', '30', ...args], { timeoutMs: 40_000 });
}

async function getJson(t: ExecutionContext, url: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const result = await curl([...extra, url]);
  t.is(result.code, 0, `curl ${url} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Upgrade lines of the cluster log for pods/portforward, by transport. */
function upgradesInLog(): Record<Transport, number> {
  const log = fs.readFileSync(path.join(cluster.home, 'cluster', 'cluster.log'), 'utf8');
  const lines = log.split('\n').filter((line) => line.includes('/portforward'));
  return {
    websocket: lines.filter((line) => /upgrade: websocket\)/i.test(line)).length,
    spdy: lines.filter((line) => /upgrade: SPDY\/3\.1\)/i.test(line)).length,
  };
}

/** kubectl falls back to SPDY when the WebSocket upgrade fails: only the chosen transport may have been asked for. */
function usedOnly(t: ExecutionContext, transport: Transport, before: Record<Transport, number>): void {
  const after = upgradesInLog();
  const other: Transport = transport === 'websocket' ? 'spdy' : 'websocket';
  t.true(after[transport] > before[transport] && after[other] === before[other], `kubectl used ${transport} only (upgrades before ${JSON.stringify(before)}, after ${JSON.stringify(after)})`);
}

for (const transport of ['websocket', 'spdy'] as const) {
  test.serial(`${transport}: pod/NAME forwards the declared port through the pod's port map, sequential and concurrent requests`, async (t) => {
    const before = upgradesInLog();
    const forward = await portForward(t, transport, `pod/${podName}`, 80);
    const base = `http://127.0.0.1:${forward.localPort}`;
    for (let i = 0; i < 3; i++) {
      const body = await getJson(t, `${base}/get?round=${i}`);
      t.deepEqual(body.args, { round: [String(i)] });
    }
    // Two requests held open at once (each waits a second on the pod) share one SPDY connection.
    const [first, second] = await Promise.all([getJson(t, `${base}/delay/1?n=a`), getJson(t, `${base}/delay/1?n=b`)]);
    t.deepEqual([first.args, second.args], [{ n: ['a'] }, { n: ['b'] }]);
    t.regex(forward.output(), /Handling connection for \d+/);
    usedOnly(t, transport, before);
  });

  test.serial(`${transport}: svc/NAME resolves to the pod; a few hundred KB cross both ways`, async (t) => {
    const before = upgradesInLog();
    const forward = await portForward(t, transport, 'svc/httpbin', 8000);
    const payload = Array.from({ length: 400 * 1024 }, (_, i) => String.fromCharCode(97 + (i * 7 % 26))).join('');
    const file = path.join(cluster.home, `payload-${transport}.txt`);
    fs.writeFileSync(file, payload);
    const body = await getJson(t, `http://127.0.0.1:${forward.localPort}/anything`, ['-H', 'Content-Type: text/plain', '--data-binary', `@${file}`]);
    t.is(typeof body.data, 'string');
    t.is((body.data as string).length, payload.length);
    t.true(body.data === payload, 'the echoed body equals the sent body');
    usedOnly(t, transport, before);
  });

  test.serial(`${transport}: a port nothing listens on fails with the kubelet's message; another forward still works`, async (t) => {
    const before = upgradesInLog();
    const broken = await portForward(t, transport, `pod/${podName}`, 9);
    const failed = await curl([`http://127.0.0.1:${broken.localPort}/get`]);
    t.not(failed.code, 0, 'curl through a forward to a closed port fails');
    const output = await broken.waitFor('connection refused');
    t.regex(output, new RegExp(`error forwarding port 9 to pod ${podName}, uid : .*connect: connection refused`));
    const good = await portForward(t, transport, `pod/${podName}`, 80);
    const body = await getJson(t, `http://127.0.0.1:${good.localPort}/get?after=refused`);
    t.deepEqual(body.args, { after: ['refused'] });
    usedOnly(t, transport, before);
  });
}

test('the forward target: the pod IP, and a declared port through the pod\'s port map (absent from it: the port itself)', (t) => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: NAMESPACE, annotations: { [PORT_MAP_ANNOTATION]: '80:8080,15021:40123' } },
    status: { podIP: '127.9.1.4' },
  };
  const target = podTarget(pod);
  t.is(target.host, '127.9.1.4');
  t.deepEqual([servedPort(target, 80), servedPort(target, 15021), servedPort(target, 9000)], [8080, 40123, 9000]);
  t.is(servedPort(podTarget({ ...pod, metadata: { name: 'q' } }), 80), 80);
});
