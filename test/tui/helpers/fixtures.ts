// Fixture lessons and fake services: the screens are tested hermetically, with
// runner events fed by the test and a probe function decided by the test.
import type { RunnerEvent } from '../../../source/lesson/events.js';
import type { ProbeRequest, ProbeResult } from '../../../source/probe/types.js';
import { applyEdits, type ProbeEdits } from '../../../source/probe/request-edits.js';
import type { ClusterStatus, LessonSummary, LessonView, ProbeVerdict, RunHandle, RunOptions, WorkshopServices } from '../../../source/tui/model.js';

export const lessonSummaries: LessonSummary[] = [
  { id: 'setup', title: 'Setup: cluster, gateway and a first request', summary: 'Start the embedded cluster and send a first chat completion.', stepCount: 5, completedSteps: 5, status: 'done' },
  { id: 'sni-matching', title: 'SNI matching: two names, one port', summary: 'Serve foo and bar on port 443 with their own certificates.', stepCount: 5, completedSteps: 2, status: 'in-progress' },
];

const baseProbe = (name: string): ProbeRequest => ({
  url: `https://${name}/v1/chat/completions`,
  resolve: [`${name}:443:127.0.200.1`],
  caFile: '/work/example_certs/glootest.com.crt',
  method: 'POST',
  body: '{"model":"mock-gpt-4o"}',
  headers: [['content-type', 'application/json']],
});

export const sniLesson: LessonView = {
  id: 'sni-matching',
  title: 'SNI matching',
  completed: [0, 1],
  steps: [
    {
      id: 'intro',
      kind: 'explain',
      title: 'What SNI is',
      text: '# Server Name Indication\nThe client names the host it wants in the **ClientHello**, before any certificate is sent. Use `openssl s_client -servername` to see it.\n\n- foo gets its own certificate\n- bar gets its own certificate\n- baz matches no listener',
      commands: [],
      presenterNotes: 'Ask the class what happens to baz before running it.',
    },
    {
      id: 'certs',
      kind: 'certs',
      title: 'Certificates for foo and bar',
      text: 'A root CA signs one certificate per name.',
      commands: [{ tool: 'openssl', command: "openssl req -x509 -sha256 -nodes -days 365 -newkey rsa:2048 -subj '/O=Solo.io/CN=glootest.com' -keyout example_certs/glootest.com.key -out example_certs/glootest.com.crt" }],
    },
    {
      id: 'gateway',
      kind: 'apply',
      title: 'Two HTTPS listeners on 443',
      text: 'Both listeners share port 443; the hostname decides.',
      yaml: 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway # the listeners\nmetadata:\n  name: agentgateway-proxy\nspec:\n  listeners:\n    - protocol: HTTPS\n      port: 443\n      hostname: "mock-openai-foo.glootest.com"\n',
      commands: [{ tool: 'kubectl', command: 'kubectl apply -f manifests/sni-matching/gateway.yaml' }],
    },
    {
      id: 'probe-foo',
      kind: 'probe',
      title: 'curl foo',
      text: 'foo answers with its own certificate.',
      commands: [{ tool: 'curl', command: 'curl -v --resolve mock-openai-foo.glootest.com:443:127.0.200.1 https://mock-openai-foo.glootest.com/v1/chat/completions' }],
      probe: baseProbe('mock-openai-foo.glootest.com'),
    },
    {
      id: 'probe-baz',
      kind: 'probe',
      title: 'curl baz fails',
      text: 'No listener has the name baz.',
      commands: [{ tool: 'curl', command: 'curl -v --resolve mock-openai-baz.glootest.com:443:127.0.200.1 https://mock-openai-baz.glootest.com/v1/chat/completions' }],
      probe: baseProbe('mock-openai-baz.glootest.com'),
      presenterNotes: 'Point at the empty ServerHello column.',
    },
  ],
};

export const embeddedCluster: ClusterStatus = {
  kind: 'embedded',
  description: 'embedded cluster at https://127.0.0.1:6443',
  reachable: true,
  gateway: { ready: true, detail: 'GatewayClass enterprise-agentgateway Accepted; controller 1/1 ready' },
};

