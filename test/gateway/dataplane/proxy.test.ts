// `gateway proxy` end to end against the embedded cluster's API: objects go in
// with the real kubectl, the proxy (startProxy, what `agw-workshop gateway
// proxy` runs) watches, translates and serves them; a certificate Secret
// replaced through the API is served to new handshakes without a restart.
import test from 'ava';
import crypto from 'node:crypto';
import tls from 'node:tls';
import YAML from 'yaml';
import { issueCertificate } from '../../../source/pki/index.js';
import { loadKubeConfig } from '../../../source/cluster/kubeconfig.js';
import { startProxy, type RunningProxy } from '../../../gateway/proxy/main.js';
import { annotatePortMap, podPortMapValue, PORT_MAP_ANNOTATION } from '../../../gateway/proxy/pod-annotation.js';
import { KubeApi } from '../../../gateway/watch/kube-api.js';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { BAZ, FOO, curl, freePort, labPki, startEchoBackend } from './helpers.js';

const NS = 'proxy-e2e';
const pki = labPki();
let cluster: TestCluster | undefined;
let proxy: RunningProxy | undefined;
let echo: Awaited<ReturnType<typeof startEchoBackend>> | undefined;
let port = 0;
const accessLines: string[] = [];

function secret(name: string, issued: { certPem: string; keyPem: string }): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(issued.certPem).toString('base64'), 'tls.key': Buffer.from(issued.keyPem).toString('base64') },
  });
}

async function apply(cluster: TestCluster, ...objects: string[]): Promise<void> {
  const r = await cluster.kubectl(['apply', '-f', '-'], objects.map((o) => YAML.stringify(JSON.parse(o))).join('---\n'));
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
}

function peerFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: FOO, ca: pki.ca.certPem }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.destroy();
    });
    s.once('error', reject);
  });
}

/** Bounded wait for a condition that an informer event will make true. */
async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

test.before(async () => {
  cluster = await startTestCluster();
  echo = await startEchoBackend('echo');
  port = await freePort();
  await apply(
    cluster,
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }),
    secret('foo', pki.foo),
    JSON.stringify({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'e2e-gateway', namespace: NS },
      spec: {
        gatewayClassName: 'enterprise-agentgateway',
        listeners: [{ name: 'foo', protocol: 'HTTPS', port, hostname: FOO, tls: { mode: 'Terminate', certificateRefs: [{ name: 'foo', kind: 'Secret' }] }, allowedRoutes: { namespaces: { from: 'All' } } }],
      },
    }),
    JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: NS }, spec: { ports: [{ name: 'http', port: 80, targetPort: echo.port, protocol: 'TCP' }] } }),
    JSON.stringify({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'echo-manual', namespace: NS, labels: { 'kubernetes.io/service-name': 'echo' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'http', port: echo.port, protocol: 'TCP' }],
    }),
    JSON.stringify({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'foo-route', namespace: NS },
      spec: { hostnames: [FOO], parentRefs: [{ name: 'e2e-gateway', namespace: NS }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'echo', port: 80 }] }] },
    }),
  );
  proxy = startProxy({
    gateway: { namespace: NS, name: 'e2e-gateway' },
    kubeConfig: loadKubeConfig({ kubeconfig: cluster.kubeconfig }),
    bindAddress: '127.0.0.1',
    log: () => undefined,
    accessLog: (line) => accessLines.push(line),
  });
  await proxy.ready;
});

test.after.always(async () => {
  await proxy?.stop();
  echo?.server.close();
  await cluster?.stop();
  pki.cleanup();
});

test.serial('the proxy serves the Gateway from the API: foo → 200 with its certificate, baz → exit 35', async (t) => {
  const r = await eventually('foo answered through the proxy', async () => {
    const res = await curl(FOO, port, pki.caFile, '/from-api');
    return res.code === 0 && res.stdout.includes('"backend":"echo"') ? res : undefined;
  });
  t.regex(r.stderr, /subject: CN=mock-openai-foo\.glootest\.com; O=mock-openai organization/);
  t.is(JSON.parse(r.stdout).path, '/from-api');
  const baz = await curl(BAZ, port, pki.caFile);
  t.is(baz.code, 35);
  t.true(accessLines.some((l) => l.includes(`sni=${BAZ}`) && l.includes('flags=NS')));
});

test.serial('a certificate Secret replaced through the API reaches new handshakes', async (t) => {
  const rotated = issueCertificate({ subject: `/CN=${FOO}/O=rotated through the API`, subjectAltNames: [FOO], issuer: pki.ca, serial: 9 });
  const wanted = new crypto.X509Certificate(rotated.certPem).fingerprint256;
  t.is(await peerFingerprint(), new crypto.X509Certificate(pki.foo.certPem).fingerprint256);
  const started = performance.now();
  await apply(cluster!, secret('foo', rotated));
  await eventually('the rotated certificate served', async () => ((await peerFingerprint()) === wanted ? true : undefined));
  t.log(`kubectl apply → new certificate served in ${(performance.now() - started).toFixed(0)} ms (includes kubectl's own run)`);
  t.pass();
});

test.serial('the port map is recorded on the proxy Pod and removed when nothing is mapped', async (t) => {
  await apply(cluster!, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'proxy-pod', namespace: NS }, spec: { containers: [{ name: 'echo', image: 'registry.k8s.io/gateway-api/echo-basic:v1', args: [] }] } }));
  const api = new KubeApi(loadKubeConfig({ kubeconfig: cluster!.kubeconfig }));
  const annotation = async () => {
    const r = await cluster!.kubectl(['get', 'pod', '-n', NS, 'proxy-pod', '-o', 'json']);
    return (JSON.parse(r.stdout) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.[PORT_MAP_ANNOTATION];
  };
  await annotatePortMap(api, NS, 'proxy-pod', { '443': 8443 }, '');
  t.is(await annotation(), '443:8443');
  await annotatePortMap(api, NS, 'proxy-pod', {}, '');
  t.is(await annotation(), undefined);
  // The kubelet's entry for the status port (AGW_PORT_MAP) survives the proxy's write.
  await annotatePortMap(api, NS, 'proxy-pod', { '443': 8443 }, '15021:40123');
  t.is(await annotation(), '443:8443,15021:40123');
  await annotatePortMap(api, NS, 'proxy-pod', {}, '15021:40123');
  t.is(await annotation(), '15021:40123');
});

test('the proxy writes the kubelet\'s port map overlaid with its listeners\' remaps', (t) => {
  const cases: Array<[Record<string, number>, string | undefined, string | null]> = [
    [{}, undefined, null],
    [{}, '', null],
    [{ '443': 8443 }, undefined, '443:8443'],
    [{}, '15021:40123', '15021:40123'],
    [{ '443': 8443, '80': 8080 }, '15021:40123', '80:8080,443:8443,15021:40123'],
    // A listener port the kubelet had mapped is where the proxy really serves it.
    [{ '8443': 41000 }, '8443:40000,15021:40123', '8443:41000,15021:40123'],
  ];
  for (const [listeners, kubelet, want] of cases) t.is(podPortMapValue(listeners, kubelet), want, `${JSON.stringify(listeners)} over ${kubelet}`);
});
