// Cluster DNS end to end: the conformance suite's coredns Deployment (its
// image, its Corefile from a ConfigMap, no declared port) becomes a ready pod
// in the embedded cluster, and a real DNS query (node:dns, c-ares) to that pod
// resolves Service names from the cluster: a ClusterIP Service to its cluster
// IP (which curl then reaches through kube-proxy), a headless one to its ready
// pods, a Service created later as soon as it exists, a deleted one NXDOMAIN;
// and the same answers through the coredns Service's ClusterIP (UDP, kube-proxy).
import test from 'ava';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { once } from 'node:events';
import { requireTool, run, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { encodeQuery } from '../../source/workloads/coredns/message.js';

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

const COREDNS = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns
  namespace: lab
data:
  Corefile: |
    .:53 {
        forward . 8.8.8.8 9.9.9.9
        log
        errors
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: lab
spec:
  selector:
    matchLabels:
      app: udp
  template:
    metadata:
      labels:
        app: udp
    spec:
      containers:
        - args: ["-conf", "/root/Corefile"]
          image: registry.k8s.io/coredns/coredns:v1.14.6
          name: coredns
          volumeMounts:
            - mountPath: /root
              name: conf
      volumes:
        - configMap:
            name: coredns
          name: conf
---
apiVersion: v1
kind: Service
metadata:
  name: coredns
  namespace: lab
spec:
  selector:
    app: udp
  ports:
    - name: udp-dns
      port: 53
      protocol: UDP
      targetPort: 53
`;

const WEB = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: lab
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0
          ports:
            - containerPort: 3000
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: lab
spec:
  selector:
    app: web
  ports:
    - port: 3000
---
apiVersion: v1
kind: Service
metadata:
  name: web-headless
  namespace: lab
spec:
  clusterIP: None
  selector:
    app: web
  ports:
    - port: 3000
`;

interface PodJson { metadata: { annotations?: Record<string, string> }; status: { podIP: string } }

/** Where the coredns pod answers: its address, and port 53 as the kubelet mapped it. */
async function dnsServer(): Promise<{ host: string; port: number }> {
  const pods = JSON.parse(await kubectl(['get', 'pods', '-n', 'lab', '-l', 'app=udp', '-o', 'json'])) as { items: PodJson[] };
  const pod = pods.items[0];
  if (!pod) throw new Error('no coredns pod');
  const mapped = /(?:^|,)53:(\d+)/.exec(pod.metadata.annotations?.['agw-workshop.dev/port-map'] ?? '')?.[1];
  return { host: pod.status.podIP, port: mapped ? Number(mapped) : 53 };
}

/** Asks until the answer is `expected` (the server learns of changes through a watch), at most 15 s. */
async function resolvesTo(resolver: Resolver, name: string, expected: string[] | 'ENOTFOUND'): Promise<string[] | string> {
  let last: string[] | string = '';
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    try {
      last = (await resolver.resolve4(name)).sort();
    } catch (error) {
      last = (error as NodeJS.ErrnoException).code ?? String(error);
    }
    if (JSON.stringify(last) === JSON.stringify(expected === 'ENOTFOUND' ? expected : [...expected].sort())) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}

test('the coredns image answers cluster names with usable addresses, over UDP and TCP, following the watch', async (t) => {
  await kubectl(['apply', '-f', '-'], COREDNS + '---' + WEB);
  await kubectl(['rollout', 'status', 'deployment/coredns', '-n', 'lab', '--timeout=60s']);
  await kubectl(['rollout', 'status', 'deployment/web', '-n', 'lab', '--timeout=60s']);
  const ready = await kubectl(['get', 'pods', '-n', 'lab', '-l', 'app=udp', '-o', 'jsonpath={.items[0].status.containerStatuses[0].ready}']);
  t.is(ready, 'true', 'the coredns pod is Ready (before: ImageNotKnown)');

  const server = await dnsServer();
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`${server.host}:${server.port}`]);

  const clusterIP = await kubectl(['get', 'service', 'web', '-n', 'lab', '-o', 'jsonpath={.spec.clusterIP}']);
  t.deepEqual(await resolvesTo(resolver, 'web.lab.svc.cluster.local', [clusterIP]), [clusterIP]);

  const podIPs = (await kubectl(['get', 'pods', '-n', 'lab', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'])).split(/\s+/).filter(Boolean);
  t.is(podIPs.length, 2);
  t.deepEqual(await resolvesTo(resolver, 'web-headless.lab.svc.cluster.local', podIPs), [...podIPs].sort());

  // The answer is an address a client reaches: curl to the resolved name, through kube-proxy.
  const curl = await run('curl', ['-sS', '--max-time', '10', '--resolve', `web.lab.svc.cluster.local:3000:${clusterIP}`, 'http://web.lab.svc.cluster.local:3000/dns-check']);
  t.is(curl.code, 0, curl.stderr);
  t.is((JSON.parse(curl.stdout) as { path: string; namespace: string }).path, '/dns-check');

  // TCP: one length-prefixed query on a connection to the same port.
  const socket = net.connect(server.port, server.host);
  await once(socket, 'connect');
  const query = encodeQuery({ id: 0x4242, name: 'web.lab.svc.cluster.local', type: 1 });
  socket.end(Buffer.concat([Buffer.from([0, query.length]), query]));
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const reply = Buffer.concat(chunks);
  t.is(reply.readUInt16BE(2), 0x4242);
  t.is(reply.readUInt16BE(2 + 6), 1, 'one answer over TCP');
  t.is(reply.subarray(reply.length - 4).join('.'), clusterIP);

  // Through the coredns Service's ClusterIP, UDP port 53, as a pod's resolv.conf would name it: kube-proxy forwards UDP.
  const dnsService = JSON.parse(await kubectl(['get', 'service', 'coredns', '-n', 'lab', '-o', 'json'])) as { metadata: { annotations?: Record<string, string> }; spec: { clusterIP: string } };
  const servicePort = /(?:^|,)53:(\d+)/.exec(dnsService.metadata.annotations?.['agw-workshop.dev/port-map'] ?? '')?.[1] ?? '53';
  const viaService = new Resolver({ timeout: 2000, tries: 2 });
  viaService.setServers([`${dnsService.spec.clusterIP}:${servicePort}`]);
  t.deepEqual(await resolvesTo(viaService, 'web.lab.svc.cluster.local', [clusterIP]), [clusterIP], 'answered through the Service ClusterIP');

  // A Service made now resolves once it exists; deleted, it is gone again.
  t.is(await resolvesTo(resolver, 'late.lab.svc.cluster.local', 'ENOTFOUND'), 'ENOTFOUND');
  await kubectl(['create', 'service', 'clusterip', 'late', '-n', 'lab', '--tcp=80:3000']);
  const lateIP = await kubectl(['get', 'service', 'late', '-n', 'lab', '-o', 'jsonpath={.spec.clusterIP}']);
  t.deepEqual(await resolvesTo(resolver, 'late.lab.svc.cluster.local', [lateIP]), [lateIP]);
  await kubectl(['delete', 'service', 'late', '-n', 'lab']);
  t.is(await resolvesTo(resolver, 'late.lab.svc.cluster.local', 'ENOTFOUND'), 'ENOTFOUND');
  t.is(await resolvesTo(resolver, 'example.com', 'ENOTFOUND'), 'ENOTFOUND', 'nothing is forwarded to the Internet');
});
