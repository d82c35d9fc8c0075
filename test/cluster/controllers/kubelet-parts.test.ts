// The kubelet's pure parts: images → programs, env resolution, volumes on disk, port maps, readiness without a probe.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { checkReadiness } from '../../../source/cluster/embedded/kubelet/readiness.js';
import { FakeStore } from './fake-store.js';
import { imageEnvironment, imageRepository, impliedPorts, OWN_IMAGE_MALLOC_TUNABLES, programFor, refusedCommand, unknownImageMessage } from '../../../source/cluster/embedded/kubelet/images.js';
import { containerEnvironment } from '../../../source/cluster/embedded/kubelet/pod-runtime.js';
import { ContainerConfigError, expandReferences, resolveEnv } from '../../../source/cluster/embedded/kubelet/env.js';
import { CONTAINER_LOG_MAX_BYTES, containerLogMaxBytes, rotatePodLog } from '../../../source/cluster/embedded/kubelet/pod-logs.js';
import { materializeVolumes, MountError, rewriteMountedPaths } from '../../../source/cluster/embedded/kubelet/volumes.js';
import { effectivePort, podPortMap, unprivilegedPort } from '../../../source/cluster/embedded/kubelet/port-map.js';
import { formatPortMap, parsePortMap } from '../../../source/cluster/port-map-annotation.js';
import { CONFIGMAPS, SECRETS } from '../../../source/cluster/embedded/controllers/resource-keys.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';

test('image references resolve to programs; the project image runs its args through the CLI', (t) => {
  t.is(imageRepository('ghcr.io/llm-d/llm-d-inference-sim:latest'), 'ghcr.io/llm-d/llm-d-inference-sim');
  t.is(imageRepository('docker.io/mccutchen/go-httpbin:v2.15@sha256:abc'), 'mccutchen/go-httpbin');
  t.is(imageRepository('localhost:5000/x'), 'localhost:5000/x');
  t.deepEqual(programFor({ image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.5', args: ['--model', 'm'] })?.argv, ['workload', 'inference-sim', '--model', 'm']);
  t.deepEqual(programFor({ image: 'ghcr.io/agw-workshop/agw-workshop:0.1.0', args: ['gateway', 'proxy', '--gateway', 'ns/gw'] })?.argv, ['gateway', 'proxy', '--gateway', 'ns/gw']);
  t.deepEqual(programFor({ image: 'ghcr.io/agw-workshop/agw-workshop', command: ['agw-workshop', 'gateway'], args: ['controller'] })?.argv, ['gateway', 'controller']);
  t.deepEqual(programFor({ image: 'gcr.io/k8s-staging-gateway-api/echo-basic:v20240412' })?.argv, ['workload', 'echo-basic']);
  t.deepEqual(programFor({ image: 'mccutchen/go-httpbin', command: ['/bin/go-httpbin', '-port', '8080'] })?.argv, ['workload', 'go-httpbin', '-port', '8080']);
  t.deepEqual(programFor({ image: 'jaegertracing/all-in-one:1.65.0', args: ['--memory.max-traces=1000'] })?.argv, ['workload', 'jaeger', '--memory.max-traces=1000']);
  t.deepEqual(programFor({ image: 'docker.io/jaegertracing/jaeger:2.1.0' })?.argv, ['workload', 'jaeger']);
  // The conformance suite's base manifests run coredns with a Corefile from a ConfigMap and declare no port.
  t.deepEqual(programFor({ image: 'registry.k8s.io/coredns/coredns:v1.14.6', args: ['-conf', '/root/Corefile'] })?.argv, ['workload', 'coredns', '-conf', '/root/Corefile']);
  t.deepEqual(impliedPorts({ image: 'registry.k8s.io/coredns/coredns:v1.14.6' }), [53]);
  t.deepEqual(impliedPorts({ image: 'docker.io/jaegertracing/jaeger:2.1.0' }), []);
  t.is(programFor({ image: 'nginx:1.27' }), undefined);
  t.regex(unknownImageMessage('nginx:1.27'), /"nginx:1\.27".*known images: .*ghcr\.io\/llm-d\/llm-d-inference-sim/);
});

test('the project image runs only `gateway ...` and `workload ...` in a pod; `cluster down` and the learner\'s other commands are refused', (t) => {
  const own = 'ghcr.io/agw-workshop/agw-workshop:0.1.0';
  t.is(refusedCommand({ image: own, args: ['gateway', 'proxy', '--gateway', 'ns/gw'] }), undefined);
  t.is(refusedCommand({ image: own, command: ['agw-workshop', 'workload'], args: ['echo-basic'] }), undefined);
  t.is(refusedCommand({ image: 'mccutchen/go-httpbin', args: ['cluster', 'down'] }), undefined, 'other images run their workload whatever the args');
  for (const container of [
    { image: own, args: ['cluster', 'down'] },
    { image: own, command: ['node', 'dist/source/cli.js', 'cluster'], args: ['reset'] },
    { image: own, command: ['agw-workshop'], args: ['cleanup', 'sni-matching'] },
    { image: own, args: [] },
    { image: own, args: ['--help'] },
  ]) {
    t.regex(refusedCommand(container) ?? '', /runs only "gateway \.\.\." and "workload \.\.\." in a pod/, JSON.stringify(container));
  }
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function storeWithConfig(): FakeStore {
  const store = new FakeStore();
  store.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'lab' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('CERT'), 'tls.key': b64('KEY') } });
  store.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'lab' }, data: { mode: 'echo', 'app.yaml': 'a: 1\n' } });
  return store;
}

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'lab', uid: 'u-1', labels: { app: 'x' } }, spec: {} };

