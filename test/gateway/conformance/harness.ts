// The Gateway API conformance suite's setup and assertions, reproduced with
// real tools against one embedded cluster per test file: its base manifests
// and test manifests applied unchanged with real kubectl (only the suite's own
// `{GATEWAY_CLASS_NAME}` substitution), its programmatic Secrets and
// ConfigMaps made as suite.go makes them (same names, SANs and key usages),
// the suite's readiness wait (every pod of its three namespaces Ready, every
// Gateway Programmed), then traffic with real curl (HTTP) and real
// `openssl s_client` (the TLSRoute tests speak the echo server's line
// protocol over TLS, which curl cannot). Files: test/fixtures/gateway-api-conformance.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueCertificate, type IssuedCertificate } from '../../../source/pki/index.js';
import { repoRoot, requireTool, run, startTestCluster, type CommandResult, type TestCluster } from '../../helpers/cluster.js';

export const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'gateway-api-conformance');
/** The class the install creates; the suite is run with --gateway-class=agentgateway. */
export const GATEWAY_CLASS = 'agentgateway';
export const INFRA = 'gateway-conformance-infra';
export const APP_BACKEND = 'gateway-conformance-app-backend';
export const WEB_BACKEND = 'gateway-conformance-web-backend';
const SUITE_NAMESPACES = [INFRA, APP_BACKEND, WEB_BACKEND];

/** The suite's own substitution (suite.Applier), nothing else. */
export function suiteManifest(relative: string): string {
  return fs.readFileSync(path.join(FIXTURES, relative), 'utf8').replaceAll('{GATEWAY_CLASS_NAME}', GATEWAY_CLASS);
}

interface KubeJson { metadata: { name: string; namespace?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; status?: any }
export interface Condition { type: string; status: string; reason?: string; observedGeneration?: number; message?: string }

export interface HttpAnswer {
  status: number;
  headers: Record<string, string[]>;
  body: string;
  /** The echo server's RequestAssertions, when the body is one. */
  echo?: { path: string; host: string; method: string; namespace: string; pod: string; headers: Record<string, string[]>; tls?: { serverName: string; peerCertificates?: string[] } };
}

export interface Suite {
  cluster: TestCluster;
  kubectl(args: string[], input?: string): Promise<string>;
  /** `kubectl apply -f` of a suite file (base/…, tests/…). */
  apply(relative: string): Promise<void>;
  /** Deletes what `apply` applied since the last call (the suite's per-test cleanup), waiting for it to be gone. */
  removeApplied(): Promise<void>;
  /** The suite's NamespacesMustBeReady: every pod Ready, every Gateway (not marked skip-this-for-readiness) Programmed. */
  namespacesReady(namespaces?: string[]): Promise<void>;
  get(kind: string, namespace: string, name: string): Promise<KubeJson | undefined>;
  /** Polls `kubectl get` until `check` returns no problem (bounded); throws with the last problem. */
  until(kind: string, namespace: string, name: string, check: (object: KubeJson) => string | undefined, timeoutMs?: number): Promise<KubeJson>;
  /** The Gateway's address and where its `port` is served (the Service's port map, if kube-proxy remapped it). */
  gatewayAddress(name: string, port: number): Promise<{ ip: string; port: number }>;
  /** Real curl to a Gateway listener; `host` is the Host header and SNI (default: the address). */
  curl(target: { ip: string; port: number }, request: { path: string; host?: string; method?: string; headers?: Record<string, string>; https?: boolean; caFile?: string }): Promise<HttpAnswer>;
  /** Real openssl s_client: the echo server's line protocol (welcome, PING, IS_TLS, TEST) over TLS. */
  tlsLines(target: { ip: string; port: number }, serverName: string, caPem: string): Promise<{ lines: string[]; stderr: string }>;
  /** A CA the suite made (ConfigMap `ca.crt`). */
  caPem(name: string): string;
  workDir: string;
  stop(): Promise<void>;
}

function tlsSecret(namespace: string, name: string, issued: IssuedCertificate) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(issued.certPem).toString('base64'), 'tls.key': Buffer.from(issued.keyPem).toString('base64') },
  };
}

