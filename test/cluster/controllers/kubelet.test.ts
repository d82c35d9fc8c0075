// The kubelet against an in-memory store, running real pod processes (the built CLI) on 127.249.x addresses.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { request } from 'undici';
import { FakeStore, eventually } from './fake-store.js';
import { startKubelet, type Kubelet } from '../../../source/cluster/embedded/kubelet/index.js';
import { PODS, SECRETS } from '../../../source/cluster/embedded/controllers/resource-keys.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';
import { cliPath } from '../../workloads/spawn-workload.js';

const network = { octet: 249, loopbackRange: true };

interface Harness { store: FakeStore; kubelet: Kubelet; dir: string; logs: string[] }

async function harness(t: { teardown(fn: () => Promise<void> | void): void }, options: { privileged?: boolean; dir?: string; network?: { octet: number; loopbackRange: boolean } } = {}): Promise<Harness> {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} does not exist: build first`);
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'agw-kubelet-'));
  const store = new FakeStore();
  const logs: string[] = [];
  const kubelet = await startKubelet({
    store, network: options.network ?? network, home: dir, clusterDir: path.join(dir, 'cluster'), podLogsDir: path.join(dir, 'cluster', 'pods'),
    kubeconfigPath: path.join(dir, 'kubeconfig.yaml'), cliPath, log: (l) => logs.push(l), privileged: options.privileged,
  });
  t.teardown(async () => {
    await kubelet.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { store, kubelet, dir, logs };
}

function echoPod(name: string, port: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'lab' },
    spec: {
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'echo', image: 'gcr.io/k8s-staging-gateway-api/echo-basic:v1', env: [{ name: 'HTTP_PORT', value: String(port) }, { name: 'HTTPS_PORT', value: String(port + 1) }], ports: [{ containerPort: port }], ...extra }],
    },
  };
}

const status = (store: FakeStore, name: string) => store.get(PODS, 'lab', name)?.status as any;
const isReady = (s: any) => s?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

test('a pod gets its own address, runs as a process, becomes Ready, logs to <ns>_<pod>.log, and stops on deletion', async (t) => {
  const { store, dir } = await harness(t);
  store.create(PODS, echoPod('echo', 18080));
  const s = await eventually(() => isReady(status(store, 'echo')) && status(store, 'echo'), 'pod Ready', 15_000);
  t.regex(s.podIP, /^127\.249\.1\.\d+$/);
  t.is(s.hostIP, '127.0.0.1');
  t.is(s.phase, 'Running');
  t.truthy(s.startTime);
  t.deepEqual(s.conditions.map((c: any) => c.type).sort(), ['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready']);
  t.like(s.containerStatuses[0], { name: 'echo', ready: true, started: true, restartCount: 0 });
  t.truthy(s.containerStatuses[0].state.running.startedAt);
  const response = await request(`http://${s.podIP}:18080/`);
  t.is(((await response.body.json()) as any).pod, 'echo', 'the kubelet gives every process POD_NAME');
  const log = fs.readFileSync(path.join(dir, 'cluster', 'pods', 'lab_echo.log'), 'utf8');
  t.regex(log, new RegExp(`listening on ${s.podIP.replace(/\./g, '\\.')}:18080`));
  const pid = Number(String(s.containerStatuses[0].containerID).split('//')[1]);
  store.delete(PODS, 'lab', 'echo');
  await eventually(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 'pod process gone', 8000);
  t.pass();
});

test('a crashing container restarts with backoff and reports CrashLoopBackOff and its exit code', async (t) => {
  const { store } = await harness(t);
  store.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crash', namespace: 'lab' }, spec: { containers: [{ name: 'c', image: 'ghcr.io/agw-workshop/agw-workshop:latest', args: ['workload', 'no-such-workload'] }] } });
  const s = await eventually(() => status(store, 'crash')?.containerStatuses?.[0]?.restartCount >= 1 && status(store, 'crash'), 'a restart', 15_000);
  const container = s.containerStatuses[0];
  t.is(container.lastState.terminated.exitCode, 2);
  t.false(container.ready);
  const waiting = await eventually(() => status(store, 'crash')?.containerStatuses?.[0]?.state?.waiting, 'back-off', 10_000);
  t.is(waiting.reason, 'CrashLoopBackOff');
});

test('an unknown image leaves the pod Pending with a reason that names the image', async (t) => {
  const { store } = await harness(t);
  store.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', namespace: 'lab' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } });
  const s = await eventually(() => status(store, 'nginx')?.containerStatuses && status(store, 'nginx'), 'status');
  t.is(s.phase, 'Pending');
  t.is(s.containerStatuses[0].state.waiting.reason, 'ImageNotKnown');
  t.regex(s.containerStatuses[0].state.waiting.message, /image "nginx:1\.27" is not known/);
  t.false(isReady(s));
});

