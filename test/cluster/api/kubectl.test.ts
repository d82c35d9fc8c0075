// The lab texts' kubectl commands, verbatim where they can be, against a
// cluster this file starts (its own home, its own kubectl cache).
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run, startTestCluster, type TestCluster } from '../../helpers/cluster.js';

let cluster: TestCluster;

test.before(async () => {
  // AGW_API_LOG: the cluster log records each request, so a test can await kubectl reaching its watch.
  cluster = await startTestCluster({ env: { AGW_API_LOG: '1' } });
  await cluster.createNamespace('lab');
});
test.after.always(async () => {
  await cluster?.stop();
});

const deploymentAndService = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: mock-gpt-4o
  namespace: lab
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: mock-gpt-4o
  template:
    metadata:
      labels:
        app: mock-gpt-4o
    spec:
      containers:
      - args: [--model, mock-gpt-4o, --port, "8000"]
        image: ghcr.io/llm-d/llm-d-inference-sim:latest
        name: vllm-sim
        ports:
        - containerPort: 8000
          name: http
          protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: mock-gpt-4o-svc
  namespace: lab
  labels:
    app: mock-gpt-4o
spec:
  selector:
    app: mock-gpt-4o
  ports:
    - protocol: TCP
      port: 8000
      targetPort: 8000
      name: http
  type: ClusterIP
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: mock-openai
  namespace: lab
spec:
  ai:
    provider:
      openai:
        model: "mock-gpt-4o"
      host: mock-gpt-4o-svc.lab.svc.cluster.local
      port: 8000
      path: "/v1/chat/completions"
  policies:
    auth:
      passthrough: {}