function caConfigMap(namespace: string, name: string, ca: IssuedCertificate) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name }, data: { 'ca.crt': ca.certPem } };
}

/** suite.go's "programmatic resources", in its order, with its names, hosts and usages (kubernetes/certificate.go). */
function programmaticResources(): { objects: object[]; cas: Map<string, string> } {
  const cas = new Map<string, string>();
  const objects: object[] = [];
  // Go's pem.Encode writes \n line ends (node-forge writes \r\n); the echo server's
  // peerCertificates are compared with the Secret's PEM as text, as the suite does.
  const goPem = (issued: IssuedCertificate): IssuedCertificate => ({ certPem: issued.certPem.replace(/\r\n/g, '\n'), keyPem: issued.keyPem.replace(/\r\n/g, '\n') });
  const selfSigned = (hosts: string[]) => goPem(issueCertificate({ subject: '/O=Acme Co/CN=default', subjectAltNames: hosts, usage: 'server' }));
  const signed = (hosts: string[], ca: IssuedCertificate) => goPem(issueCertificate({ subject: '/O=Acme Co/CN=default', subjectAltNames: hosts, usage: 'server', issuer: ca }));
  const client = (ca: IssuedCertificate) => goPem(issueCertificate({ subject: '/O=Acme Co/CN=default', usage: 'client', issuer: ca }));
  const newCa = (namespace: string, name: string) => {
    const ca = goPem(issueCertificate({ subject: '/O=Kubernetes Gateway API/CN=gatewayapi', usage: 'ca' }));
    cas.set(name, ca.certPem);
    objects.push(caConfigMap(namespace, name, ca));
    return ca;
  };
  objects.push(tlsSecret(WEB_BACKEND, 'certificate', selfSigned(['*'])));
  objects.push(tlsSecret(INFRA, 'tls-validity-checks-certificate', selfSigned(['*', '*.org', '*.wildcard.org'])));
  newCa(WEB_BACKEND, 'web-backend-cm');
  let ca = newCa(INFRA, 'tls-validity-checks-ca-certificate');
  objects.push(tlsSecret(INFRA, 'tls-validity-checks-client-certificate', client(ca)));
  ca = newCa(INFRA, 'tls-validity-checks-per-port-ca-certificate');
  objects.push(tlsSecret(INFRA, 'tls-validity-checks-per-port-client-certificate', client(ca)));
  ca = newCa(INFRA, 'tls-checks-ca-certificate');
  objects.push(tlsSecret(INFRA, 'tls-checks-certificate', signed(['abc.example.com', 'URI:spiffe://abc.example.com/test-identity', 'other.example.com'], ca)));
  objects.push(tlsSecret(INFRA, 'tls-checks-client-certificate', client(ca)));
  objects.push(tlsSecret(INFRA, 'tls-passthrough-checks-certificate', signed(['abc.example.com'], ca)));
  objects.push(tlsSecret(APP_BACKEND, 'tls-passthrough-checks-certificate', signed(['abc.example.com'], ca)));
  objects.push(tlsSecret(INFRA, 'tls-terminate-checks-certificate', signed(['tls.example.com'], ca)));
  newCa(INFRA, 'mismatch-ca-certificate');
  return { objects, cas };
}

function parseHttp(raw: string): HttpAnswer {
  // curl -i prints every response it read; with no redirects followed there is one (a 100 Continue aside).
  let text = raw;
  while (/^HTTP\/[\d.]+ 100/.test(text)) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 4) : '';
  const [statusLine, ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  let echo: HttpAnswer['echo'];
  try {
    const parsed = JSON.parse(body) as HttpAnswer['echo'];
    if (parsed && typeof parsed === 'object' && 'pod' in parsed) echo = parsed;
  } catch {
    // not the echo server's answer (a redirect, a preflight, an error page)
  }
  return { status, headers, body, ...(echo ? { echo } : {}) };
}