/** A result shaped like the probe's for a name with or without a listener. */
export function fakeProbeResult(request: ProbeRequest): ProbeResult {
  const sni = request.sni === undefined ? new URL(request.url).hostname : request.sni;
  const served = sni === 'mock-openai-foo.glootest.com' || sni === 'mock-openai-bar.glootest.com';
  const records: ProbeResult['records'] = [{ atMs: 0.4, direction: 'out', what: 'ClientHello', detail: `SNI ${sni ?? '(none)'}` }];
  if (!served) {
    records.push({ atMs: 1.1, direction: 'in', what: 'EOF', detail: 'before any server byte' });
    return {
      request,
      outcome: 'closed-after-client-hello',
      error: 'OpenSSL SSL_connect: SSL_ERROR_SYSCALL',
      curlExitCode: 35,
      connect: { address: '127.0.200.1', port: 443, ms: 0.3 },
      clientHello: { sni: sni ?? undefined, alpn: request.alpn ?? ['h2', 'http/1.1'], versions: ['TLSv1.3', 'TLSv1.2'] },
      records,
      timings: { connectMs: 0.3, totalMs: 1.2 },
    };
  }
  const short = sni!.split('.')[0]!;
  records.push({ atMs: 1.0, direction: 'in', what: 'ServerHello', detail: 'TLSv1.3 TLS_AES_256_GCM_SHA384' });
  return {
    request,
    outcome: 'established',
    curlExitCode: 0,
    connect: { address: '127.0.200.1', port: 443, ms: 0.3 },
    clientHello: { sni: sni!, alpn: request.alpn ?? ['h2', 'http/1.1'], versions: ['TLSv1.3'] },
    records,
    tls: {
      version: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      alpn: 'h2',
      resumed: false,
      helloRetryRequest: false,
      peerChain: [
        {
          subject: `CN=${sni}; O=${short} organization`,
          issuer: 'O=Solo.io; CN=glootest.com',
          subjectAltNames: [],
          notBefore: '2026-01-01T00:00:00Z',
          notAfter: '2027-01-01T00:00:00Z',
          sha256Fingerprint: 'AA:BB',
          serialNumber: '00',
          isCA: false,
        },
      ],
      verification: { trusted: true, nameMatched: true, expired: false },
      clientCertificate: { requested: false, sent: false },
    },
    http: { version: '2', status: 200, headers: {}, body: '{"choices":[]}', bodyTruncated: false },
    timings: { connectMs: 0.3, tlsMs: 1.0, totalMs: 3.4 },
  };
}

/** The baz step expects the connection to close before a certificate; the foo step expects 200. */
export function fakeVerdict(stepIndex: number, request: ProbeRequest): ProbeVerdict {
  const result = fakeProbeResult(request);
  const expectFailure = sniLesson.steps[stepIndex]?.id === 'probe-baz';
  const expected = expectFailure ? 'closed-after-client-hello' : 'established';
  const ok = result.outcome === expected;
  return {
    result,
    ok,
    verdicts: [
      { field: 'outcome', expected, observed: result.outcome, ok },
      { field: 'certificate.subject', expected: expectFailure ? '(none)' : 'CN=mock-openai-foo.glootest.com', observed: result.tls?.peerChain[0]?.subject ?? '(none)', ok: expectFailure ? !result.tls : result.tls?.peerChain[0]?.subject.startsWith('CN=mock-openai-foo') ?? false },
    ],
    explanation:
      result.outcome === 'established'
        ? undefined
        : {
            id: 'sni-no-listener',
            title: 'No listener matches this SNI',
            cause: `No listener's hostname matches SNI ${result.clientHello?.sni ?? '(none)'}: the gateway closed the connection before sending a certificate.`,
            fix: 'Add a listener for that hostname or use one the gateway serves.',
          },
  };
}

export interface FakeRun {
  options: RunOptions;
  emit(event: RunnerEvent): void;
  finish(): void;
  stopped: boolean;
}

export interface FakeServices extends WorkshopServices {
  runs: FakeRun[];
  probes: { stepIndex: number; request: ProbeRequest; edits: ProbeEdits }[];
}

export function fakeServices(overrides: Partial<WorkshopServices> = {}): FakeServices {
  const runs: FakeRun[] = [];
  const probes: FakeServices['probes'] = [];
  const services: FakeServices = {
    runs,
    probes,
    listLessons: async () => lessonSummaries,
    loadLesson: async (id) => {
      if (id !== sniLesson.id) throw new Error(`no lesson "${id}"`);
      return sniLesson;
    },
    clusterStatus: async () => embeddedCluster,
    runLesson(options): RunHandle {
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const run: FakeRun = { options, emit: (e) => options.onEvent(e), finish, stopped: false };
      runs.push(run);
      return {
        done,
        stop: async () => {
          run.stopped = true;
          finish();
        },
      };
    },
    probe: async (_lessonId, stepIndex, edits) => {
      // What the runner does: the step's own request with the edits applied.
      const request = applyEdits(sniLesson.steps[stepIndex]!.probe!, edits);
      probes.push({ stepIndex, request, edits });
      return fakeVerdict(stepIndex, request);
    },
    ...overrides,
  };
  return services;
}