`;

test.serial('kubectl apply -f - creates, then reports unchanged, then configured', async (t) => {
  const first = await cluster.kubectl(['apply', '-f', '-'], deploymentAndService(1));
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /deployment\.apps\/mock-gpt-4o created/);
  t.regex(first.stdout, /service\/mock-gpt-4o-svc created/);
  t.regex(first.stdout, /agentgatewaybackend\.agentgateway\.dev\/mock-openai created/);
  const again = await cluster.kubectl(['apply', '-f', '-'], deploymentAndService(1));
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /deployment\.apps\/mock-gpt-4o unchanged/);
  t.regex(again.stdout, /service\/mock-gpt-4o-svc unchanged/);
  t.regex(again.stdout, /agentgatewaybackend\.agentgateway\.dev\/mock-openai unchanged/);
  const changed = await cluster.kubectl(['apply', '-f', '-'], deploymentAndService(2));
  t.is(changed.code, 0, changed.stderr);
  t.regex(changed.stdout, /deployment\.apps\/mock-gpt-4o configured/);
  t.regex(changed.stdout, /service\/mock-gpt-4o-svc unchanged/);
  const replicas = await cluster.kubectl(['get', 'deploy', '-n', 'lab', 'mock-gpt-4o', '-o', 'jsonpath={.spec.replicas} {.metadata.generation} {.spec.template.spec.containers[0].ports[0].containerPort}']);
  t.is(replicas.stdout, '2 2 8000');
});

test('kubectl create secret tls with real certificate files stores a kubernetes.io/tls Secret; a second create is AlreadyExists', async (t) => {
  const dir = path.join(cluster.home, 'example_certs');
  fs.mkdirSync(dir, { recursive: true });
  const key = path.join(dir, 'foo.key');
  const crt = path.join(dir, 'foo.crt');
  const made = await run('openssl', ['req', '-x509', '-sha256', '-nodes', '-days', '1', '-newkey', 'rsa:2048', '-subj', '/CN=mock-openai-foo.glootest.com/O=mock-openai organization', '-keyout', key, '-out', crt]);
  t.is(made.code, 0, `openssl is required: ${made.stderr}`);
  const created = await cluster.kubectl(['create', '-n', 'lab', 'secret', 'tls', 'foo', `--key=${key}`, `--cert=${crt}`]);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /secret\/foo created/);
  const stored = await cluster.kubectl(['get', 'secret', '-n', 'lab', 'foo', '-o', 'json']);
  const secret = JSON.parse(stored.stdout) as { type: string; data: Record<string, string> };
  t.is(secret.type, 'kubernetes.io/tls');
  t.is(Buffer.from(secret.data['tls.crt']!, 'base64').toString(), fs.readFileSync(crt, 'utf8'));
  t.is(Buffer.from(secret.data['tls.key']!, 'base64').toString(), fs.readFileSync(key, 'utf8'));
  const duplicate = await cluster.kubectl(['create', '-n', 'lab', 'secret', 'tls', 'foo', `--key=${key}`, `--cert=${crt}`]);
  t.is(duplicate.code, 1);
  t.regex(duplicate.stderr, /secrets "foo" already exists/);
});

test('kubectl create secret generic --dry-run=client -oyaml | kubectl apply -f - stores the Secret', async (t) => {
  const rendered = await cluster.kubectl(['create', 'secret', 'generic', 'jwt-key', '-n', 'lab', '--from-literal=key=s3cret', '--dry-run=client', '-oyaml']);
  t.is(rendered.code, 0, rendered.stderr);
  const applied = await cluster.kubectl(['apply', '-f', '-'], rendered.stdout);
  t.is(applied.code, 0, applied.stderr);
  t.regex(applied.stdout, /secret\/jwt-key created/);
  const value = await cluster.kubectl(['get', 'secret', '-n', 'lab', 'jwt-key', '-o', 'jsonpath={.data.key}']);
  t.is(Buffer.from(value.stdout, 'base64').toString(), 's3cret');
});

test('kubectl get -o yaml writes a kind: List; kubectl apply -f of it applies each item, and the server still refuses a bad item', async (t) => {
  const list = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: listed-a, namespace: lab}\n  data: {x: "1"}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: listed-b, namespace: lab}\n';
  const applied = await cluster.kubectl(['apply', '-f', '-'], list);
  t.is(applied.code, 0, applied.stderr);
  t.regex(applied.stdout, /configmap\/listed-a created\nconfigmap\/listed-b created/);
  const saved = await cluster.kubectl(['get', 'configmap', '-n', 'lab', 'listed-a', 'listed-b', '-o', 'yaml']);
  t.regex(saved.stdout, /^kind: List$/m);
  const again = await cluster.kubectl(['apply', '-f', '-'], saved.stdout.replace('x: "1"', 'x: "2"'));
  t.is(again.code, 0, again.stderr);
  t.is((await cluster.kubectl(['get', 'configmap', '-n', 'lab', 'listed-a', '-o', 'jsonpath={.data.x}'])).stdout, '2');
  const bad = await cluster.kubectl(['apply', '-f', '-'], list.replace('data: {x: "1"}', 'dataa: {x: "1"}').replace('listed-a', 'listed-c'));
  t.is(bad.code, 1);
  t.regex(bad.stderr, /strict decoding error: unknown field "dataa"/);
});

test('stringData becomes data', async (t) => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: plain, namespace: lab}\nstringData: {user: alice}\n');
  t.is(applied.code, 0, applied.stderr);
  const got = await cluster.kubectl(['get', 'secret', '-n', 'lab', 'plain', '-o', 'json']);
  const secret = JSON.parse(got.stdout) as { data: Record<string, string>; stringData?: unknown };
  t.is(Buffer.from(secret.data.user!, 'base64').toString(), 'alice');
  t.is(secret.stringData, undefined);
});

test('kubectl get svc --selector ... -o jsonpath on a missing path prints nothing and exits 0', async (t) => {
  const none = await cluster.kubectl(['get', 'svc', '-n', 'lab', '--selector=gateway.networking.k8s.io/gateway-name=nothing-here', '-o', "jsonpath='{.items[*].status.loadBalancer.ingress[0].ip}{.items[*].status.loadBalancer.ingress[0].hostname}'"]);
  t.is(none.code, 0, none.stderr);
  t.is(none.stdout, "''");
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: labelled, namespace: lab, labels: {gateway.networking.k8s.io/gateway-name: gw1}}\nspec: {ports: [{port: 443}], selector: {app: x}}\n');
  t.is(applied.code, 0, applied.stderr);
  const names = await cluster.kubectl(['get', 'svc', '-n', 'lab', '--selector=gateway.networking.k8s.io/gateway-name=gw1', '-o', 'jsonpath={.items[*].metadata.name}']);
  t.is(names.stdout, 'labelled');
});

const httpRoute = (name: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: lab
spec:
  hostnames: ["${name}.glootest.com"]
  parentRefs:
    - name: agentgateway-proxy
      namespace: lab
  rules:
    - matches:
        - path: {type: PathPrefix, value: /}
      backendRefs:
        - name: mock-openai
          group: agentgateway.dev
          kind: AgentgatewayBackend
      timeouts:
        request: "120s"
`;