export async function startSuite(): Promise<Suite> {
  await requireTool('curl');
  await requireTool('openssl');
  const cluster = await startTestCluster();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-conformance-'));
  const kubectl = (args: string[], input?: string) => cluster.kubectlOk(args, input);
  const get = async (kind: string, namespace: string, name: string): Promise<KubeJson | undefined> => {
    const result = await cluster.kubectl(['get', kind, name, '-n', namespace, '-o', 'json']);
    if (result.code !== 0) {
      if (/NotFound|not found/.test(result.stderr)) return undefined;
      throw new Error(`kubectl get ${kind} ${namespace}/${name}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as KubeJson;
  };

  // Test Setup as suite.go does it: the GatewayClass accepted, the base manifests, the programmatic resources.
  await kubectl(['wait', '--for=condition=Accepted', `gatewayclass/${GATEWAY_CLASS}`, '--timeout=60s']);
  await kubectl(['apply', '-f', '-'], suiteManifest('base/manifests.yaml'));
  const { objects, cas } = programmaticResources();
  await kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));

  const applied: string[] = [];
  const suite: Suite = {
    cluster,
    workDir,
    kubectl,
    get,
    async apply(relative) {
      applied.push(relative);
      await kubectl(['apply', '-f', '-'], suiteManifest(relative));
    },
    async removeApplied() {
      for (const relative of applied.splice(0)) await kubectl(['delete', '--wait=true', '--ignore-not-found', '-f', '-'], suiteManifest(relative));
    },
    async namespacesReady(namespaces = SUITE_NAMESPACES) {
      for (const namespace of namespaces) {
        await kubectl(['wait', '--for=condition=Ready', 'pods', '--all', '-n', namespace, '--timeout=240s']);
        const gateways = JSON.parse(await kubectl(['get', 'gateways', '-n', namespace, '-o', 'json'])) as { items: KubeJson[] };
        for (const gateway of gateways.items) {
          if (gateway.metadata.annotations?.['gateway-api/skip-this-for-readiness'] === 'true') continue;
          await suite.until('gateway', namespace, gateway.metadata.name, (g) =>
            latestConditionsProblem(g) ?? conditionProblem(g.status?.conditions, 'Accepted', 'True') ?? conditionProblem(g.status?.conditions, 'Programmed', 'True'), 120_000);
        }
      }
    },
    async until(kind, namespace, name, check, timeoutMs = 60_000) {
      let problem = 'not read yet';
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const object = await get(kind, namespace, name);
        problem = object ? check(object) ?? '' : `${kind} ${namespace}/${name} not found`;
        if (!problem && object) return object;
        if (Date.now() > deadline) throw new Error(`${kind} ${namespace}/${name}: ${problem}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async gatewayAddress(name, port) {
      const gateway = await suite.until('gateway', INFRA, name, (g) => (g.status?.addresses?.[0]?.value ? undefined : 'no address yet'));
      const ip = gateway.status.addresses[0].value as string;
      const services = JSON.parse(await kubectl(['get', 'services', '-n', INFRA, '-l', `gateway.networking.k8s.io/gateway-name=${name}`, '-o', 'json'])) as { items: KubeJson[] };
      const map = services.items[0]?.metadata.annotations?.['agw-workshop.dev/port-map'] ?? '';
      const mapped = new RegExp(`(?:^|,)${port}:(\\d+)`).exec(map)?.[1];
      return { ip, port: mapped ? Number(mapped) : port };
    },
    async curl(target, request) {
      const scheme = request.https ? 'https' : 'http';
      const host = request.host ?? target.ip;
      const args = ['-sS', '-i', '--max-time', '10', '--connect-to', `${host}:${target.port}:${target.ip}:${target.port}`];
      if (request.method) args.push('-X', request.method);
      for (const [name, value] of Object.entries(request.headers ?? {})) args.push('-H', `${name}: ${value}`);
      if (request.caFile) args.push('--cacert', request.caFile);
      args.push(`${scheme}://${host}:${target.port}${request.path}`);
      const result: CommandResult = await run('curl', args, { timeoutMs: 15_000 });
      if (result.code !== 0) return { status: 0, headers: {}, body: `curl exit ${result.code}: ${result.stderr}` };
      return parseHttp(result.stdout);
    },
    tlsLines(target, serverName, caPem) {
      const caFile = path.join(workDir, `ca-${serverName}.pem`);
      fs.writeFileSync(caFile, caPem);
      return new Promise((resolve) => {
        const child = spawn('openssl', ['s_client', '-connect', `${target.ip}:${target.port}`, '-servername', serverName, '-CAfile', caFile, '-verify_return_error', '-verify_hostname', serverName, '-quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        let sent = false;
        const finish = () => {
          clearTimeout(timer);
          child.kill('SIGTERM');
          resolve({ lines: stdout.split('\n').filter(Boolean), stderr });
        };
        const timer = setTimeout(finish, 10_000);
        child.stdin.on('error', () => {});
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          if (!sent && stdout.includes('\n')) {
            sent = true;
            child.stdin.write('PING\nIS_TLS\nTEST\n');
          }
          if (stdout.split('\n').filter(Boolean).length >= 4) finish();
        });
        child.on('close', finish);
      });
    },
    caPem(name) {
      const pem = cas.get(name);
      if (!pem) throw new Error(`no CA ${name}`);
      return pem;
    },
    async stop() {
      fs.rmSync(workDir, { recursive: true, force: true });
      await cluster.stop();
    },
  };
  return suite;
}

export function condition(object: KubeJson | undefined, type: string, conditions?: Condition[]): Condition | undefined {
  return (conditions ?? (object?.status?.conditions as Condition[] | undefined) ?? []).find((c) => c.type === type);
}

/** "" when the condition has the status (and reason, when given), else what it is. */
export function conditionProblem(conditions: Condition[] | undefined, type: string, status: string, reason?: string): string | undefined {
  const found = (conditions ?? []).find((c) => c.type === type);
  if (found && found.status === status && (!reason || found.reason === reason)) return undefined;
  return `${type} is ${found ? `${found.status}/${found.reason}` : 'absent'}, want ${status}${reason ? `/${reason}` : ''}`;
}

/** The suite's GatewayMustHaveLatestConditions: every condition observed at the current generation. */
export function latestConditionsProblem(object: KubeJson): string | undefined {
  const stale = ((object.status?.conditions ?? []) as Condition[]).filter((c) => c.observedGeneration !== object.metadata.generation);
  return stale.length ? `conditions ${stale.map((c) => c.type).join(', ')} not at generation ${object.metadata.generation}` : undefined;
}

/** The route's status for one parent Gateway (RouteParentStatus). */
export function parentConditions(route: KubeJson, gateway: string): Condition[] | undefined {
  return (route.status?.parents as Array<{ parentRef: { name: string }; conditions: Condition[] }> | undefined)?.find((p) => p.parentRef.name === gateway)?.conditions;
}

/** The policy's status for one ancestor Gateway (PolicyAncestorStatus). */
export function ancestorConditions(policy: KubeJson, gateway: string): Condition[] | undefined {
  return (policy.status?.ancestors as Array<{ ancestorRef: { name: string }; conditions: Condition[] }> | undefined)?.find((a) => a.ancestorRef.name === gateway)?.conditions;
}

/**
 * The suite's MakeRequestAndExpectEventuallyConsistentResponse: retried until
 * `check` passes `times` times in a row (bounded); returns the last answer.
 */
export async function eventuallyConsistent(request: () => Promise<HttpAnswer>, check: (answer: HttpAnswer) => string | undefined, times = 3, timeoutMs = 30_000): Promise<HttpAnswer> {
  let passes = 0;
  let last: HttpAnswer | undefined;
  let problem = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    last = await request();
    problem = check(last) ?? '';
    passes = problem ? 0 : passes + 1;
    if (passes >= times) return last;
    if (problem) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${problem} (last answer: ${last?.status} ${last?.body.slice(0, 300)})`);
}
