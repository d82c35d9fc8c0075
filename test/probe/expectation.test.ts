// The expectation language and the explainer, as tables over results. The
// results are built by hand here: these are pure functions of a ProbeResult
// (the scenario tests cover results the probe really observed).
import test from 'ava';
import fs from 'node:fs';
import YAML from 'yaml';
import { explain, failureModeIds } from '../../source/explain/catalogue.js';
import { ExpectationError, evaluateExpectation, validateExpectation, type ProbeExpectation } from '../../source/probe/expectation.js';
import type { CertificateSummary, ProbeResult } from '../../source/probe/types.js';

const FOO = 'mock-openai-foo.glootest.com';

function leaf(overrides: Partial<CertificateSummary> = {}): CertificateSummary {
  return {
    subject: `CN=${FOO}; O=mock-openai organization`,
    issuer: 'O=Solo.io; CN=glootest.com',
    subjectAltNames: [`DNS:${FOO}`],
    notBefore: '2026-01-23T18:46:30.000Z',
    notAfter: '2027-01-23T18:46:30.000Z',
    sha256Fingerprint: 'AA:BB',
    serialNumber: '01',
    isCA: false,
    ...overrides,
  };
}

type Tls = NonNullable<ProbeResult['tls']>;

function established(overrides: Partial<ProbeResult> = {}, tls: Partial<Tls> = {}, http: Partial<NonNullable<ProbeResult['http']>> = {}): ProbeResult {
  return {
    request: { url: `https://${FOO}/v1/chat`, resolve: [`${FOO}:443:127.0.0.1`] },
    outcome: 'established',
    curlExitCode: 0,
    connect: { address: '127.0.0.1', port: 443, ms: 1 },
    clientHello: { sni: FOO, alpn: ['h2', 'http/1.1'], versions: ['TLSv1.3', 'TLSv1.2'] },
    records: [{ atMs: 1, direction: 'out', what: 'ClientHello' }, { atMs: 2, direction: 'in', what: 'ServerHello' }],
    tls: {
      version: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      alpn: 'h2',
      resumed: false,
      helloRetryRequest: false,
      peerChain: [leaf()],
      verification: { trusted: true, nameMatched: true, expired: false },
      clientCertificate: { requested: false, sent: false },
      ...tls,
    },
    http: { version: '2', status: 200, headers: { 'content-type': 'application/json', 'x-served-by': 'foo' }, body: '{"choices":[]}', bodyTruncated: false, ...http },
    timings: { connectMs: 1, tlsMs: 3, firstByteMs: 5, totalMs: 6 },
    ...overrides,
  };
}

function failed(outcome: ProbeResult['outcome'], curlExitCode: number, overrides: Partial<ProbeResult> = {}, tls?: Partial<Tls>): ProbeResult {
  const base = established();
  return {
    ...base,
    outcome,
    curlExitCode,
    http: undefined,
    tls: tls ? { ...base.tls!, ...tls } : undefined,
    ...overrides,
  };
}

test('expectations give one verdict per field, with what was observed', (t) => {
  const expectation: ProbeExpectation = {
    outcome: ['established'],
    certificate: { subject: `CN=${FOO}`, issuer: { equals: 'O=Solo.io; CN=glootest.com' }, san: FOO },
    alpn: 'h2',
    tlsVersion: '1.3',
    http: { status: '2xx', bodyContains: 'choices', header: { 'X-Served-By': 'foo', 'content-type': { contains: 'json' } } },
    curlExitCode: 0,
  };
  const { ok, verdicts } = evaluateExpectation(established(), expectation);
  t.true(ok, JSON.stringify(verdicts.filter((v) => !v.ok)));
  t.deepEqual(verdicts.map((v) => v.field), [
    'outcome', 'certificate.subject', 'certificate.issuer', 'certificate.san', 'alpn', 'tlsVersion',
    'http.status', 'http.bodyContains', 'http.header.X-Served-By', 'http.header.content-type', 'curlExitCode',
  ]);

  const closed = failed('closed-after-client-hello', 35);
  const result = evaluateExpectation(closed, { outcome: 'established', http: { status: 200 }, certificate: { subject: 'CN=x' } });
  t.false(result.ok);
  t.deepEqual(result.verdicts.map((v) => [v.field, v.expected, v.observed, v.ok]), [
    ['outcome', 'established', 'closed-after-client-hello', false],
    ['certificate.subject', 'contains "CN=x"', 'no certificate received', false],
    ['http.status', '200', 'no HTTP answer (closed-after-client-hello)', false],
  ]);
  t.true(evaluateExpectation(closed, { outcome: ['closed-after-client-hello', 'reset-after-client-hello'], curlExitCode: [35] }).ok);
  t.true(evaluateExpectation(established({}, { alpn: false }), { alpn: false }).ok);
  t.false(evaluateExpectation(established(), { http: { status: [404, '5xx'] } }).ok);
  t.true(evaluateExpectation(established(), { certificate: { subject: { matches: '^CN=mock-openai-(foo|bar)' } } }).ok);
});