test('a pod waits for its Secret volume, then starts with the files mounted and paths rewritten', async (t) => {
  const { store, dir } = await harness(t);
  const pod = echoPod('tls', 18090);
  (pod.spec as any).volumes = [{ name: 'certs', secret: { secretName: 'echo-tls' } }];
  const container = (pod.spec as any).containers[0];
  container.volumeMounts = [{ name: 'certs', mountPath: '/etc/echo' }];
  container.ports.push({ name: 'https', containerPort: 18091 }); // readiness then waits for the HTTPS listener too
  container.env.push({ name: 'TLS_SERVER_CERT', value: '/etc/echo/tls.crt' }, { name: 'TLS_SERVER_PRIVKEY', value: '/etc/echo/tls.key' });
  store.create(PODS, pod);
  const waiting = await eventually(() => status(store, 'tls')?.containerStatuses?.[0]?.state?.waiting, 'waiting');
  t.is(waiting.reason, 'ContainerCreating');
  t.regex(waiting.message, /secret "echo-tls" not found/);
  const { issueCertificate } = await import('../../../source/pki/index.js');
  const cert = issueCertificate({ subject: '/CN=echo', subjectAltNames: ['echo'] });
  store.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'echo-tls', namespace: 'lab' }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from(cert.certPem).toString('base64'), 'tls.key': Buffer.from(cert.keyPem).toString('base64') } });
  const s = await eventually(() => isReady(status(store, 'tls')) && status(store, 'tls'), 'Ready', 15_000);
  const { Agent } = await import('undici');
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  t.teardown(() => dispatcher.close());
  const body = (await (await request(`https://${s.podIP}:18091/`, { dispatcher })).body.json()) as any;
  t.is(body.tls.version, 'TLSv1.3');
  // A changed Secret is rewritten into the running pod's volume, as a kubelet's sync would.
  const uid = store.get(PODS, 'lab', 'tls')!.metadata.uid!;
  const file = path.join(dir, 'cluster', 'pod-volumes', `lab_tls_${uid.slice(0, 8)}`, 'volumes', 'certs', 'tls.crt');
  t.is(fs.readFileSync(file, 'utf8'), cert.certPem);
  t.is(fs.statSync(path.join(path.dirname(file), 'tls.key')).mode & 0o777, 0o600);
  const rotated = issueCertificate({ subject: '/CN=echo-rotated' });
  const secret = store.get(SECRETS, 'lab', 'echo-tls')!;
  store.update(SECRETS, { ...secret, data: { 'tls.crt': Buffer.from(rotated.certPem).toString('base64'), 'tls.key': Buffer.from(rotated.keyPem).toString('base64') } });
  await eventually(() => fs.readFileSync(file, 'utf8') === rotated.certPem, 'rotated certificate in the volume');
  t.pass();
});

test('without root, ports below 1024 are bound +8000 and the mapping is a pod annotation', async (t) => {
  const { store } = await harness(t, { privileged: false });
  store.create(PODS, echoPod('low', 443));
  const s = await eventually(() => isReady(status(store, 'low')) && status(store, 'low'), 'Ready', 15_000);
  t.is(store.get(PODS, 'lab', 'low')!.metadata.annotations?.['agw-workshop.dev/port-map'], '443:8443');
  t.is((await request(`http://${s.podIP}:8443/health`)).statusCode, 200);
});

test('where only 127.0.0.1 exists, each pod binds its own free ports and the mapping is a pod annotation', async (t) => {
  const { store } = await harness(t, { network: { octet: 0, loopbackRange: false } });
  store.create(PODS, echoPod('one', 3000));
  store.create(PODS, echoPod('two', 3000));
  const one = await eventually(() => isReady(status(store, 'one')) && store.get(PODS, 'lab', 'one'), 'one Ready', 15_000);
  const two = await eventually(() => isReady(status(store, 'two')) && store.get(PODS, 'lab', 'two'), 'two Ready', 15_000);
  t.is((one.status as any).podIP, '127.0.0.1');
  const ports = [one, two].map((p) => /^3000:(\d+)$/.exec(p.metadata.annotations?.['agw-workshop.dev/port-map'] ?? '')?.[1]);
  t.truthy(ports[0] && ports[1] && ports[0] !== ports[1], `distinct mapped ports: ${ports}`);
  for (const [i, port] of ports.entries()) {
    const body = (await (await request(`http://127.0.0.1:${port}/`)).body.json()) as any;
    t.is(body.pod, i === 0 ? 'one' : 'two');
  }
  // …and the pod's status says so.
  const remapped = ((store.get(PODS, 'lab', 'one')!.status as any).conditions as Array<{ type: string; status: string; message: string }>).find((c) => c.type === 'agw-workshop.dev/PortsRemapped');
  t.is(remapped?.status, 'True');
  t.is(remapped?.message, `declared container ports are served on 127.0.0.1 at other ports: 3000→${ports[0]}`);
});

test('pod processes a crashed cluster left behind are killed at start', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-kubelet-'));
  const orphan = spawn(process.execPath, [cliPath, 'workload', 'echo-basic'], { env: { PATH: process.env.PATH ?? '', AGW_POD_IP: '127.249.9.9', HTTP_PORT: '18099', HTTPS_PORT: '18100' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => orphan.once('exit', resolve));
  t.teardown(() => { orphan.kill('SIGKILL'); });
  fs.mkdirSync(path.join(dir, 'cluster'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'cluster', 'kubelet-pids.json'), JSON.stringify({ [orphan.pid!]: { pod: 'lab/old', container: 'echo', startedAt: '' } }));
  await eventually(() => orphan.pid && fs.existsSync(`/proc/${orphan.pid}/cmdline`) && fs.readFileSync(`/proc/${orphan.pid}/cmdline`, 'utf8').includes(cliPath), 'orphan running');
  const { logs } = await harness(t, { dir });
  await exited;
  t.true(logs.some((l) => /left by a previous run: lab\/old\/echo/.test(l)));
});
