// Issue 17, status items, against the Gateway API conformance suite's own
// manifests (applied unchanged with real kubectl) and its assertions:
// the base manifests reach Ready (every pod, coredns included: item 2),
// GatewayInvalidParametersRef (item 3), BackendTLSPolicyConflictResolution
// (item 4), GatewayTLSBackendClientCertificate (item 5),
// GatewayOptionalAddressValue (item 9), GatewayInfrastructure (item 10).
// Requests go through real curl.
import test from 'ava';
import {
  ancestorConditions,
  conditionProblem,
  eventuallyConsistent,
  INFRA,
  latestConditionsProblem,
  parentConditions,
  startSuite,
  type Suite,
} from './harness.js';

let suite: Suite;

test.before(async () => {
  suite = await startSuite();
  await suite.namespacesReady();
});
test.after.always(async () => {
  await suite?.stop();
});

test.serial('base manifests: every pod of the three namespaces Ready, coredns included (issue 17 item 2), every Gateway Programmed', async (t) => {
  const pods = JSON.parse(await suite.kubectl(['get', 'pods', '-A', '-l', 'app=udp', '-o', 'json'])) as { items: Array<{ metadata: { namespace: string }; status: { conditions?: Array<{ type: string; status: string }> } }> };
  t.is(pods.items.length, 1);
  t.is(pods.items[0]!.metadata.namespace, INFRA);
  t.is(pods.items[0]!.status.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  const notReady = await suite.kubectl(['get', 'pods', '-n', INFRA, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']);
  t.notRegex(notReady, /=False/);
});

test('GatewayInvalidParametersRef: Accepted=False, reason InvalidParameters, at the latest generation', async (t) => {
  await suite.apply('tests/gateway-invalid-parameters-ref.yaml');
  const gateway = await suite.until('gateway', INFRA, 'gateway-invalid-parameters-ref', (g) => latestConditionsProblem(g) ?? conditionProblem(g.status?.conditions, 'Accepted', 'False', 'InvalidParameters'));
  t.truthy(gateway);
  // A Gateway that is not accepted gets no data plane: no pod that would never be Ready and hold
  // back the suite's NamespacesMustBeReady for every later test.
  // The status is written after the controller made the Gateway's workloads, so a Deployment would be there by now.
  const made = await suite.kubectl(['get', 'deployments,services,pods', '-n', INFRA, '-l', 'gateway.networking.k8s.io/gateway-name=gateway-invalid-parameters-ref', '-o', 'name']);
  t.is(made.trim(), '');
});

test('GatewayOptionalAddressValue: an address with only a type is accepted and an address is assigned', async (t) => {
  await suite.apply('tests/gateway-optional-address-value.yaml');
  await suite.namespacesReady([INFRA]);
  const gateway = await suite.until('gateway', INFRA, 'gateway-without-address-value', (g) => latestConditionsProblem(g) ?? conditionProblem(g.status?.conditions, 'Accepted', 'True') ?? (g.status?.addresses?.[0]?.value ? undefined : 'no address'));
  t.regex(gateway.status.addresses[0].value, /^\d+\.\d+\.\d+\.\d+$/);
});

test('GatewayInfrastructure: infrastructure labels and annotations are on the pods and the Service carrying the gateway-name label', async (t) => {
  await suite.apply('tests/gateway-infrastructure.yaml');
  const name = 'gateway-with-infrastructure-metadata';
  await suite.until('gateway', INFRA, name, (g) => latestConditionsProblem(g) ?? conditionProblem(g.status?.conditions, 'Accepted', 'True'));
  for (const kind of ['pods', 'services', 'serviceaccounts']) {
    let items: Array<{ metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }> = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      items = (JSON.parse(await suite.kubectl(['get', kind, '-n', INFRA, '-l', `gateway.networking.k8s.io/gateway-name=${name}`, '-o', 'json'])) as { items: typeof items }).items;
      if (items.length || kind === 'serviceaccounts') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // The suite checks whichever of these exist; we make pods and a Service (no ServiceAccount).
    if (kind !== 'serviceaccounts') t.true(items.length > 0, `${kind} with the gateway-name label`);
    for (const item of items) {
      t.is(item.metadata.labels?.key2, 'value2', `${kind} label`);
      t.is(item.metadata.annotations?.key1, 'value1', `${kind} annotation`);
    }
  }
});

test('GatewayTLSBackendClientCertificate: Gateway ResolvedRefs=True and the backend sees the configured client certificate', async (t) => {
  await suite.apply('tests/gateway-tls-backend-client-certificate.yaml');
  await suite.namespacesReady([INFRA]);
  const name = 'gateway-tls-backend-client-certificate';
  await suite.until('httproute', INFRA, name, (r) => conditionProblem(parentConditions(r, name), 'Accepted', 'True') ?? conditionProblem(parentConditions(r, name), 'ResolvedRefs', 'True'));
  await suite.until('backendtlspolicy', INFRA, 'gateway-tls-backend-client-certificate-test', (p) => conditionProblem(ancestorConditions(p, name), 'Accepted', 'True'));
  await suite.until('gateway', INFRA, name, (g) => conditionProblem(g.status?.conditions, 'ResolvedRefs', 'True', 'ResolvedRefs'));
  const clientCert = Buffer.from(await suite.kubectl(['get', 'secret', 'tls-checks-client-certificate', '-n', INFRA, '-o', 'jsonpath={.data.tls\\.crt}']), 'base64').toString();
  const target = await suite.gatewayAddress(name, 80);
  const answer = await eventuallyConsistent(
    () => suite.curl(target, { path: '/', host: 'abc.example.com' }),
    (a) => (a.status !== 200 ? `status ${a.status}` : a.echo?.tls?.serverName !== 'abc.example.com' ? `SNI ${a.echo?.tls?.serverName}` : undefined),
  );
  t.is(answer.echo?.namespace, INFRA);
  t.true((answer.echo?.tls?.peerCertificates ?? []).map((c) => c.trim()).includes(clientCert.trim()), 'the backend captured the Secret\'s client certificate');
});

test('BackendTLSPolicyConflictResolution: the older (then alphabetically first) policy wins, the other is Accepted=False/Conflicted, requests use the winner', async (t) => {
  await suite.apply('tests/backendtlspolicy-conflict-resolution.yaml');
  const route = 'backendtlspolicy-conflict-resolution';
  const gateway = 'same-namespace';
  await suite.until('httproute', INFRA, route, (r) => conditionProblem(parentConditions(r, gateway), 'Accepted', 'True') ?? conditionProblem(parentConditions(r, gateway), 'ResolvedRefs', 'True'));
  const expect: Array<[string, string, string]> = [
    ['conflicted-without-section-name-1', 'True', 'Accepted'],
    ['conflicted-without-section-name-2', 'False', 'Conflicted'],
    ['conflicted-with-section-name-1', 'True', 'Accepted'],
    ['conflicted-with-section-name-2', 'False', 'Conflicted'],
    ['not-conflicted-with-section-name', 'True', 'Accepted'],
    ['not-conflicted-without-section-name', 'True', 'Accepted'],
  ];
  for (const [policy, status, reason] of expect) {
    await suite.until('backendtlspolicy', INFRA, policy, (p) => conditionProblem(ancestorConditions(p, gateway), 'Accepted', status, reason));
  }
  const target = await suite.gatewayAddress(gateway, 80);
  const requests: Array<[string, string]> = [
    ['/backendtlspolicy-conflicted-without-section-name', 'other.example.com'],
    ['/backendtlspolicy-conflicted-with-section-name', 'other.example.com'],
    ['/backendtlspolicy-not-conflicted-with-section-name', 'other.example.com'],
    ['/backendtlspolicy-not-conflicted-without-section-name', 'abc.example.com'],
  ];
  for (const [path, sni] of requests) {
    const answer = await eventuallyConsistent(
      () => suite.curl(target, { path, host: 'abc.example.com' }),
      (a) => (a.status !== 200 ? `${path}: status ${a.status}` : a.echo?.tls?.serverName !== sni ? `${path}: SNI ${a.echo?.tls?.serverName}, want ${sni}` : a.echo.namespace !== INFRA ? `namespace ${a.echo.namespace}` : undefined),
    );
    t.is(answer.echo?.tls?.serverName, sni, path);
  }
});