test('expectations read from YAML work as written in a lesson', (t) => {
  const expectation = validateExpectation(
    YAML.parse(`
outcome: established
certificate:
  subject: CN=mock-openai-foo.glootest.com
http:
  status: 200
  header:
    content-type: application/json
`),
  );
  t.true(evaluateExpectation(established(), expectation).ok);
});

test('a wrong expectation is an error naming the field', (t) => {
  const cases: [unknown, RegExp][] = [
    [{ outcmoe: 'established' }, /^expect\.outcmoe: unknown field \(known: outcome, certificate/],
    [{ http: { stauts: 200 } }, /^expect\.http\.stauts: unknown field \(known: status, bodyContains, header\)/],
    [{ certificate: { cn: 'x' } }, /^expect\.certificate\.cn: unknown field/],
    [{ outcome: 'closed' }, /^expect\.outcome: "closed" is not an outcome/],
    [{ http: { status: 'ok' } }, /^expect\.http\.status: "ok" is not a status/],
    [{ certificate: { subject: { matches: '(' } } }, /^expect\.certificate\.subject\.matches: invalid regular expression/],
    [{ tlsVersion: '1.1' }, /^expect\.tlsVersion: expected TLSv1\.2 or TLSv1\.3/],
    ['established', /^expect: expected a mapping/],
  ];
  for (const [data, message] of cases) {
    const error = t.throws(() => validateExpectation(data), { instanceOf: ExpectationError });
    t.regex(error!.message, message);
  }
  t.throws(() => validateExpectation({ bogus: 1 }, 'lessons/sni/steps.yaml: steps[3].expect'), { message: /^lessons\/sni\/steps\.yaml: steps\[3\]\.expect\.bogus: unknown field/ });
  t.throws(() => evaluateExpectation(established(), { bogus: true } as unknown as ProbeExpectation), { instanceOf: ExpectationError });
});

interface Row {
  name: string;
  result: ProbeResult;
  expectation?: ProbeExpectation;
  id: string;
  says: RegExp[];
  /** What the explanation must not say (a sentence that was once wrong for this result). */
  never?: RegExp[];
  /** The title, when the result's kind decides it. */
  title?: RegExp;
}

const noServerBytes = [{ atMs: 1, direction: 'out' as const, what: 'ClientHello' }, { atMs: 2, direction: 'in' as const, what: 'EOF' }];

const rows: Row[] = [
  {
    name: 'EOF right after the ClientHello',
    result: failed('closed-after-client-hello', 35, { records: noServerBytes, clientHello: { sni: 'mock-openai-baz.glootest.com', alpn: ['h2'], versions: ['TLSv1.3'] } }),
    id: 'sni-no-listener',
    says: [/^the server closed the connection right after the ClientHello for SNI mock-openai-baz\.glootest\.com, before sending a certificate/, /inferred, not seen/, /wildcard hostname that covers it, or one without a hostname/],
    // No Secret is named after an SNI: a listener's certificateRefs name it.
    never: [/Secret for mock-openai-baz/],
    title: /^No listener for this SNI/,
  },
  {
    name: 'EOF after ClientHello without SNI',
    result: failed('closed-after-client-hello', 35, { records: noServerBytes, clientHello: { alpn: ['h2'], versions: ['TLSv1.3'] } }),
    id: 'no-sni-no-listener',
    says: [/carried no SNI/, /URL host is an IP address/, /--resolve/],
    never: [/for this SNI/],
    title: /^No SNI sent/,
  },
  {
    name: 'RST after ServerHello',
    result: failed('reset-after-client-hello', 35, { records: [...noServerBytes.slice(0, 1), { atMs: 2, direction: 'in', what: 'ServerHello' }, { atMs: 3, direction: 'in', what: 'RST' }] }),
    id: 'closed-during-handshake',
    says: [/reset the connection/],
  },
  {
    name: 'TLS 1.3 certificate_required',
    result: failed('client-certificate-required', 56, {}, { alert: { level: 'fatal', description: 'certificate_required', code: 116, direction: 'in' } }),
    id: 'mtls-certificate-required-after-handshake',
    says: [/certificate_required \(116\)\. In TLS 1\.3 the client sends its Certificate \(here an empty one\) and its Finished in one flight/, /curl exit 56, not 35/, /--cert/],
  },
  {
    name: 'TLS 1.3, client certificate required, closed without an alert',
    result: failed('client-certificate-required', 56, {}, { clientCertificate: { requested: true, sent: false } }),
    id: 'client-certificate-required',
    says: [/TLS 1\.3.*its close \(no alert\).*after the request was sent \(curl exit 56/, /--cert/],
  },
  {
    name: 'TLS 1.2 handshake_failure after CertificateRequest',
    result: failed('client-certificate-required', 35, {}, { version: 'TLSv1.2', alert: { level: 'fatal', description: 'handshake_failure', code: 40, direction: 'in' } }),
    id: 'client-certificate-required',
    says: [/In TLS 1\.2 the server asked for a certificate/, /empty Certificate message \(RFC 5246 §7\.4\.6/, /per port in perPort: not per listener/],
  },
  {
    name: 'unknown_ca for the client certificate',
    result: failed('client-certificate-rejected', 35, {}, {
      version: 'TLSv1.2',
      alert: { level: 'fatal', description: 'unknown_ca', code: 48, direction: 'in' },
      clientCertificate: { requested: true, sent: true, subject: 'CN=mallory', issuer: 'O=Rogue; CN=rogue-ca' },
    }),
    id: 'mtls-unknown-ca',
    says: [/checked the client certificate CN=mallory against its trusted CAs and found none that issued it \(its issuer is O=Rogue; CN=rogue-ca\): unknown_ca \(48\)/, /In TLS 1\.2 .*ends the handshake \(curl exit 35\)/],
  },
  {
    name: 'certificate_expired for the client certificate',
    result: failed('client-certificate-rejected', 56, {}, {
      alert: { level: 'fatal', description: 'certificate_expired', code: 45, direction: 'in' },
      clientCertificate: { requested: true, sent: true, subject: 'CN=mallory', issuer: 'O=Solo.io; CN=glootest.com' },
    }),
    id: 'mtls-certificate-expired',
    says: [/CN=mallory outside its validity period: certificate_expired \(45\)/],
  },
  {
    name: 'client certificate rejected by a close without an alert (a node:tls server)',
    result: failed('client-certificate-rejected', 35, {}, {
      version: 'TLSv1.2',
      clientCertificate: { requested: true, sent: true, subject: 'CN=mallory', issuer: 'O=Rogue; CN=rogue-ca' },
    }),
    id: 'client-certificate-rejected',
    says: [/rejected CN=mallory: the server closed the connection right after receiving it, without an alert \(its issuer is O=Rogue; CN=rogue-ca/],
  },
  {
    name: 'resumed session with another name',
    result: failed('verification-failed', 60, {}, { resumed: true, verification: { trusted: true, nameMatched: false, expired: false, errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }, peerChain: [leaf({ subjectAltNames: ['DNS:api.anthropic.com'] })] }),
    id: 'resumed-session-other-name',
    says: [/session's certificate is for api\.anthropic\.com, not mock-openai-foo/],
  },
  {
    name: 'expired',
    result: failed('verification-failed', 60, {}, { verification: { trusted: false, nameMatched: true, expired: true, errorCode: 'CERT_HAS_EXPIRED' } }),
    id: 'expired',
    says: [/expired on 2027-01-23/],
  },
  {
    name: 'not yet valid',
    result: failed('verification-failed', 60, {}, { verification: { trusted: false, nameMatched: true, expired: false, errorCode: 'CERT_NOT_YET_VALID' } }),
    id: 'not-yet-valid',
    says: [/valid from 2026-01-23/],
  },
  {
    name: 'self-signed',
    result: failed('verification-failed', 60, {}, { verification: { trusted: false, nameMatched: true, expired: false, errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }),
    id: 'self-signed',
    says: [/signs itself/],
  },
  {
    name: 'unknown CA (server)',
    result: failed('verification-failed', 60, { request: { url: `https://${FOO}/`, caFile: '/lab/ca.crt' } }, { verification: { trusted: false, nameMatched: true, expired: false, errorCode: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', reason: 'SSL certificate problem: unable to get local issuer certificate' } }),
    id: 'unknown-ca',
    says: [/issued by O=Solo\.io; CN=glootest\.com, which is not in the CA bundle \/lab\/ca\.crt/],
  },
  {
    name: 'a signature that does not verify is not an unknown CA',
    result: failed('verification-failed', 60, {}, { verification: { trusted: false, nameMatched: true, expired: false, errorCode: 'CERT_SIGNATURE_FAILURE', reason: 'SSL certificate problem: certificate signature failure' } }),
    id: 'bad-certificate-signature',
    says: [/does not verify with that issuer's key/],
  },
  {
    name: 'name mismatch',
    result: failed('verification-failed', 60, { clientHello: { sni: 'wrong.glootest.com', alpn: [], versions: [] } }, { verification: { trusted: true, nameMatched: false, expired: false } }),
    id: 'name-mismatch',
    says: [/answered SNI wrong\.glootest\.com with a certificate for mock-openai-foo\.glootest\.com/],
  },
  {
    name: 'generic verification failure',
    result: failed('verification-failed', 60, {}, { verification: { trusted: false, nameMatched: true, expired: false, errorCode: 'INVALID_PURPOSE', reason: 'SSL certificate problem: unsupported certificate purpose' } }),
    id: 'verification-failed',
    says: [/unsupported certificate purpose/],
  },
  {
    name: 'no_application_protocol',
    result: failed('alert', 35, { clientHello: { sni: FOO, alpn: ['http/1.1'], versions: [] } }, { alert: { level: 'fatal', description: 'no_application_protocol', code: 120, direction: 'in' } }),
    id: 'alpn-mismatch',
    says: [/offered ALPN http\/1\.1/],
  },
  {
    name: 'protocol_version',
    result: failed('alert', 35, { clientHello: { sni: FOO, alpn: [], versions: ['TLSv1.2'] } }, { alert: { level: 'fatal', description: 'protocol_version', code: 70, direction: 'in' } }),
    id: 'protocol-version',
    says: [/offered TLSv1\.2/],
  },
  {
    name: 'unrecognized_name',
    result: failed('alert', 35, {}, { alert: { level: 'fatal', description: 'unrecognized_name', code: 112, direction: 'in' } }),
    id: 'unrecognized-name',
    says: [/unrecognized_name \(112\)/],
  },
  {
    name: 'handshake_failure without a certificate request',
    result: failed('alert', 35, {}, { alert: { level: 'fatal', description: 'handshake_failure', code: 40, direction: 'in' } }),
    id: 'handshake-failure',
    says: [/could not agree on parameters/],
  },
  {
    name: 'plain HTTP on the TLS port',
    result: failed('not-tls', 35, { notTlsPreview: 'HTTP/1.1 400 Bad Request' }),
    id: 'plain-http-on-tls-port',
    says: [/got plaintext back \("HTTP\/1\.1 400 Bad Request"\)/],
  },
  { name: 'refused', result: failed('refused', 7, { connect: undefined }), id: 'refused', says: [/refused the TCP connection/] },
  { name: 'timeout connecting', result: failed('timeout', 28, { connect: undefined, request: { url: 'https://x/', maxTimeMs: 500 } }), id: 'timeout', says: [/--max-time 500 ms, before the TCP connection/] },
  { name: 'DNS', result: failed('dns-failure', 6, { connect: undefined }), id: 'dns-failure', says: [/--resolve mock-openai-foo\.glootest\.com:443:<GATEWAY_IP>/] },
  { name: 'bad client key file', result: failed('local-error', 58, { error: 'could not load the client certificate or key: no start line' }), id: 'local-file', says: [/no start line \(curl exit 58\)/] },
  {
    name: '421',
    result: established({ request: { url: `https://${FOO}/`, headers: [['Host', 'mock-openai-bar.glootest.com']] } }, {}, { status: 421 }),
    id: 'misdirected-request-421',
    says: [/SNI mock-openai-foo\.glootest\.com, but the request's Host is mock-openai-bar\.glootest\.com/],
  },
  { name: '404', result: established({}, {}, { status: 404, responseFlags: 'NR' }), id: 'no-route-404', says: [/NR \(no route/] },
  { name: '401 without a token (Envoy\'s wording)', result: established({}, {}, { status: 401, body: 'Jwt is missing' }), id: 'jwt-missing', says: [/carried no Authorization header/] },
  {
    name: '401 with credentials that are not a JWT',
    result: established({ request: { url: `https://${FOO}/v1/chat`, headers: [['Authorization', 'Basic YWxpY2U6c2VjcmV0']] } }, {}, { status: 401, body: 'unauthorized' }),
    id: 'unauthorized-401',
    says: [/although an Authorization header was sent/],
  },
  {
    name: '503: the upstream resumed a session made for another name',
    result: established({}, {}, { status: 503, body: 'upstream connect error: ERR_TLS_CERT_ALTNAME_INVALID: resumed TLS session made for api.agentgateway-system.svc.cluster.local: its certificate is not valid for console.agentgateway-system.svc.cluster.local: name check failed\n' }),
    id: 'upstream-resumed-session-other-name',
    says: [/api\.agentgateway-system/],
  },
  {
    name: '403 kid (agentgateway\'s wording, as the lab text quotes it)',
    result: established({}, {}, { status: 403, body: 'authentication failure: the token header does not specify a `kid`' }),
    id: 'jwt-kid-ambiguous',
    says: [/kid/],
  },
  {
    name: '403 from an authorization rule',
    result: established({}, {}, { status: 403, body: 'RBAC: access denied' }),
    id: 'forbidden-403',
    says: [/denied the request: RBAC: access denied/],
  },
  {
    name: '503 UF with a backend TLS failure',
    result: established({}, {}, { status: 503, responseFlags: 'UF', body: 'upstream connect error or disconnect/reset before headers. transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED' }),
    id: 'upstream-503',
    says: [/UF \(upstream connection failure/, /TLS handshake to the backend failed certificate verification/],
  },
  // Flags mean what Envoy's %RESPONSE_FLAGS% mean: a failed TLS handshake to the backend is UF; UT is a timeout; DR is the client's reset.
  { name: '503 UF from the workshop gateway, TLS stage', result: established({}, {}, { status: 503, responseFlags: 'UF', body: 'upstream TLS error: ECONNRESET: socket hang up' }), id: 'upstream-503', says: [/UF \(upstream connection failure: .*TLS handshake to it failed/], never: [/UT/] },
  { name: 'DR is a downstream remote reset, as in Envoy', result: established({}, {}, { status: 503, responseFlags: 'DR' }), id: 'upstream-503', says: [/DR \(downstream remote reset/], never: [/direct response/] },
  { name: '502', result: established({}, {}, { status: 502 }), id: 'upstream-502', says: [/invalid or reset response/] },
  { name: '504', result: established({}, {}, { status: 504, responseFlags: 'UT' }), id: 'upstream-504', says: [/UT \(upstream request timeout/], never: [/TLS/] },
  { name: 'empty reply', result: failed('http-error', 52, { request: { url: 'http://x:443/' } }), id: 'empty-reply', says: [/closed without any HTTP response.*TLS port/] },
  { name: 'other HTTP failure', result: failed('http-error', 56, { error: 'Recv failure: Connection reset by peer' }), id: 'http-exchange-failed', says: [/Recv failure/] },
  {
    name: 'succeeded where a failure was expected',
    result: established(),
    expectation: { outcome: 'closed-after-client-hello' },
    id: 'unexpected-success',
    says: [/expected closed-after-client-hello: a listener/],
  },
  { name: 'wrong certificate', result: established(), expectation: { certificate: { subject: 'CN=mock-openai-bar' } }, id: 'expectation-mismatch', says: [/certificate\.subject: expected contains "CN=mock-openai-bar", observed CN=mock-openai-foo/] },
  { name: 'success', result: established(), expectation: { outcome: 'established', http: { status: 200 } }, id: 'established', says: [/SNI mock-openai-foo\.glootest\.com selected a listener that presented CN=mock-openai-foo/], title: /^Handshake and request succeeded/ },
  {
    name: 'success over plain HTTP',
    result: established({ request: { url: 'http://127.0.0.1:8080/v1/chat/completions' }, clientHello: undefined, records: [], tls: undefined }),
    expectation: { outcome: 'established', http: { status: 200 } },
    id: 'plain-http-succeeded',
    says: [/plain HTTP, no TLS handshake: the request for Host 127\.0\.0\.1:8080 got HTTP 200/],
    never: [/[Hh]andshake (and request )?succeeded/, /SNI/],
    title: /^Request succeeded over plain HTTP/,
  },
  // Gateway → backend (BackendTLSPolicy, client certificate): the bodies are the gateway's own answers, as observed in the backend-mtls lesson.
  { name: 'backend wants a client certificate', result: upstream(503, 'UF', 'upstream TLS error: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 80:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:rec_layer_s3.c:1601:SSL alert number 116'), id: 'backend-client-certificate-required', says: [/Hop 1, client → gateway, worked: .*Host mtls-backend\.demo\.int.*HTTP 503.*x-agw-response-flags: UF\)/, /Hop 2, gateway → backend, failed: .*certificate_required alert \(116\)/, /clientCertificateRef/] },
  { name: 'backend refuses the client certificate', result: upstream(503, 'UF', 'upstream TLS error: ERR_SSL_TLSV13_ALERT_UNKNOWN_CA: tlsv13 alert unknown ca: SSL alert number 48'), id: 'backend-client-certificate-rejected', says: [/Hop 2, gateway → backend, failed: .*ALERT_UNKNOWN_CA/] },
  { name: 'policy trusts another CA', result: upstream(503, 'UF', 'upstream TLS error: SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain'), id: 'backend-certificate-untrusted', says: [/Hop 2, gateway → backend, failed: .*caCertificateRefs \(SELF_SIGNED_CERT_IN_CHAIN/, /the backend sent its root CA too/] },
  { name: 'policy names another hostname', result: upstream(503, 'UF', "upstream TLS error: ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: Host: httpbin.demo.int. is not in the cert's altnames: DNS:httpbin-tls.httpbin-tls.svc"), id: 'backend-name-mismatch', says: [/validation\.hostname as SNI/, /httpbin\.demo\.int/] },
  { name: 'policy CA ConfigMap missing', result: upstream(500, 'IB', 'BackendTLSPolicy httpbin-tls/backend-mtls-policy: ConfigMap httpbin-tls/backend-mtls-ca does not exist'), id: 'backend-tls-policy-unresolved', says: [/was never attempted: BackendTLSPolicy httpbin-tls\/backend-mtls-policy: ConfigMap httpbin-tls\/backend-mtls-ca does not exist/, /ResolvedRefs=False InvalidCACertificateRef/] },
  { name: 'client certificate Secret missing', result: upstream(500, 'IB', 'Gateway httpbin-tls/backend-mtls-gateway: spec.tls.backend.clientCertificateRef: Secret httpbin-tls/envoy-gateway-client-cert does not exist'), id: 'gateway-client-certificate-unresolved', says: [/was never attempted: .*envoy-gateway-client-cert does not exist/, /InvalidClientCertificateRef/] },
  { name: 'a 503 without a TLS reason stays a plain 503', result: upstream(503, 'UF', 'upstream connect error: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8443'), id: 'upstream-503', says: [/UF \(upstream connection failure/] },
];

/** The gateway's own answer over plain HTTP (the backend-mtls lab's listener), flags as the x-agw-response-flags header the probe reads. */
function upstream(status: number, flags: string, body: string): ProbeResult {
  const base = established({ request: { url: 'http://mtls-backend.demo.int:18080/get', resolve: ['mtls-backend.demo.int:18080:127.0.0.1'] }, clientHello: undefined, records: [], tls: undefined });
  return { ...base, http: { version: '1.1', status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-agw-response-flags': flags }, responseFlags: flags, body: `${body}\n`, bodyTruncated: false } };
}

test('each failure mode explains its result (cause and fix) with the observed names filled in', (t) => {
  for (const row of rows) {
    const explanation = explain(row.result, row.expectation);
    t.is(explanation?.id, row.id, row.name);
    const text = `${explanation?.cause ?? ''}\n${explanation?.fix ?? ''}`;
    for (const pattern of row.says) t.regex(text, pattern, `${row.name}: ${text}`);
    for (const pattern of row.never ?? []) t.notRegex(`${explanation?.title ?? ''}\n${text}`, pattern, `${row.name}: ${text}`);
    t.truthy(explanation?.title, row.name);
    if (row.title) t.regex(explanation?.title ?? '', row.title, row.name);
  }
});

test('every catalogue entry is reachable from some result in the table', (t) => {
  // The JWT refusals have their own table, produced by the real verifier (test/explain/jwt-failures.test.ts).
  const jwtTable = fs.readFileSync(new URL('../explain/jwt-failures.test.ts', import.meta.url), 'utf8');
  const covered = new Set([...rows.map((r) => r.id), ...[...jwtTable.matchAll(/'(jwt-[a-z-]+)'/g)].map((m) => m[1]!)]);
  t.deepEqual(failureModeIds().filter((id) => !covered.has(id)), []);
});