test('env: values, fieldRef, secretKeyRef, configMapKeyRef, envFrom, $(VAR) expansion; a missing key says which', (t) => {
  const store = storeWithConfig();
  const env = resolveEnv(store, pod, {
    name: 'c',
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
    env: [
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'KEY', valueFrom: { secretKeyRef: { name: 'tls', key: 'tls.key' } } },
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
      { name: 'URL', value: 'http://$(IP):8000/$(NAME) $$(NAME) $(NOPE)' },
    ],
  }, '127.9.1.7');
  t.like(env, { NAME: 'p', NS: 'lab', IP: '127.9.1.7', APP: 'x', KEY: 'KEY', MODE: 'echo', CFG_mode: 'echo', URL: 'http://127.9.1.7:8000/p $(NAME) $(NOPE)' });
  t.is(expandReferences('--ip=$(POD_IP)', { POD_IP: '1.2.3.4' }), '--ip=1.2.3.4');
  const error = t.throws(() => resolveEnv(store, pod, { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'tls', key: 'ca.crt' } } }] }, ''));
  t.true(error instanceof ContainerConfigError);
  t.regex(error!.message, /couldn't find key ca\.crt in Secret lab\/tls/);
});

test('the image brings its own environment, as a Dockerfile ENV does, and the pod\'s env overrides it', (t) => {
  // The project's image (the gateway proxy's pods) sets glibc's malloc thresholds (images.ts says why).
  t.deepEqual(imageEnvironment({ image: 'ghcr.io/agw-workshop/agw-workshop:latest' }), { GLIBC_TUNABLES: OWN_IMAGE_MALLOC_TUNABLES });
  t.deepEqual(imageEnvironment({ image: 'mccutchen/go-httpbin' }), {});
  t.deepEqual(imageEnvironment({ image: 'nginx:1.27' }), {});
  const store = storeWithConfig();
  const inputs = { store, pod, podIP: '127.9.1.7', portMap: new Map<number, number>(), mounts: new Map<string, string>(), kubeconfigPath: '/k', home: '/h' };
  const own = { name: 'c', image: 'ghcr.io/agw-workshop/agw-workshop' };
  t.is(containerEnvironment({ ...inputs, container: own }).env.GLIBC_TUNABLES, OWN_IMAGE_MALLOC_TUNABLES);
  const overridden = containerEnvironment({ ...inputs, container: { ...own, env: [{ name: 'GLIBC_TUNABLES', value: 'glibc.malloc.arena_max=1' }] } });
  t.is(overridden.env.GLIBC_TUNABLES, 'glibc.malloc.arena_max=1');
  t.false('GLIBC_TUNABLES' in containerEnvironment({ ...inputs, container: { name: 'c', image: 'mccutchen/go-httpbin' } }).env);
});

