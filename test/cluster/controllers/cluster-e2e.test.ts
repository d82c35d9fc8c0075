// End to end on a real embedded cluster (built CLI, real kubectl and curl):
// Deployment → ready pods → EndpointSlices → kube-proxy forwarding through the
// Service and LoadBalancer IPs; unknown images; cert-manager; a TLS server
// that refuses an unknown SNI seen through kube-proxy as curl would see it.
import test from 'ava';
import { run, requireTool, startTestCluster, type TestCluster } from '../../helpers/cluster.js';

let cluster: TestCluster;

test.before(async () => {
  await requireTool('curl');
  cluster = await startTestCluster();
  await cluster.createNamespace('lab');
});
test.after.always(async () => {
  await cluster?.stop();
});

const kubectl = (args: string[], input?: string) => cluster.kubectlOk(args, input);

const SIM = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: mock-gpt-4o
  namespace: lab
spec:
  replicas: 2
  selector:
    matchLabels:
      app: mock-gpt-4o
  template:
    metadata:
      labels:
        app: mock-gpt-4o
    spec:
      containers:
      - args: ["--model", "mock-gpt-4o", "--port", "8000", "--max-loras", "2", "--lora-modules", '{"name": "food-review-1"}']
        image: ghcr.io/llm-d/llm-d-inference-sim:latest
        name: vllm-sim
        env:
          - name: POD_NAME
            valueFrom:
              fieldRef:
                apiVersion: v1
                fieldPath: metadata.name
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
spec:
  selector:
    app: mock-gpt-4o
  ports:
    - protocol: TCP
      port: 8000
      targetPort: http
      name: http
  type: ClusterIP
---
apiVersion: v1
kind: Service
metadata:
  name: mock-gpt-4o-lb
  namespace: lab
spec:
  selector:
    app: mock-gpt-4o
  ports:
    - port: 80
      targetPort: 8000
  type: LoadBalancer
`;

test.serial('a Deployment becomes Available, its Services get endpoints, and curl reaches it through the ClusterIP and the LoadBalancer IP', async (t) => {
  await kubectl(['apply', '-f', '-'], SIM);
  const wait = await cluster.kubectl(['wait', '-n', 'lab', '--for=condition=Available', 'deployment/mock-gpt-4o', '--timeout=60s']);
  t.is(wait.code, 0, wait.stderr);
  t.regex(wait.stdout, /condition met/);
  const pods = JSON.parse(await kubectl(['get', 'pods', '-n', 'lab', '-l', 'app=mock-gpt-4o', '-o', 'json'])) as { items: any[] };
  t.is(pods.items.length, 2);
  const podIPs = pods.items.map((p) => p.status.podIP).sort();
  t.true(podIPs.every((ip: string) => /^127\.\d+\.1\.\d+$/.test(ip)) && podIPs[0] !== podIPs[1], `distinct pod IPs: ${podIPs}`);
  t.true(pods.items.every((p) => p.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True')));

  // Endpoints follow readiness (the kubelet writes Ready, then the slice controller reacts): poll, bounded.
  let endpoints: string[] = [];
  for (let i = 0; i < 100 && endpoints.length < 2; i++) {
    endpoints = (await kubectl(['get', 'endpointslices', '-n', 'lab', '-l', 'kubernetes.io/service-name=mock-gpt-4o-svc', '-o', 'jsonpath={.items[*].endpoints[*].addresses[0]}'])).split(' ').filter(Boolean).sort();
    if (endpoints.length < 2) await new Promise((r) => setTimeout(r, 100));
  }
  t.deepEqual(endpoints, podIPs);
  t.is(await kubectl(['get', 'endpointslices', '-n', 'lab', '-l', 'kubernetes.io/service-name=mock-gpt-4o-svc', '-o', 'jsonpath={.items[0].ports[0].port}']), '8000');

  const clusterIP = await kubectl(['get', 'svc', '-n', 'lab', 'mock-gpt-4o-svc', '-o', 'jsonpath={.spec.clusterIP}']);
  t.regex(clusterIP, /^127\.\d+\.96\.\d+$/);
  const lbIP = await kubectl(['get', 'svc', '-n', 'lab', 'mock-gpt-4o-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
  t.regex(lbIP, /^127\.\d+\.200\.\d+$/);

  // kube-proxy binds new Service addresses asynchronously: retry the first request a bounded number of times.
  const body = JSON.stringify({ model: 'mock-gpt-4o', messages: [{ role: 'user', content: 'Whats your favorite poem?' }] });
  const curl = (url: string) => run('curl', ['-sS', '--retry', '20', '--retry-delay', '0', '--retry-connrefused', '--retry-all-errors', '--max-time', '10', '-H', 'content-type: application/json', '-d', body, url]);
  const viaClusterIP = await curl(`http://${clusterIP}:8000/v1/chat/completions`);
  t.is(viaClusterIP.code, 0, viaClusterIP.stderr);
  t.is(JSON.parse(viaClusterIP.stdout).object, 'chat.completion');
  const viaLB = await curl(`http://${lbIP}:80/v1/chat/completions`);
  t.is(viaLB.code, 0, viaLB.stderr);
  t.is(JSON.parse(viaLB.stdout).usage.prompt_tokens, 4);
});