test('kubectl delete httproute -n ns name deletes it (and waits for it to be gone)', async (t) => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], httpRoute('mock-openai-baz-route'));
  t.is(applied.code, 0, applied.stderr);
  const deleted = await cluster.kubectl(['delete', 'httproute', '-n', 'lab', 'mock-openai-baz-route']);
  t.is(deleted.code, 0, deleted.stderr);
  t.regex(deleted.stdout, /httproute\.gateway\.networking\.k8s\.io "mock-openai-baz-route" deleted/);
  const gone = await cluster.kubectl(['get', 'httproute', '-n', 'lab', 'mock-openai-baz-route']);
  t.is(gone.code, 1);
  t.regex(gone.stderr, /NotFound|not found/);
});

test('kubectl apply --server-side creates, then applies changes', async (t) => {
  const first = await cluster.kubectl(['apply', '--server-side', '-f', '-'], httpRoute('ssa-route'));
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /httproute\.gateway\.networking\.k8s\.io\/ssa-route serverside-applied/);
  const second = await cluster.kubectl(['apply', '--server-side', '-f', '-'], httpRoute('ssa-route').replace('120s', '60s'));
  t.is(second.code, 0, second.stderr);
  const timeout = await cluster.kubectl(['get', 'httproute', '-n', 'lab', 'ssa-route', '-o', 'jsonpath={.spec.rules[0].timeouts.request}']);
  t.is(timeout.stdout, '60s');
});

