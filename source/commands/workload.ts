// `agw-workshop workload <name> [args]`: the built-in servers that pods of
// known images run (chosen by the kubelet, source/cluster/embedded/kubelet/images.ts).
// Hidden from help: learners never type it, pods do.
type WorkloadMain = (argv: string[]) => Promise<number>;

const workloads: Record<string, { summary: string; load: () => Promise<{ main: WorkloadMain }> }> = {
  'inference-sim': { summary: 'ghcr.io/llm-d/llm-d-inference-sim: OpenAI-compatible simulator', load: () => import('../workloads/inference-sim/index.js') },
  'echo-basic': { summary: 'Gateway API conformance echo server (HTTP_PORT, HTTPS_PORT, TLS_SERVER_CERT/TLS_SERVER_PRIVKEY)', load: () => import('../workloads/echo-basic/index.js') },
  'go-httpbin': { summary: 'mccutchen/go-httpbin (-port, -https-cert-file, -https-key-file or PORT, HTTPS_CERT_FILE, HTTPS_KEY_FILE)', load: () => import('../workloads/go-httpbin/index.js') },
  'tls-vhosts': { summary: 'TLS server with a certificate per SNI name, optional client certificates (mTLS)', load: () => import('../workloads/tls-vhosts/index.js') },
  jaeger: { summary: 'jaegertracing/all-in-one: OTLP receiver (4317 gRPC, 4318 HTTP), in-memory traces, Jaeger query API and page (16686)', load: () => import('../workloads/jaeger/index.js') },
  coredns: { summary: 'registry.k8s.io/coredns/coredns: cluster DNS (A records of Services in cluster.local, UDP and TCP)', load: () => import('../workloads/coredns/index.js') },
  'kube-proxy': { summary: 'forwards Service ClusterIPs and LoadBalancer IPs to ready endpoints', load: () => import('../workloads/kube-proxy/index.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(workloads).map((n) => n.length));
  return ['Usage: agw-workshop workload <name> [args]', '', 'Workloads:', ...Object.entries(workloads).map(([n, w]) => `  ${n.padEnd(width)}  ${w.summary}`)].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const workload = workloads[name];
  if (!workload) {
    process.stderr.write(`agw-workshop workload: unknown workload "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const { main } = await workload.load();
  try {
    return await main(rest);
  } catch (error) {
    // Bad flags or files exit like the real image would: a message, then a non-zero code (the pod restarts).
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
