// Issue 17 item 1 against the Gateway API conformance suite's own manifests:
// TLSRoute to the suite's tcp-backend (echo-basic in TCP mode), Passthrough,
// Terminate, both on one port, and Terminate re-encrypted by a
// BackendTLSPolicy. Each test applies the suite's file unchanged with real
// kubectl and speaks the suite's line protocol (welcome, PING, IS_TLS, TEST)
// through real `openssl s_client`, verifying the gateway's certificate with
// the suite's CA as the suite's Go client does.
// Mirrors TLSRouteSimpleSameNamespace, TLSRouteTerminateSimpleSameNamespace,
// TLSRouteMixedTerminationSameNamespace, BackendTLSPolicyTLSRouteTerminate.
import test from 'ava';
import { ancestorConditions, conditionProblem, INFRA, parentConditions, startSuite, type Suite } from './harness.js';

let suite: Suite;

test.before(async () => {
  suite = await startSuite();
  await suite.namespacesReady([INFRA]);
});
test.after.always(async () => {
  await suite?.stop();
});

const WELCOME = 'Gateway API Test TCP Server';

interface TcpAssertions { namespace: string; pod: string; tls?: { serverName?: string } }

/** tcp.MakeTCPRequestAndExpectEventuallyValidResponse, with openssl as the client; bounded. */
async function expectTcpEcho(gateway: string, port: number, serverName: string, expected: { backendIsTls: boolean; hostname: string }): Promise<TcpAssertions> {
  const target = await suite.gatewayAddress(gateway, port);
  let problem = '';
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const { lines, stderr } = await suite.tlsLines(target, serverName, suite.caPem('tls-checks-ca-certificate'));
    if (lines[0] !== WELCOME) problem = `welcome line ${JSON.stringify(lines[0])}; openssl: ${stderr.slice(0, 300)}`;
    else if (lines[1] !== 'PONG') problem = `PING answered ${JSON.stringify(lines[1])}`;
    else if (lines[2] !== String(expected.backendIsTls)) problem = `IS_TLS answered ${JSON.stringify(lines[2])}, want ${expected.backendIsTls}`;
    else {
      const payload = JSON.parse(lines[3] ?? '{}') as TcpAssertions;
      if (payload.namespace !== INFRA) problem = `namespace ${payload.namespace}`;
      else if (!payload.pod?.startsWith('tcp-backend-')) problem = `pod ${payload.pod}`;
      else if (expected.hostname && payload.tls?.serverName !== expected.hostname) problem = `backend SNI ${payload.tls?.serverName}, want ${expected.hostname}`;
      else return payload;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${gateway}:${port} ${serverName}: ${problem}`);
}

async function routeAccepted(route: string, gateway: string): Promise<void> {
  await suite.until('tlsroute', INFRA, route, (r) => conditionProblem(parentConditions(r, gateway), 'Accepted', 'True') ?? conditionProblem(parentConditions(r, gateway), 'ResolvedRefs', 'True'));
}

test('TLSRouteSimpleSameNamespace: Passthrough reaches tcp-backend over TLS, which sees the client\'s SNI', async (t) => {
  await suite.apply('tests/tlsroute-simple-same-namespace.yaml');
  await suite.namespacesReady([INFRA]);
  await routeAccepted('gateway-conformance-infra-test', 'gateway-tlsroute');
  const payload = await expectTcpEcho('gateway-tlsroute', 443, 'abc.example.com', { backendIsTls: true, hostname: 'abc.example.com' });
  t.is(payload.tls?.serverName, 'abc.example.com');
});

test('TLSRouteTerminateSimpleSameNamespace: Terminate reaches tcp-backend in plain text', async (t) => {
  await suite.apply('tests/tlsroute-terminate-simple-same-namespace.yaml');
  await suite.namespacesReady([INFRA]);
  await routeAccepted('tlsroute-terminated-test', 'gateway-tlsroute-terminate');
  const payload = await expectTcpEcho('gateway-tlsroute-terminate', 8443, 'tls.example.com', { backendIsTls: false, hostname: '' });
  t.falsy(payload.tls?.serverName);
});

test('TLSRouteMixedTerminationSameNamespace: Terminate and Passthrough listeners on one port, each with its route', async (t) => {
  await suite.apply('tests/tlsroute-mixed-termination-same-namespace.yaml');
  await suite.namespacesReady([INFRA]);
  const gateway = 'gateway-tlsroute-mixed-termination';
  await routeAccepted('gateway-conformance-mixed-passthroughroute', gateway);
  await routeAccepted('gateway-conformance-mixed-terminateroute', gateway);
  const status = await suite.until('gateway', INFRA, gateway, (g) => {
    for (const name of ['tls-terminate', 'tls-passthrough']) {
      const listener = (g.status?.listeners ?? []).find((l: { name: string }) => l.name === name);
      if (!listener) return `no listener status ${name}`;
      if (listener.attachedRoutes !== 1) return `${name}: attachedRoutes ${listener.attachedRoutes}`;
      const kinds = JSON.stringify(listener.supportedKinds);
      if (kinds !== JSON.stringify([{ group: 'gateway.networking.k8s.io', kind: 'TLSRoute' }])) return `${name}: supportedKinds ${kinds}`;
      const problem = conditionProblem(listener.conditions, 'Accepted', 'True', 'Accepted');
      if (problem) return `${name}: ${problem}`;
    }
    return undefined;
  });
  t.truthy(status);
  const terminated = await expectTcpEcho(gateway, 8883, 'tls.example.com', { backendIsTls: false, hostname: '' });
  t.falsy(terminated.tls?.serverName);
  const passedThrough = await expectTcpEcho(gateway, 8883, 'abc.example.com', { backendIsTls: true, hostname: 'abc.example.com' });
  t.is(passedThrough.tls?.serverName, 'abc.example.com');
});

test('BackendTLSPolicyTLSRouteTerminate: terminated at the gateway, re-encrypted to the backend with the policy\'s hostname as SNI', async (t) => {
  await suite.apply('tests/backendtlspolicy-tlsroute-terminate.yaml');
  await suite.namespacesReady([INFRA]);
  const gateway = 'gateway-btls-tlsroute-terminate';
  await routeAccepted('backendtlspolicy-tlsroute-terminate', gateway);
  await suite.until('backendtlspolicy', INFRA, 'btls-tlsroute-terminate-test', (p) =>
    conditionProblem(ancestorConditions(p, gateway), 'Accepted', 'True', 'Accepted') ?? conditionProblem(ancestorConditions(p, gateway), 'ResolvedRefs', 'True', 'ResolvedRefs'));
  const payload = await expectTcpEcho(gateway, 8443, 'tls.example.com', { backendIsTls: true, hostname: 'abc.example.com' });
  t.is(payload.tls?.serverName, 'abc.example.com');
});
