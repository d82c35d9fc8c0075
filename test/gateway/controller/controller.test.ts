// The controller in the embedded cluster, as a learner meets it: the install
// manifests run it as a pod; a Gateway gets a proxy Deployment and a
// LoadBalancer Service labelled with its name, status with the Service's
// address, Programmed once its proxy pod is ready; deleting it removes both.
import test from 'ava';
import http from 'node:http';
import { run, startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { loadKubeConfig } from '../../../source/cluster/kubeconfig.js';
import { TRANSLATION_KINDS, watchSnapshot, type WatchedKind } from '../../../gateway/watch/index.js';
import type { TranslateInput } from '../../../gateway/translate/index.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startTestCluster();
});

test.after.always(async () => {
  await cluster?.stop();
});

const kubectl = (args: string[], input?: string) => cluster.kubectlOk(args, input);

function httpStatus(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: '/', timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: agentgateway-proxy, namespace: agentgateway-system}
spec:
  gatewayClassName: enterprise-agentgateway
  listeners:
    - {name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
    - {name: https, port: 8443, protocol: HTTPS, tls: {certificateRefs: [{name: no-such-secret}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: broken, namespace: default}
spec:
  parentRefs: [{name: agentgateway-proxy, namespace: agentgateway-system, sectionName: http}]
  rules: [{backendRefs: [{name: nope, port: 80}]}]
`;

test.serial('the install manifests run the controller, which accepts both GatewayClasses', async (t) => {
  await kubectl(['wait', '--for=condition=Available', 'deployment/agw-workshop-controller', '-n', 'agentgateway-system', '--timeout=60s']);
  await kubectl(['wait', '--for=condition=Accepted', 'gatewayclass/agentgateway', 'gatewayclass/enterprise-agentgateway', '--timeout=30s']);
  const reason = await kubectl(['get', 'gatewayclass', 'enterprise-agentgateway', '-o', 'jsonpath={.status.conditions[?(@.type=="Accepted")].reason}']);
  t.is(reason, 'Accepted');
  const features = (await kubectl(['get', 'gatewayclass', 'agentgateway', '-o', 'jsonpath={.status.supportedFeatures[*].name}'])).split(' ');
  t.true(features.includes('HTTPRouteCORS') && features.includes('TLSRoute') && features.includes('GatewayInfrastructurePropagation'), features.join(' '));
  t.false(features.includes('GRPCRoute'), 'a feature we do not implement is not claimed');
});

test.serial('a Gateway gets a proxy Deployment, a LoadBalancer Service, its address, and Programmed once the proxy is ready', async (t) => {
  await kubectl(['apply', '-f', '-'], GATEWAY);
  await kubectl(['wait', '--for=condition=Programmed', 'gateway/agentgateway-proxy', '-n', 'agentgateway-system', '--timeout=60s']);

  const deployment = JSON.parse(await kubectl(['get', 'deployment', 'agentgateway-proxy', '-n', 'agentgateway-system', '-o', 'json']));
  t.is(deployment.metadata.labels['gateway.networking.k8s.io/gateway-name'], 'agentgateway-proxy');
  t.is(deployment.metadata.ownerReferences[0].kind, 'Gateway');
  const container = deployment.spec.template.spec.containers[0];
  t.regex(container.image, /^ghcr\.io\/agw-workshop\/agw-workshop:\d+\.\d+\.\d+/);
  t.deepEqual(container.args, ['gateway', 'proxy', '--gateway', 'agentgateway-system/agentgateway-proxy']);

  // The lab text's own line for the address.
  const ip = await kubectl([
    'get', 'svc', '-n', 'agentgateway-system', '--selector=gateway.networking.k8s.io/gateway-name=agentgateway-proxy',
    '-o', 'jsonpath={.items[*].status.loadBalancer.ingress[0].ip}{.items[*].status.loadBalancer.ingress[0].hostname}',
  ]);
  t.regex(ip, /^127\.\d+\.\d+\.\d+$/);
  const service = JSON.parse(await kubectl(['get', 'svc', 'agentgateway-proxy', '-n', 'agentgateway-system', '-o', 'json']));
  t.is(service.spec.type, 'LoadBalancer');
  t.deepEqual(service.spec.ports.map((p: any) => [p.port, p.targetPort]), [[8080, 8080], [8443, 8443]]);

  const status = JSON.parse(await kubectl(['get', 'gateway', 'agentgateway-proxy', '-n', 'agentgateway-system', '-o', 'jsonpath={.status}']));
  t.deepEqual(status.addresses, [{ type: 'IPAddress', value: ip }]);
  const https = status.listeners.find((l: any) => l.name === 'https');
  const resolved = https.conditions.find((c: any) => c.type === 'ResolvedRefs');
  t.is(resolved.status, 'False');
  t.is(resolved.reason, 'InvalidCertificateRef');
  t.is(https.conditions.find((c: any) => c.type === 'Programmed').status, 'False');
  t.is(status.listeners.find((l: any) => l.name === 'http').attachedRoutes, 1);

  // The proxy answers on the Gateway's address (no route matches "/" with a valid backend: 500 from the invalid backendRef).
  t.is(await httpStatus(ip, 8080), 500);
});

test.serial('a listener added to the Gateway is a hot swap in the same proxy pod, not a rollout', async (t) => {
  const podsBefore = JSON.parse(await kubectl(['get', 'pods', '-n', 'agentgateway-system', '-l', 'gateway.networking.k8s.io/gateway-name=agentgateway-proxy', '-o', 'json']));
  t.is(podsBefore.items.length, 1);
  const uid = podsBefore.items[0].metadata.uid;
  const deploymentGeneration = async () => kubectl(['get', 'deployment', 'agentgateway-proxy', '-n', 'agentgateway-system', '-o', 'jsonpath={.metadata.generation}']);
  const generationBefore = await deploymentGeneration();
  const withExtraListener = GATEWAY.replace('listeners:', `listeners:
    - name: extra
      port: 9090
      protocol: HTTP
      allowedRoutes:
        namespaces:
          from: All`);
  t.not(withExtraListener, GATEWAY);
  await kubectl(['apply', '-f', '-'], withExtraListener);
  const ip = await kubectl(['get', 'gateway', 'agentgateway-proxy', '-n', 'agentgateway-system', '-o', 'jsonpath={.status.addresses[0].value}']);
  // The new port answers through the load balancer once kube-proxy and the proxy have it (bounded wait).
  const deadline = Date.now() + 30_000;
  let answered = 0;
  while (Date.now() < deadline && answered === 0) {
    answered = await httpStatus(ip, 9090).catch(() => 0);
  }
  t.is(answered, 404, 'the extra listener serves (no route attaches to it: 404)');
  // The controller writes status after reconciling the proxy's Deployment: once the new listener is in
  // the status, the Deployment has been reconciled for it.
  await kubectl(['wait', '--for=jsonpath={.status.listeners[0].name}=extra', 'gateway/agentgateway-proxy', '-n', 'agentgateway-system', '--timeout=30s']);
  t.is(await deploymentGeneration(), generationBefore, 'the proxy Deployment spec is unchanged');
  const podsAfter = JSON.parse(await kubectl(['get', 'pods', '-n', 'agentgateway-system', '-l', 'gateway.networking.k8s.io/gateway-name=agentgateway-proxy', '-o', 'json']));
  t.deepEqual(podsAfter.items.map((p: any) => p.metadata.uid), [uid], 'the same proxy pod serves the new listener');
  await kubectl(['apply', '-f', '-'], GATEWAY);
});

test.serial('route status names the missing backend; an unchanged Gateway status is not rewritten', async (t) => {
  await kubectl(['wait', 'httproute/broken', '-n', 'default', '--for=jsonpath={.status.parents[0].conditions[?(@.type=="ResolvedRefs")].reason}=BackendNotFound', '--timeout=20s']);
  const parent = JSON.parse(await kubectl(['get', 'httproute', 'broken', '-n', 'default', '-o', 'jsonpath={.status.parents[0]}']));
  t.is(parent.controllerName, 'agw-workshop.dev/gateway-controller');
  t.is(parent.conditions.find((c: any) => c.type === 'Accepted').status, 'True');

  const gatewayBefore = JSON.parse(await kubectl(['get', 'gateway', 'agentgateway-proxy', '-n', 'agentgateway-system', '-o', 'json']));
  // A route change the controller must answer (generation 2); the Gateway's own status stays the same.
  await kubectl(['patch', 'httproute', 'broken', '-n', 'default', '--type=merge', '-p', '{"spec":{"rules":[{"backendRefs":[{"name":"still-missing","port":80}]}]}}']);
  await kubectl(['wait', 'httproute/broken', '-n', 'default', '--for=jsonpath={.status.parents[0].conditions[?(@.type=="ResolvedRefs")].observedGeneration}=2', '--timeout=20s']);
  const gatewayAfter = JSON.parse(await kubectl(['get', 'gateway', 'agentgateway-proxy', '-n', 'agentgateway-system', '-o', 'json']));
  t.is(gatewayAfter.metadata.resourceVersion, gatewayBefore.metadata.resourceVersion);
  t.deepEqual(gatewayAfter.status.conditions, gatewayBefore.status.conditions);
});

test.serial('spec.infrastructure labels and annotations reach the proxy Deployment, its pod and its Service (conformance GatewayInfraMetadata, its manifest as written)', async (t) => {
  // gateway-api conformance/tests/gateway-infrastructure-metadata.yaml, with the class name filled in.
  await cluster.createNamespace('gateway-conformance-infra');
  await kubectl(['apply', '-f', '-'], `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gateway-infra-metadata
  namespace: gateway-conformance-infra
spec:
  gatewayClassName: "agentgateway"
  infrastructure:
    labels:
      label-key: label-value
    annotations:
      annotation-key: annotation-value
  listeners:
  - name: http
    port: 8080
    protocol: HTTP
`);
  await kubectl(['wait', '--for=condition=Programmed', 'gateway/gateway-infra-metadata', '-n', 'gateway-conformance-infra', '--timeout=60s']);
  const ns = ['-n', 'gateway-conformance-infra'];
  const deployment = JSON.parse(await kubectl(['get', 'deployment', 'gateway-infra-metadata', ...ns, '-o', 'json']));
  const service = JSON.parse(await kubectl(['get', 'service', 'gateway-infra-metadata', ...ns, '-o', 'json']));
  const pods = JSON.parse(await kubectl(['get', 'pods', ...ns, '-l', 'gateway.networking.k8s.io/gateway-name=gateway-infra-metadata,label-key=label-value', '-o', 'json']));
  t.true(pods.items.length > 0, 'the proxy pod carries the infrastructure label');
  for (const metadata of [deployment.metadata, service.metadata, ...pods.items.map((p: any) => p.metadata)]) {
    t.is(metadata.labels['label-key'], 'label-value');
    t.is(metadata.annotations['annotation-key'], 'annotation-value');
    t.is(metadata.labels['gateway.networking.k8s.io/gateway-name'], 'gateway-infra-metadata');
  }
  await kubectl(['delete', 'gateway', 'gateway-infra-metadata', ...ns]);
});

test.serial('deleting the Gateway removes its Deployment and Service', async (t) => {
  await kubectl(['delete', 'gateway', 'agentgateway-proxy', '-n', 'agentgateway-system']);
  await kubectl(['wait', '--for=delete', 'deployment/agentgateway-proxy', 'service/agentgateway-proxy', '-n', 'agentgateway-system', '--timeout=30s']);
  const left = await cluster.kubectl(['get', 'deployment,service', '-n', 'agentgateway-system', '-l', 'gateway.networking.k8s.io/gateway-name=agentgateway-proxy', '-o', 'name']);
  t.is(left.stdout.trim(), '');
});

test.serial('the watch treats a kind the API does not serve as empty, and delivers changes of the others', async (t) => {
  const lines: string[] = [];
  const secrets = TRANSLATION_KINDS.find((k) => k.kind === 'Secret')!;
  const absent: WatchedKind = { field: 'kgatewayBackends', kind: 'Widget', group: 'widgets.example.com', versions: ['v1'], plural: 'widgets' };
  let resolveSeen: (input: TranslateInput) => void = () => {};
  const seen = new Promise<TranslateInput>((resolve) => (resolveSeen = resolve));
  const watch = watchSnapshot(
    (input) => {
      if (input.secrets.some((s) => s.metadata?.name === 'watched')) resolveSeen(input);
    },
    { kubeConfig: loadKubeConfig({ kubeconfig: cluster.kubeconfig }), kinds: [secrets, absent], log: (line) => lines.push(line), debounceMs: 10 },
  );
  t.teardown(() => watch.stop());
  await watch.ready;
  t.true(lines.some((l) => l.includes('Widget') && l.includes('not served')), lines.join('\n'));
  t.deepEqual(watch.snapshot().kgatewayBackends, []);
  await kubectl(['create', 'secret', 'generic', 'watched', '-n', 'default', '--from-literal=k=v']);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no snapshot with the new Secret within 10 s')), 10_000).unref());
  const input = await Promise.race([seen, timeout]);
  const secret = input.secrets.find((s) => s.metadata?.name === 'watched')!;
  t.is(secret.kind, 'Secret');
  t.is(typeof secret.metadata?.creationTimestamp, 'string');
});

// A pod told to stop while its watches are still starting must exit by itself:
// before this was handled, a watch opened after stop() kept the controller
// alive until the kubelet's SIGKILL (every `cluster down` right after `up` took 5 s).
test('a snapshot watch stopped while it is still starting opens no watch and lets the process exit', async (t) => {
  const watchModule = new URL('../../../dist/gateway/watch/index.js', import.meta.url).href;
  const script = `
    const { watchSnapshot } = await import(${JSON.stringify(watchModule)});
    const watch = watchSnapshot(() => {}, { includeProxyDeployments: true });
    await watch.stop();
    await watch.ready;
    console.log('stopped');`;
  const result = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, timeoutMs: 15_000 });
  t.is(result.code, 0, `the process did not exit by itself within 15 s (killed): ${result.stderr}`);
  t.regex(result.stdout, /stopped/);
});
