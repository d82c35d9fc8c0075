// `kubectl exec` against the embedded cluster: the real kubectl (WebSocket,
// v5.channel.k8s.io) runs commands beside a pod with its container's
// environment, streams stdin/stdout/stderr, and exits with the command's code.
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { parsePortMap, PORT_MAP_ANNOTATION } from '../../../source/cluster/port-map-annotation.js';
import { requireTool, startTestCluster, type TestCluster } from '../../helpers/cluster.js';

let cluster: TestCluster;
const NS = 'exec-lab';
const POD = 'echo';

const pod = `apiVersion: v1
kind: Pod
metadata:
  name: ${POD}
  namespace: ${NS}
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: registry.k8s.io/gateway-api/conformance/echo-basic:v1.3.0
    env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: MY_ENV
      value: from-app
    ports:
    - containerPort: 3000
  - name: dev-main
    image: registry.k8s.io/gateway-api/conformance/echo-basic:v1.3.0
    env:
    - name: MY_ENV
      value: from-dev-main
    - name: HTTP_PORT
      value: "3100"
    - name: H2C_PORT
      value: "3101"
    ports:
    - containerPort: 3100
`;

test.before(async () => {
  await requireTool('curl');
  cluster = await startTestCluster();
  await cluster.createNamespace(NS);
  await cluster.kubectlOk(['apply', '-f', '-'], pod);
  await cluster.kubectlOk(['wait', '-n', NS, '--for=condition=Ready', `pod/${POD}`, '--timeout=60s']);
});
test.after.always(async () => {
  await cluster?.stop();
});

const exec = (args: string[], input?: string) => cluster.kubectl(['exec', '-n', NS, ...args], input);

test('stdout, stderr and the exit code of the command come back as from a real pod', async (t) => {
  const result = await exec([POD, '--', 'sh', '-c', 'echo "$POD_NAME $MY_ENV"; echo oops >&2; exit 3']);
  t.is(result.stdout, `${POD} from-app\n`);
  t.is(result.stderr, 'oops\ncommand terminated with exit code 3\n');
  t.is(result.code, 3);
});

test('a command that succeeds exits 0 and runs in the pod directory', async (t) => {
  const result = await exec([POD, '--', 'pwd']);
  t.is(result.code, 0, result.stderr);
  t.true(result.stdout.startsWith(cluster.home), result.stdout);
  t.true(result.stdout.includes('pod-volumes'), result.stdout);
});

test('kubectl exec -i pipes stdin to the command until its end', async (t) => {
  // Large enough to need more than one WebSocket message each way.
  const input = Array.from({ length: 20_000 }, (_, i) => `line ${i} of the input`).join('\n') + '\n';
  const result = await exec(['-i', POD, '--', 'cat'], input);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout.length, input.length);
  t.true(result.stdout === input);
});

// kubectl cp rides on exec (tar on both ends): a relative container path is the pod's directory.
test('kubectl cp copies a file into the pod and back', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-cp-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const source = path.join(dir, 'in.txt');
  const back = path.join(dir, 'back.txt');
  fs.writeFileSync(source, 'copied through kubectl cp\n');
  const put = await cluster.kubectl(['cp', source, `${NS}/${POD}:copied.txt`]);
  t.is(put.code, 0, put.stderr);
  const shown = await exec([POD, '--', 'cat', 'copied.txt']);
  t.is(shown.stdout, 'copied through kubectl cp\n', shown.stderr);
  const get = await cluster.kubectl(['cp', `${NS}/${POD}:copied.txt`, back]);
  t.is(get.code, 0, get.stderr);
  t.is(fs.readFileSync(back, 'utf8'), 'copied through kubectl cp\n');
});

test('-c picks the container whose environment the command gets', async (t) => {
  const result = await exec([POD, '-c', 'dev-main', '--', 'sh', '-c', 'echo "$MY_ENV"']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, 'from-dev-main\n');
});

test('curl from inside the pod reaches a pod at its address', async (t) => {
  const status = JSON.parse(await cluster.kubectlOk(['get', 'pod', '-n', NS, POD, '-o', 'json'])) as {
    metadata: { annotations?: Record<string, string> };
    status: { podIP: string };
  };
  const port = parsePortMap(status.metadata.annotations?.[PORT_MAP_ANNOTATION]).get(3000) ?? 3000;
  const result = await exec([POD, '-c', 'dev-main', '--', 'curl', '-sS', '--max-time', '10', `http://${status.status.podIP}:${port}/exec-probe`]);
  t.is(result.code, 0, result.stderr);
  const echoed = JSON.parse(result.stdout) as { path: string; pod: string };
  t.is(echoed.path, '/exec-probe');
  t.is(echoed.pod, POD);
});