test.serial('a pod of an unknown image is not ready and says why', async (t) => {
  await kubectl(['run', '-n', 'lab', 'web', '--image=nginx:1.27']);
  let reason = '';
  for (let i = 0; i < 100 && !reason; i++) {
    reason = await kubectl(['get', 'pod', '-n', 'lab', 'web', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}']);
    if (!reason) await new Promise((r) => setTimeout(r, 100));
  }
  t.is(reason, 'ImageNotKnown');
  const table = await kubectl(['get', 'pod', '-n', 'lab', 'web']);
  t.regex(table, /web\s+0\/1\s+ImageNotKnown/);
  t.regex(await kubectl(['get', 'pod', '-n', 'lab', 'web', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}']), /image "nginx:1\.27" is not known/);
  // kubectl describe shows it among the pod's events too.
  const described = await kubectl(['describe', 'pod', '-n', 'lab', 'web']);
  t.regex(described, /Warning\s+ImageNotKnown\s+.*image "nginx:1\.27" is not known/);
  t.regex(described, /Normal\s+Scheduled\s+.*Successfully assigned lab\/web to agw-workshop/);
});

test.serial('cert-manager: a self-signed Issuer and a Certificate give a kubernetes.io/tls Secret; kubectl wait sees Ready', async (t) => {
  await kubectl(['apply', '-f', '-'], `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: selfsigned
  namespace: lab
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: backend
  namespace: lab
spec:
  secretName: backend-tls
  commonName: backend.lab.svc
  dnsNames: [backend.lab.svc, backend.lab.svc.cluster.local]
  duration: 2160h
  issuerRef:
    name: selfsigned
    kind: Issuer
`);
  const wait = await cluster.kubectl(['wait', '-n', 'lab', '--for=condition=Ready', 'certificate/backend', '--timeout=30s']);
  t.is(wait.code, 0, wait.stderr);
  t.is(await kubectl(['get', 'secret', '-n', 'lab', 'backend-tls', '-o', 'jsonpath={.type}']), 'kubernetes.io/tls');
  const crt = Buffer.from(await kubectl(['get', 'secret', '-n', 'lab', 'backend-tls', '-o', 'jsonpath={.data.tls\\.crt}']), 'base64').toString();
  const text = await run('openssl', ['x509', '-noout', '-subject', '-ext', 'subjectAltName'], { input: crt });
  t.regex(text.stdout, /CN\s*=\s*backend\.lab\.svc/);
  t.regex(text.stdout, /DNS:backend\.lab\.svc\.cluster\.local/);
});

test.serial('through kube-proxy, a TLS server that refuses an unknown SNI looks to curl as it would directly (error 35), a known SNI works', async (t) => {
  // The certificate comes from cert-manager (previous test); the pod mounts its Secret.
  await kubectl(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vhosts
  namespace: lab
spec:
  selector:
    matchLabels: {app: vhosts}
  template:
    metadata:
      labels: {app: vhosts}
    spec:
      volumes:
      - name: certs
        secret: {secretName: backend-tls}
      containers:
      - name: vhosts
        image: ghcr.io/agw-workshop/agw-workshop:latest
        args: [workload, tls-vhosts, --listen, "8443", --vhost, "backend.lab.svc=/certs/tls.crt,/certs/tls.key", --strict-sni]
        volumeMounts:
        - {name: certs, mountPath: /certs}
        ports:
        - {name: https, containerPort: 8443}
---
apiVersion: v1
kind: Service
metadata:
  name: vhosts
  namespace: lab
spec:
  type: LoadBalancer
  selector: {app: vhosts}
  ports:
  - {name: https, port: 443, targetPort: https}
`);
  const wait = await cluster.kubectl(['wait', '-n', 'lab', '--for=condition=Available', 'deployment/vhosts', '--timeout=60s']);
  t.is(wait.code, 0, wait.stderr);
  const lbIP = await kubectl(['get', 'svc', '-n', 'lab', 'vhosts', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
  const curl = (name: string) => run('curl', ['-sS', '-k', '--retry', '20', '--retry-delay', '0', '--retry-connrefused', '--max-time', '10', '--resolve', `${name}:443:${lbIP}`, `https://${name}:443/hello`]);
  const good = await curl('backend.lab.svc');
  t.is(good.code, 0, good.stderr);
  t.is(JSON.parse(good.stdout).sni, 'backend.lab.svc');
  const refused = await curl('baz.lab.svc');
  t.is(refused.code, 35, `curl: ${refused.stderr}`);
});

test.serial('after cluster down and up, the pods run again at the same addresses and the LoadBalancer IP still answers', async (t) => {
  const before = await kubectl(['get', 'pods', '-n', 'lab', '-l', 'app=mock-gpt-4o', '-o', 'jsonpath={.items[*].status.podIP}']);
  const lbIP = await kubectl(['get', 'svc', '-n', 'lab', 'mock-gpt-4o-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
  t.is((await cluster.cli(['cluster', 'down'])).code, 0);
  const down = await run('curl', ['-sS', '--max-time', '2', `http://${lbIP}:80/v1/models`]);
  t.not(down.code, 0, 'nothing answers while the cluster is down (no pod process was left behind)');
  const up = await cluster.cli(['cluster', 'up', '--timeout', '90']);
  t.is(up.code, 0, up.stderr);
  const wait = await cluster.kubectl(['wait', '-n', 'lab', '--for=condition=Available', 'deployment/mock-gpt-4o', '--timeout=60s']);
  t.is(wait.code, 0, wait.stderr);
  const after = await kubectl(['get', 'pods', '-n', 'lab', '-l', 'app=mock-gpt-4o', '-o', 'jsonpath={.items[*].status.podIP}']);
  t.deepEqual(after.split(' ').sort(), before.split(' ').sort());
  const models = await run('curl', ['-sS', '--retry', '30', '--retry-delay', '0', '--retry-connrefused', '--retry-all-errors', '--max-time', '10', `http://${lbIP}:80/v1/models`]);
  t.is(models.code, 0, models.stderr);
  t.is(JSON.parse(models.stdout).data[0].id, 'mock-gpt-4o');
});