test('volumes: Secrets become 0600 files, ConfigMaps 0644, items and subPath honoured, paths in args rewritten', (t) => {
  const store = storeWithConfig();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-kubelet-vol-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const withVolumes: KubeObject = {
    ...pod,
    spec: {
      volumes: [{ name: 'certs', secret: { secretName: 'tls' } }, { name: 'conf', configMap: { name: 'cfg', items: [{ key: 'app.yaml', path: 'config/app.yaml' }] } }],
      containers: [{ name: 'c', volumeMounts: [{ name: 'certs', mountPath: '/etc/certs' }, { name: 'conf', mountPath: '/etc/app.yaml', subPath: 'config/app.yaml' }] }],
    },
  };
  const mounts = materializeVolumes(store, withVolumes, dir).get('c')!;
  const certDir = mounts.get('/etc/certs')!;
  t.is(fs.readFileSync(path.join(certDir, 'tls.key'), 'utf8'), 'KEY');
  t.is(fs.statSync(path.join(certDir, 'tls.key')).mode & 0o777, 0o600);
  t.is(fs.readFileSync(mounts.get('/etc/app.yaml')!, 'utf8'), 'a: 1\n');
  t.is(fs.statSync(mounts.get('/etc/app.yaml')!).mode & 0o777, 0o644);
  t.is(rewriteMountedPaths('--cert=/etc/certs/tls.crt', mounts), `--cert=${certDir}/tls.crt`);
  t.is(rewriteMountedPaths('a.com=/etc/certs/tls.crt,/etc/certs/tls.key', mounts), `a.com=${certDir}/tls.crt,${certDir}/tls.key`);
  t.is(rewriteMountedPaths('/etc/certsX/file', mounts), '/etc/certsX/file', 'only whole path segments');
  const missing: KubeObject = { ...pod, spec: { volumes: [{ name: 'v', secret: { secretName: 'absent' } }], containers: [] } };
  const error = t.throws(() => materializeVolumes(store, missing, dir));
  t.true(error instanceof MountError);
  t.regex(error!.message, /secret "absent" not found/);
});