test('an unknown container is refused with the API server message', async (t) => {
  const result = await exec([POD, '-c', 'nope', '--', 'true']);
  t.not(result.code, 0);
  t.regex(result.stderr, /container nope is not valid for pod echo/);
});

test('a missing executable fails clearly, as on a containerd node', async (t) => {
  const result = await exec([POD, '--', 'no-such-command-agw']);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /error executing command in container: exec: "no-such-command-agw": executable file not found in \$PATH/);
});

/** Resolves once `pid` no longer exists; rejects after the deadline. */
async function gone(pid: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs ${deadlineMs} ms after its client went away`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('the command and what it started stop when the client goes away', async (t) => {
  const kubectl = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, 'exec', '-n', NS, POD, '--', 'sh', '-c', 'sleep 300 & echo $$ $!; wait'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pids = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no pids from the command within 20 s: ${out}`)), 20_000);
    kubectl.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.trim().split(/\s+/).map(Number));
      }
    });
    kubectl.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl exited (${code}) before the command printed its pids`));
    });
  });
  t.is(pids.length, 2);
  for (const pid of pids) t.notThrows(() => process.kill(pid, 0), `process ${pid} runs while kubectl is connected`);
  kubectl.kill('SIGKILL');
  await Promise.all(pids.map((pid) => gone(pid, 10_000)));
  t.pass();
});

/** One exec over a raw WebSocket with the given subprotocol (container '' for none): what arrived on each channel. */
function rawExec(protocol: string, command: string[], container = 'app'): Promise<Map<number, Buffer>> {
  const url = new URL(`/api/v1/namespaces/${NS}/pods/${POD}/exec`, cluster.apiUrl);
  url.protocol = 'wss:';
  if (container) url.searchParams.set('container', container);
  for (const word of command) url.searchParams.append('command', word);
  url.searchParams.set('stdout', 'true');
  url.searchParams.set('stderr', 'true');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [protocol], { ca: cluster.caPem, headers: { authorization: `Bearer ${cluster.token}` } });
    const channels = new Map<number, Buffer>();
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('exec did not finish within 20 s'));
    }, 20_000);
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused (${response.statusCode}): ${body}`));
      });
    });
    ws.on('message', (data: Buffer) => channels.set(data[0]!, Buffer.concat([channels.get(data[0]!) ?? Buffer.alloc(0), data.subarray(1)])));
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      if (ws.protocol !== protocol) reject(new Error(`negotiated "${ws.protocol}", not ${protocol}`));
      else if (code !== 1000) reject(new Error(`closed with ${code}, not a normal closure`));
      else resolve(channels);
    });
  });
}

test('v4.channel.k8s.io: the error channel carries the kubelet Status, exit code included', async (t) => {
  const failed = await rawExec('v4.channel.k8s.io', ['sh', '-c', 'printf out; exit 7']);
  t.is(failed.get(1)?.toString(), 'out');
  t.deepEqual(JSON.parse(failed.get(3)!.toString()), {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: error executing command [sh -c printf out; exit 7], exit code 7',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '7' }] },
  });
  const succeeded = await rawExec('v4.channel.k8s.io', ['true']);
  t.deepEqual(JSON.parse(succeeded.get(3)!.toString()), { metadata: {}, status: 'Success' });
});

test('without a container parameter, a pod of several containers is refused as the API server does', async (t) => {
  const error = await t.throwsAsync(rawExec('v5.channel.k8s.io', ['true'], ''));
  t.regex(error?.message ?? '', /upgrade refused \(400\): .*a container name must be specified for pod echo, choose one of: \[app dev-main\]/);
});

test('v5.channel.k8s.io is preferred when offered', async (t) => {
  const url = new URL(`/api/v1/namespaces/${NS}/pods/${POD}/exec?container=app&command=true&stdout=true`, cluster.apiUrl);
  url.protocol = 'wss:';
  const ws = new WebSocket(url, ['v4.channel.k8s.io', 'v5.channel.k8s.io'], { ca: cluster.caPem, headers: { authorization: `Bearer ${cluster.token}` } });
  const protocol = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no upgrade within 20 s')), 20_000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws.protocol);
    });
    ws.once('error', reject);
  });
  ws.close();
  t.is(protocol, 'v5.channel.k8s.io');
});