test('kubectl wait --for=condition=Programmed sees a status written later through the status subresource', async (t) => {
  const gateway = 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: waited, namespace: lab}\nspec:\n  gatewayClassName: no-controller-class\n  listeners: [{name: http, port: 80, protocol: HTTP}]\n';
  const applied = await cluster.kubectl(['apply', '-f', '-'], gateway);
  t.is(applied.code, 0, applied.stderr);
  const waiting = cluster.kubectl(['wait', '-n', 'lab', '--for=condition=Programmed', 'gateway/waited', '--timeout=30s']);
  // Write the status only once kubectl is watching, so the watch (not the first GET) has to deliver it.
  const log = path.join(cluster.home, 'cluster', 'cluster.log');
  const watching = () => /GET \/apis\/gateway\.networking\.k8s\.io\/v1\/namespaces\/lab\/gateways\?[^\n]*watch=true/.test(fs.readFileSync(log, 'utf8'));
  for (let attempt = 0; attempt < 500 && !watching(); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.true(watching(), 'kubectl wait never opened a watch');
  const status = JSON.stringify({ status: { conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed', message: 'test', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z/, 'Z'), observedGeneration: 1 }] } });
  const patched = await cluster.kubectl(['patch', 'gateway', '-n', 'lab', 'waited', '--subresource=status', '--type=merge', '-p', status]);
  t.is(patched.code, 0, patched.stderr);
  const result = await waiting;
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /gateway\.gateway\.networking\.k8s\.io\/waited condition met/);
});

test('kubectl get prints tables with the kinds\' columns', async (t) => {
  const svc = await cluster.kubectl(['get', 'svc', '-n', 'lab', 'mock-gpt-4o-svc']);
  t.is(svc.code, 0, svc.stderr);
  const header = svc.stdout.split('\n')[0]!.split(/\s+/);
  t.deepEqual(header.slice(0, 6), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  t.regex(svc.stdout.split('\n')[1]!, /^mock-gpt-4o-svc\s+ClusterIP\s+\S+\s+\S+\s+8000\/TCP\s+\d+s/);
  // Its own Gateway: the tests of this file run concurrently, so another test's may not exist yet.
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: tables, namespace: lab}\nspec:\n  gatewayClassName: no-controller-class\n  listeners: [{name: http, port: 80, protocol: HTTP}]\n');
  t.is(applied.code, 0, applied.stderr);
  const gtw = await cluster.kubectl(['get', 'gateways', '-n', 'lab']);
  t.is(gtw.code, 0, gtw.stderr);
  t.regex(gtw.stdout.split('\n')[0]!, /NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE/);
  const all = await cluster.kubectl(['get', 'ns']);
  t.regex(all.stdout, /^NAME\s+STATUS\s+AGE/);
  t.regex(all.stdout, /\nlab\s+Active\s+\d+/);
});

test('kubectl logs reads the pod log the kubelet writes', async (t) => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: logger, namespace: lab}\nspec: {containers: [{name: c, image: example.invalid/not-a-known-image}]}\n');
  t.is(applied.code, 0, applied.stderr);
  const logFile = path.join(cluster.home, 'cluster', 'pods', 'lab_logger.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, 'line one\nline two\n');
  const logs = await cluster.kubectl(['logs', '-n', 'lab', 'logger']);
  t.is(logs.code, 0, logs.stderr);
  t.true(logs.stdout.includes('line one\nline two\n'));
  const tail = await cluster.kubectl(['logs', '-n', 'lab', 'logger', '--tail=1']);
  t.true(tail.stdout.trimEnd().endsWith('line two'));
  // -f streams what is appended after it started
  const follow = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, '--cache-dir', path.join(cluster.home, 'kube-cache'), 'logs', '-f', '-n', 'lab', 'logger']);
  t.teardown(() => follow.kill());
  let followed = '';
  const sawLater = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`logs -f did not show the appended line: ${JSON.stringify(followed)}`)), 15_000);
    follow.stdout.on('data', (c: Buffer) => {
      followed += c.toString();
      if (followed.includes('line two') && !followed.includes('line three')) fs.appendFileSync(logFile, 'line three\n');
      if (followed.includes('line three')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await sawLater;
  t.true(followed.indexOf('line two') < followed.indexOf('line three'));
});

test('kubectl get --watch streams a change made after it started', async (t) => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched, namespace: lab}\ndata: {v: "1"}\n');
  t.is(applied.code, 0, applied.stderr);
  const child = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, '--cache-dir', path.join(cluster.home, 'kube-cache'), 'get', 'configmap', '-n', 'lab', 'watched', '--watch', '-o', 'jsonpath={.data.v}{"\\n"}']);
  t.teardown(() => child.kill());
  let out = '';
  const sawTwo = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no update seen; output so far: ${JSON.stringify(out)}`)), 15_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.split('\n').includes('2')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const changed = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched, namespace: lab}\ndata: {v: "2"}\n');
  t.is(changed.code, 0, changed.stderr);
  await sawTwo;
  t.deepEqual(out.split('\n').filter(Boolean), ['1', '2']);
});

test.serial('kubectl wait --for=condition=Available deployment/x returns once the pods run', async (t) => {
  const waited = await cluster.kubectl(['wait', '-n', 'lab', '--for=condition=Available', 'deployment/mock-gpt-4o', '--timeout=60s']);
  t.is(waited.code, 0, waited.stderr);
  t.regex(waited.stdout, /deployment\.apps\/mock-gpt-4o condition met/);
});

test('kubectl get svc --selector=gateway.networking.k8s.io/gateway-name=NAME -o jsonpath prints the LoadBalancer IP', async (t) => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: gw-lb, namespace: lab, labels: {gateway.networking.k8s.io/gateway-name: agentgateway-proxy}}\nspec: {type: LoadBalancer, ports: [{name: https, port: 443, targetPort: 8443}], selector: {app: gw-lb}}\n');
  t.is(applied.code, 0, applied.stderr);
  const args = ['get', 'svc', '-n', 'lab', '--selector=gateway.networking.k8s.io/gateway-name=agentgateway-proxy', '-o', 'jsonpath={.items[*].status.loadBalancer.ingress[0].ip}{.items[*].status.loadBalancer.ingress[0].hostname}'];
  // The address is assigned by the control plane shortly after the create: poll kubectl, bounded.
  let ip = '';
  for (let attempt = 0; attempt < 100 && !ip; attempt++) {
    ip = (await cluster.kubectl(args)).stdout.trim();
    if (!ip) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.regex(ip, /^127\.\d+\.\d+\.\d+$/);
});

test.serial('kubectl scale goes through the scale subresource', async (t) => {
  const scaled = await cluster.kubectl(['scale', '-n', 'lab', 'deployment/mock-gpt-4o', '--replicas=1', '--current-replicas=2']);
  t.is(scaled.code, 0, scaled.stderr);
  t.regex(scaled.stdout, /deployment\.apps\/mock-gpt-4o scaled/);
  const replicas = await cluster.kubectl(['get', 'deploy', '-n', 'lab', 'mock-gpt-4o', '-o', 'jsonpath={.spec.replicas}']);
  t.is(replicas.stdout, '1');
  const stale = await cluster.kubectl(['scale', '-n', 'lab', 'deployment/mock-gpt-4o', '--replicas=3', '--current-replicas=5']);
  t.is(stale.code, 1);
});

test('kubectl get -w prints a header once, then a table row per change', async (t) => {
  const make = (v: string) => cluster.kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: wt, namespace: lab, labels: {watch-table: "yes"}}\ndata: {v: "${v}"${v === '2' ? ', w: "x"' : ''}}\n`);
  t.is((await make('1')).code, 0);
  const child = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, '--cache-dir', path.join(cluster.home, 'kube-cache'), 'get', 'configmaps', '-n', 'lab', '--watch', '--selector=watch-table=yes']);
  t.teardown(() => child.kill());
  let out = '';
  // Complete lines only: a row still arriving in pieces must not count yet.
  const rows = () => out.split('\n').slice(0, -1).filter((l) => l.startsWith('wt'));
  const waiters: { count: number; resolve: () => void }[] = [];
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters) if (rows().length >= w.count) w.resolve();
  });
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const rowCount = (count: number) =>
    new Promise<void>((resolve, reject) => {
      if (rows().length >= count) return resolve();
      waiters.push({ count, resolve });
      setTimeout(() => reject(new Error(`expected ${count} rows; output: ${JSON.stringify(out)}`)), 15_000);
    });
  await rowCount(1); // the initial list: kubectl is now watching
  t.is((await make('2')).code, 0);
  await rowCount(2);
  const lines = out.trimEnd().split('\n');
  t.regex(lines[0]!, /^NAME\s+DATA\s+AGE/);
  t.is(lines.filter((l) => l.startsWith('NAME')).length, 1);
  t.regex(rows()[0]!, /^wt\s+1\s+\d+s/);
  t.regex(rows()[1]!, /^wt\s+2\s+\d+s/);
});