test('volumes: the kubelet refuses to write or delete outside the pod directory, whatever the pod says (names, subPath, a planted link)', (t) => {
  const store = storeWithConfig();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-kubelet-escape-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const podDir = path.join(root, 'pods', 'lab_p_u-1');
  const victim = path.join(root, 'victim');
  fs.mkdirSync(victim, { recursive: true });
  fs.writeFileSync(path.join(victim, 'precious.txt'), 'keep me');
  const escaping = (volumes: unknown[], mounts: unknown[] = []): KubeObject => ({ ...pod, spec: { volumes, containers: [{ name: 'c', volumeMounts: mounts }] } });
  const refused = (object: KubeObject, why: RegExp) => {
    const error = t.throws(() => materializeVolumes(store, object, podDir));
    t.true(error instanceof MountError);
    t.regex(error!.message, why);
  };
  refused(escaping([{ name: '../../../victim', secret: { secretName: 'tls' } }]), /outside the pod's directory/);
  refused(escaping([{ name: 'certs', secret: { secretName: 'tls' } }], [{ name: 'certs', mountPath: '/x', subPath: '../../../../victim' }]), /outside the pod's directory/);
  // A link planted where a volume goes (by anything) is not followed out.
  fs.mkdirSync(path.join(podDir, 'volumes'), { recursive: true });
  fs.symlinkSync(victim, path.join(podDir, 'volumes', 'keys'));
  refused(escaping([{ name: 'keys', secret: { secretName: 'tls' } }]), /leads outside the pod's directory/);
  t.deepEqual(fs.readdirSync(victim), ['precious.txt'], 'nothing written into or deleted from the victim directory');
  t.is(fs.readFileSync(path.join(victim, 'precious.txt'), 'utf8'), 'keep me');
});

test('port maps: below 1024 without root → +8000; without a loopback range every declared port gets its own', (t) => {
  t.is(unprivilegedPort(443, false), 8443);
  t.is(unprivilegedPort(443, true), 443);
  t.is(unprivilegedPort(8000, false), 8000);
  t.deepEqual([...podPortMap({ containerPorts: [443, 8000], privileged: false, loopbackRange: true, allocate: () => 0 })], [[443, 8443]]);
  t.deepEqual([...podPortMap({ containerPorts: [443], privileged: true, loopbackRange: true, allocate: () => 0 })], []);
  const free = [40001, 40002];
  t.deepEqual([...podPortMap({ containerPorts: [443, 8000], privileged: true, loopbackRange: false, allocate: () => free.shift()! })], [[443, 40001], [8000, 40002]]);
  const map = parsePortMap('443:8443, 80:8080');
  t.is(formatPortMap(map), '80:8080,443:8443');
  t.is(effectivePort(443, map, false), 8443);
  t.is(effectivePort(9000, map, false), 9000);
  t.is(effectivePort(22, new Map(), false), 8022);
  t.throws(() => parsePortMap('443-8443'), { message: /"443-8443" is not <port>:<port>/ });
  t.throws(() => parsePortMap('{"443":8443}'), { message: /is not <port>:<port>/ }, 'one format: the proxy writes the text form too');
});

test('pod logs rotate past their size as the kubelet does: copy to .1, older copies shift, at most N files, the writer carries on at the new end', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-pod-log-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'ns_pod.log');
  const fd = fs.openSync(file, 'a'); // as the pod's stdout: O_APPEND
  t.teardown(() => fs.closeSync(fd));
  t.false(rotatePodLog(file, 1024, 3), 'absent or small: nothing to do');
  for (let round = 0; round < 4; round++) {
    fs.writeSync(fd, `${String(round).repeat(2000)}\n`);
    t.true(rotatePodLog(file, 1024, 3));
    t.is(fs.statSync(file).size, 0);
    t.is(fs.readFileSync(`${file}.1`, 'utf8')[0], String(round));
  }
  fs.writeSync(fd, 'after\n');
  t.is(fs.readFileSync(file, 'utf8'), 'after\n', 'the writer continues at the start of the truncated file');
  t.deepEqual(fs.readdirSync(dir).sort(), ['ns_pod.log', 'ns_pod.log.1', 'ns_pod.log.2']);
  t.is(fs.readFileSync(`${file}.2`, 'utf8')[0], '2');
});

test('containerLogMaxSize comes from AGW_CONTAINER_LOG_MAX_SIZE in the kubelet\'s quantity form; anything else keeps 10Mi', (t) => {
  t.is(containerLogMaxBytes({}), CONTAINER_LOG_MAX_BYTES);
  t.is(containerLogMaxBytes({ AGW_CONTAINER_LOG_MAX_SIZE: '8Ki' }), 8192);
  t.is(containerLogMaxBytes({ AGW_CONTAINER_LOG_MAX_SIZE: '20Mi' }), 20 * 1024 * 1024);
  t.is(containerLogMaxBytes({ AGW_CONTAINER_LOG_MAX_SIZE: '500000' }), 500_000);
  t.is(containerLogMaxBytes({ AGW_CONTAINER_LOG_MAX_SIZE: '5M' }), 5_000_000);
  for (const bad of ['0', '-1Ki', '1.5Mi', 'ten', '8KB']) t.is(containerLogMaxBytes({ AGW_CONTAINER_LOG_MAX_SIZE: bad }), CONTAINER_LOG_MAX_BYTES, bad);
});

test('readiness without a probe or declared ports: a coredns container is ready once its image\'s port 53 (as mapped) accepts, another image while alive', async (t) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const mapped = (server.address() as net.AddressInfo).port;
  server.close();
  await once(server, 'close');
  const target = { host: '127.0.0.1', portMap: new Map([[53, mapped]]), privileged: false };
  const coredns = { name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.14.6' };
  t.false(await checkReadiness(coredns, target));
  const dns = net.createServer();
  await new Promise<void>((resolve) => dns.listen(mapped, '127.0.0.1', resolve));
  t.teardown(() => dns.close());
  t.true(await checkReadiness(coredns, target));
  t.true(await checkReadiness({ name: 'echo', image: 'registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0' }, target));
});
