// The probe against real TLS servers on loopback, one per failure mode, each
// checked for classification, certificate facts and HTTP result — and against
// the real curl given the same command line.
import test from 'ava';
import { explain } from '../../source/explain/catalogue.js';
import { parseCurlArgs } from '../../source/probe/curl-args.js';
import { probe } from '../../source/probe/probe.js';
import type { ProbeResult } from '../../source/probe/types.js';
import type { ProbeSession } from '../../source/probe/probe.js';
import { curlAvailable, runCurl } from './curl-agreement.js';
import {
  BAR,
  BAZ,
  FOO,
  createPki,
  refusedPort,
  startPlainHttpServer,
  startSilentServer,
  startTlsServer,
  type RunningServer,
  type TestPki,
} from './fixtures.js';

interface World {
  pki: TestPki;
  sni: RunningServer;
  sniReset: RunningServer;
  mtls12: RunningServer;
  mtls13: RunningServer;
  stranger: RunningServer;
  expired: RunningServer;
  wrongName: RunningServer;
  h2only: RunningServer;
  plain: RunningServer;
  retry: RunningServer;
  silent: RunningServer;
  refused: number;
}

let world: World;

test.before(async () => {
  await curlAvailable();
  const pki = await createPki();
  const [sni, sniReset, mtls12, mtls13, stranger, expired, wrongName, h2only, plain, retry, silent, refused] = await Promise.all([
    startTlsServer({ names: { [FOO]: pki.foo, [BAR]: pki.bar }, onNoMatch: 'eof' }),
    startTlsServer({ names: { [FOO]: pki.foo, [BAR]: pki.bar }, onNoMatch: 'rst' }),
    startTlsServer({ names: { [FOO]: pki.foo }, clientCa: pki.clientCa, maxVersion: 'TLSv1.2', onNoMatch: 'eof' }),
    startTlsServer({ names: { [FOO]: pki.foo }, clientCa: pki.clientCa, minVersion: 'TLSv1.3', onNoMatch: 'eof' }),
    startTlsServer({ names: { 'stranger.glootest.com': pki.stranger }, onNoMatch: 'eof' }),
    startTlsServer({ names: { 'expired.glootest.com': pki.expired }, onNoMatch: 'eof' }),
    startTlsServer({ names: { 'wrong.glootest.com': pki.foo }, onNoMatch: 'eof' }),
    startTlsServer({ names: { [FOO]: pki.foo }, alpn: ['h2'], onNoMatch: 'eof' }),
    startPlainHttpServer(),
    startTlsServer({ names: { [FOO]: pki.foo }, ecdhCurve: 'P-256', minVersion: 'TLSv1.3', onNoMatch: 'eof' }),
    startSilentServer(),
    refusedPort(),
  ]);
  world = { pki, sni, sniReset, mtls12, mtls13, stranger, expired, wrongName, h2only, plain, retry, silent, refused };
});

test.after.always(async () => {
  if (!world) return;
  await Promise.all(
    [world.sni, world.sniReset, world.mtls12, world.mtls13, world.stranger, world.expired, world.wrongName, world.h2only, world.plain, world.retry, world.silent].map((s) => s.close()),
  );
  await world.pki.cleanup();
});

/** The curl command line for `host` on `server`, trusting the lab CA. */
function curlLine(server: RunningServer, host: string, ...extra: string[]): string[] {
  return ['--resolve', server.resolve(host), '--cacert', world.pki.caFile, ...extra, server.url(host, '/v1/chat')];
}

/** Probe and curl with the same arguments; both results. */
async function both(args: string[]): Promise<{ result: ProbeResult; curl: Awaited<ReturnType<typeof runCurl>> }> {
  const request = { ...parseCurlArgs(args), maxTimeMs: parseCurlArgs(args).maxTimeMs ?? 10_000 };
  const [result, curl] = await Promise.all([probe(request), runCurl(args)]);
  return { result, curl };
}

/**
 * curl exit codes grouped by what failed: after the handshake, a closed
 * connection shows up as 16/92 (HTTP/2), 18 (partial), 52 (empty reply),
 * 55 (send) or 56 (recv) depending on which of curl's steps meets it first.
 */
function exitClass(code: number): string {
  return [16, 18, 52, 55, 56, 92].includes(code) ? 'transfer-failed' : String(code);
}

function inbound(result: ProbeResult): string[] {
  return result.records.filter((r) => r.direction === 'in').map((r) => r.what);
}

test('SNI selects the matching certificate; the answer comes over h2 on the same connection; curl agrees', async (t) => {
  for (const [host, subject] of [
    [FOO, `CN=${FOO}; O=mock-openai organization`],
    [BAR, `CN=${BAR}; O=solo.io`],
  ] as const) {
    const { result, curl } = await both(curlLine(world.sni, host, '-H', 'content-type: application/json', '-d', '{"model":"mock-gpt-4o"}'));
    t.is(result.outcome, 'established', result.error);
    t.is(result.curlExitCode, 0);
    t.is(result.clientHello?.sni, host);
    t.deepEqual(result.clientHello?.alpn, ['h2', 'http/1.1']);
    t.is(result.tls?.version, 'TLSv1.3');
    t.is(result.tls?.alpn, 'h2');
    t.is(result.tls?.peerChain[0]?.subject, subject);
    t.is(result.tls?.peerChain[0]?.issuer, 'O=Solo.io; CN=glootest.com');
    t.true(result.tls?.verification.trusted && result.tls.verification.nameMatched);
    t.is(result.http?.version, '2');
    t.is(result.http?.status, 200);
    const echoed = JSON.parse(result.http!.body) as { servedBy: string; method: string; requestBody: string; alpn: string };
    t.is(echoed.servedBy, host);
    t.is(echoed.method, 'POST');
    t.is(echoed.requestBody, '{"model":"mock-gpt-4o"}');
    // TLS 1.3's encrypted flight, read with the probe's own keys, in curl's order.
    const handshake = result.records.filter((r) => r.handshakeType !== undefined && r.handshakeType !== 4).map((r) => `${r.direction}:${r.what}`);
    t.deepEqual(handshake, ['out:ClientHello', 'in:ServerHello', 'in:EncryptedExtensions', 'in:Certificate', 'in:CertificateVerify', 'in:Finished', 'out:Finished']);
    t.true(result.records.filter((r) => r.what === 'Certificate').every((r) => r.decrypted));
    t.true(result.timings.connectMs! <= result.timings.tlsMs! && result.timings.tlsMs! <= result.timings.firstByteMs! && result.timings.firstByteMs! <= result.timings.totalMs);
    t.is(explain(result)?.id, 'established');

    t.is(curl.exitCode, 0, curl.stderr);
    t.is(curl.subject, result.tls?.peerChain[0]?.subject);
    t.is(curl.status, result.http?.status);
  }
});

test('SNI with no listener: the server closes after the ClientHello (EOF), exit 35 like curl, explained as sni-no-listener', async (t) => {
  const { result, curl } = await both(curlLine(world.sni, BAZ));
  t.is(result.outcome, 'closed-after-client-hello');
  t.is(result.curlExitCode, 35);
  t.is(result.clientHello?.sni, BAZ);
  t.deepEqual(inbound(result), ['EOF']);
  t.deepEqual(result.records.map((r) => r.what), ['ClientHello', 'EOF']);
  t.is(result.tls?.peerChain.length ?? 0, 0);
  t.is(result.http, undefined);
  const explanation = explain(result);
  t.is(explanation?.id, 'sni-no-listener');
  t.true(explanation?.cause.startsWith(`the server closed the connection right after the ClientHello for SNI ${BAZ}, before sending a certificate`), explanation?.cause);
  // The reason is an inference from the client's side; the text says so and says where the certainty is.
  t.regex(explanation?.cause ?? '', /That is inferred, not seen/);
  t.regex(explanation?.cause ?? '', /access log says so for certain/);
  t.regex(explanation?.cause ?? '', /RFC 6066 §3/);
  t.regex(explanation?.fix ?? '', /use a name one of the Gateway's listeners serves .* or give mock-openai-baz\.glootest\.com a listener/);
  t.is(curl.exitCode, 35, curl.stderr);
  t.is(curl.subject, undefined);
});

test('SNI with no listener on a resetting server: RST after the ClientHello, exit 35 like curl', async (t) => {
  const { result, curl } = await both(curlLine(world.sniReset, BAZ));
  t.is(result.outcome, 'reset-after-client-hello');
  t.is(result.curlExitCode, 35);
  t.deepEqual(inbound(result), ['RST']);
  t.is(explain(result)?.id, 'sni-no-listener');
  t.regex(explain(result)?.cause ?? '', /reset the connection right after the ClientHello for SNI .*, before sending a certificate/);
  t.is(curl.exitCode, 35, curl.stderr);
});

test('mTLS over TLS 1.2 without a client certificate: CertificateRequest in the clear, handshake_failure, exit 35 like curl', async (t) => {
  const { result, curl } = await both(curlLine(world.mtls12, FOO));
  t.is(result.outcome, 'client-certificate-required');
  t.is(result.curlExitCode, 35);
  t.is(result.tls?.version, 'TLSv1.2');
  t.true(result.records.some((r) => r.what === 'CertificateRequest' && !r.decrypted));
  t.deepEqual(result.tls?.clientCertificate, { requested: true, sent: false, evidence: 'CertificateRequest' });
  t.is(result.tls?.alert?.description, 'handshake_failure');
  t.is(result.tls?.alert?.code, 40);
  // The chain was on the wire in plaintext, so it is known even though the handshake failed.
  t.is(result.tls?.peerChain[0]?.subject, `CN=${FOO}; O=mock-openai organization`);
  t.is(explain(result)?.id, 'client-certificate-required');
  t.is(curl.exitCode, 35, curl.stderr);
  t.is(curl.subject, undefined, 'curl prints the certificate only after the handshake');
});

test('mTLS over TLS 1.2 with a certificate from an unknown CA: the server closes after our Certificate, client-certificate-rejected, exit 35 like curl', async (t) => {
  const { result, curl } = await both(curlLine(world.mtls12, FOO, '--cert', world.pki.rogueClient.certFile, '--key', world.pki.rogueClient.keyFile));
  t.is(result.outcome, 'client-certificate-rejected');
  t.is(result.curlExitCode, 35);
  // node:tls servers reject an untrusted client certificate by closing, without an alert.
  t.is(result.tls?.alert, undefined);
  t.deepEqual(result.records.filter((r) => r.direction === 'out').map((r) => r.what).slice(0, 3), ['ClientHello', 'Certificate', 'ClientKeyExchange']);
  t.is(result.records.at(-1)?.what, 'EOF');
  t.true(result.tls?.clientCertificate.sent);
  t.is(result.tls?.clientCertificate.subject, 'CN=mallory');
  t.is(explain(result)?.id, 'client-certificate-rejected');
  t.regex(explain(result)?.cause ?? '', /CN=mallory.*closed the connection.*O=Rogue/);
  t.is(curl.exitCode, 35, curl.stderr);
});

test('mTLS over TLS 1.2 and 1.3 with a trusted client certificate: established, the server saw the certificate', async (t) => {
  for (const server of [world.mtls12, world.mtls13]) {
    const { result, curl } = await both(curlLine(server, FOO, '--cert', world.pki.client.certFile, '--key', world.pki.client.keyFile));
    t.is(result.outcome, 'established', result.error);
    t.is(result.http?.status, 200);
    t.is((JSON.parse(result.http!.body) as { clientCertificate: string }).clientCertificate, 'alice');
    t.true(result.tls?.clientCertificate.requested);
    t.true(result.tls?.clientCertificate.sent);
    t.is(curl.exitCode, 0, curl.stderr);
    t.is(curl.status, 200);
  }
});

test('mTLS over TLS 1.3 without a client certificate: the alert comes after the handshake (certificate_required), exit 56 like curl', async (t) => {
  const { result, curl } = await both(curlLine(world.mtls13, FOO));
  t.is(result.outcome, 'client-certificate-required');
  t.is(result.curlExitCode, 56);
  t.is(result.tls?.version, 'TLSv1.3');
  t.is(result.tls?.alert?.code, 116);
  t.is(result.tls?.alert?.description, 'certificate_required');
  // Decrypted with the probe's keys: the request for a certificate, and our empty answer.
  t.true(result.records.some((r) => r.what === 'CertificateRequest' && r.decrypted));
  t.true(result.records.some((r) => r.direction === 'out' && r.what === 'Certificate' && r.detail === '0 certificates'));
  t.true(result.records.some((r) => r.direction === 'in' && r.what === 'Alert' && r.alert?.code === 116));
  t.deepEqual(result.tls?.clientCertificate, { requested: true, sent: false, evidence: 'CertificateRequest' });
  t.is(result.tls?.verification.trusted, true);
  const explanation = explain(result);
  // The mTLS catalogue (source/explain/mtls-failures.ts) tells this case with its timing.
  t.is(explanation?.id, 'mtls-certificate-required-after-handshake');
  t.regex(explanation?.cause ?? '', /In TLS 1\.3 .*the client's Finished at [\d.]+ ms, the alert at [\d.]+ ms.*curl exit 56, not 35/);
  t.is(curl.exitCode, 56, curl.stderr);
  t.regex(curl.stderr, /certificate required/);
});

test('mTLS over TLS 1.3 with a certificate from an unknown CA: closed after the handshake, rejected; curl fails on the transfer too', async (t) => {
  const { result, curl } = await both(curlLine(world.mtls13, FOO, '--cert', world.pki.rogueClient.certFile, '--key', world.pki.rogueClient.keyFile));
  t.is(result.outcome, 'client-certificate-rejected');
  t.is(exitClass(result.curlExitCode), 'transfer-failed');
  t.true(result.records.some((r) => r.direction === 'out' && r.what === 'Certificate' && r.detail === '1 certificate' && r.decrypted));
  t.is(explain(result)?.id, 'client-certificate-rejected');
  // curl's code here depends on which of its steps meets the close first.
  t.is(exitClass(curl.exitCode), 'transfer-failed', curl.stderr);
});

test('a certificate from an unknown CA fails verification (exit 60 like curl), with the chain recorded; -k gets the answer', async (t) => {
  const { result, curl } = await both(curlLine(world.stranger, 'stranger.glootest.com'));
  t.is(result.outcome, 'verification-failed');
  t.is(result.curlExitCode, 60);
  t.false(result.tls?.verification.trusted);
  t.true(result.tls?.verification.nameMatched);
  t.is(result.tls?.peerChain[0]?.subject, 'CN=stranger.glootest.com');
  t.is(result.tls?.peerChain[0]?.issuer, 'O=Elsewhere; CN=stranger-ca');
  t.is(result.http, undefined);
  t.is(explain(result)?.id, 'unknown-ca');
  t.is(curl.exitCode, 60, curl.stderr);

  const insecure = await both(curlLine(world.stranger, 'stranger.glootest.com', '-k'));
  t.is(insecure.result.outcome, 'established');
  t.is(insecure.result.http?.status, 200);
  t.false(insecure.result.tls?.verification.trusted);
  t.is(insecure.curl.exitCode, 0);
  t.is(insecure.curl.subject, insecure.result.tls?.peerChain[0]?.subject);
});

test('a certificate for another name fails the name check (exit 60 like curl), explained as name-mismatch', async (t) => {
  const { result, curl } = await both(curlLine(world.wrongName, 'wrong.glootest.com'));
  t.is(result.outcome, 'verification-failed');
  t.is(result.curlExitCode, 60);
  t.true(result.tls?.verification.trusted);
  t.false(result.tls?.verification.nameMatched);
  t.is(result.tls?.verification.errorCode, 'ERR_TLS_CERT_ALTNAME_INVALID');
  const explanation = explain(result);
  t.is(explanation?.id, 'name-mismatch');
  t.regex(explanation?.cause ?? '', new RegExp(`certificate for ${FOO.replace(/\./g, '\\.')}`));
  t.is(curl.exitCode, 60, curl.stderr);
});

test('an expired certificate fails verification (exit 60 like curl), explained as expired', async (t) => {
  const { result, curl } = await both(curlLine(world.expired, 'expired.glootest.com'));
  t.is(result.outcome, 'verification-failed');
  t.is(result.curlExitCode, 60);
  t.true(result.tls?.verification.expired);
  t.is(result.tls?.verification.errorCode, 'CERT_HAS_EXPIRED');
  t.is(explain(result)?.id, 'expired');
  t.is(curl.exitCode, 60, curl.stderr);
  t.regex(curl.stderr, /expired/);
});

test('an h2-only listener: h2 works, HTTP/1.1-only ALPN gets no_application_protocol (exit 35 like curl)', async (t) => {
  const ok = await both(curlLine(world.h2only, FOO));
  t.is(ok.result.tls?.alpn, 'h2');
  t.is(ok.result.http?.version, '2');
  t.is(ok.curl.exitCode, 0);

  const { result, curl } = await both(curlLine(world.h2only, FOO, '--http1.1'));
  t.deepEqual(result.clientHello?.alpn, ['http/1.1']);
  t.is(result.outcome, 'alert');
  t.is(result.curlExitCode, 35);
  t.is(result.tls?.alert?.code, 120);
  t.is(result.tls?.alert?.description, 'no_application_protocol');
  t.is(explain(result)?.id, 'alpn-mismatch');
  t.is(curl.exitCode, 35, curl.stderr);
});

test('TLS 1.2 forced with --tls-max 1.2: the handshake in plaintext up to ChangeCipherSpec, the Finished messages decrypted', async (t) => {
  const { result, curl } = await both(curlLine(world.sni, FOO, '--tls-max', '1.2', '--http1.1'));
  t.is(result.outcome, 'established', result.error);
  t.is(result.tls?.version, 'TLSv1.2');
  t.deepEqual(result.clientHello?.versions, ['TLSv1.2']);
  const inbound12 = result.records.filter((r) => r.direction === 'in').map((r) => r.what);
  t.deepEqual(inbound12.slice(0, 4), ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']);
  // After ChangeCipherSpec the Finished messages are encrypted; the master secret from the key log opens them.
  t.deepEqual(result.records.filter((r) => r.what === 'Finished').map((r) => [r.direction, r.decrypted, r.bytes]), [['out', true, 16], ['in', true, 16]]);
  t.is(result.http?.version, '1.1');
  t.is(curl.exitCode, 0);
  t.is(curl.status, 200);
});

test('plain HTTP on the port: the probe sees a non-TLS answer (not-tls, exit 35 like curl)', async (t) => {
  const { result, curl } = await both(['--resolve', world.plain.resolve(FOO), world.plain.url(FOO)]);
  t.is(result.outcome, 'not-tls');
  t.is(result.curlExitCode, 35);
  t.regex(result.notTlsPreview ?? '', /^HTTP\/1\.1 400/);
  t.is(explain(result)?.id, 'plain-http-on-tls-port');
  t.is(curl.exitCode, 35, curl.stderr);

  const plain = await both(['--resolve', world.plain.resolve(FOO), world.plain.url(FOO).replace('https:', 'http:')]);
  t.is(plain.result.outcome, 'established');
  t.is(plain.result.http?.body, 'plain http\n');
  t.is(plain.curl.exitCode, 0);
});

test('a refused port: exit 7 like curl', async (t) => {
  const { result, curl } = await both(['--resolve', `${FOO}:${world.refused}:127.0.0.1`, `https://${FOO}:${world.refused}/`]);
  t.is(result.outcome, 'refused');
  t.is(result.curlExitCode, 7);
  t.is(explain(result)?.id, 'refused');
  t.is(curl.exitCode, 7, curl.stderr);
});

test('a server that never answers the ClientHello: --max-time bounds the probe (exit 28 like curl)', async (t) => {
  const started = performance.now();
  const { result, curl } = await both(['--max-time', '1', '--resolve', world.silent.resolve(FOO), world.silent.url(FOO)]);
  const elapsed = performance.now() - started;
  t.is(result.outcome, 'timeout');
  t.is(result.curlExitCode, 28);
  t.true(result.timings.totalMs >= 950 && result.timings.totalMs < 2500, `${result.timings.totalMs} ms`);
  // Nothing ever came back; on a starved machine the deadline may even beat our own ClientHello.
  t.deepEqual(result.records.filter((r) => r.direction === 'in'), []);
  t.true(result.records.every((r) => r.what === 'ClientHello'));
  t.is(explain(result)?.id, 'timeout');
  t.regex(explain(result)?.cause ?? '', result.connect ? /never answered the ClientHello/ : /before the TCP connection/);
  t.true(elapsed < 6000);
  t.is(curl.exitCode, 28, curl.stderr);
});

test('a server that wants another key share answers with a HelloRetryRequest (the special random); the probe still reads the rest', async (t) => {
  const { result, curl } = await both(curlLine(world.retry, FOO));
  t.is(result.outcome, 'established', result.error);
  t.true(result.tls?.helloRetryRequest);
  const flow = result.records.filter((r) => r.handshakeType !== undefined && r.handshakeType !== 4).map((r) => `${r.direction}:${r.what}`);
  t.deepEqual(flow.slice(0, 4), ['out:ClientHello', 'in:HelloRetryRequest', 'out:ClientHello', 'in:ServerHello']);
  t.true(result.records.some((r) => r.what === 'Certificate' && r.decrypted));
  t.is(result.tls?.peerChain[0]?.subject, `CN=${FOO}; O=mock-openai organization`);
  t.is(curl.exitCode, 0, curl.stderr);
  t.is(curl.subject, result.tls?.peerChain[0]?.subject);
});

// The seed's forward-proxy bug needs a client that offers a session saved for
// one name on a connection to another. Whether node:tls's client does depends
// on the OpenSSL it is built with: Node 20 (OpenSSL 3.0) offers it and a server
// answering both names resumes it; Node 22+ (OpenSSL 3.5 here) will not offer a
// session saved for another name, so the handshake is a full one. What the
// ClientHello carried decides which of the two is asserted; both are real.
test('a session saved for one name and offered to another is resumed with the first name\'s certificate (name check fails, explained), unless the client refuses to offer it', async (t) => {
  for (const tlsMax of ['1.2', '1.3']) {
    const sessions: ProbeSession[] = [];
    const first = await probe(parseCurlArgs(curlLine(world.sni, FOO, '--tls-max', tlsMax)), { onSession: (s) => sessions.push(s) });
    t.is(first.outcome, 'established', first.error);
    t.false(first.tls?.resumed);
    t.false(first.clientHello?.offersSession, `TLS ${tlsMax}: nothing to offer on a first connection`);
    const session = sessions.at(-1);
    t.truthy(session, `TLS ${tlsMax}: the server issued a session`);
    t.is(session?.serverName, FOO);

    const other = await probe(parseCurlArgs(curlLine(world.sni, BAR, '--tls-max', tlsMax)), { session });
    if (other.clientHello?.offersSession) {
      // The server resumes it for another name (as the seed's bug report describes), so no certificate is sent.
      t.true(other.tls?.resumed, `TLS ${tlsMax}`);
      t.false(other.records.some((r) => r.direction === 'in' && r.what === 'Certificate'));
      t.is(other.tls?.peerChain[0]?.subject, `CN=${FOO}; O=mock-openai organization`);
      t.is(other.outcome, 'verification-failed');
      t.is(other.curlExitCode, 60);
      t.false(other.tls?.verification.nameMatched);
      t.is(explain(other)?.id, 'resumed-session-other-name');
    } else {
      t.log(`TLS ${tlsMax}: this client (Node ${process.version}, OpenSSL ${process.versions.openssl}) does not offer a session saved for ${FOO} to ${BAR}`);
      t.false(other.tls?.resumed, `TLS ${tlsMax}`);
      t.true(other.records.some((r) => r.direction === 'in' && r.what === 'Certificate'));
      t.true(other.tls?.peerChain[0]?.subject.startsWith(`CN=${BAR};`), other.tls?.peerChain[0]?.subject);
      t.is(other.outcome, 'established', other.error);
      t.is(other.http?.status, 200);
    }

    const same = await probe(parseCurlArgs(curlLine(world.sni, FOO, '--tls-max', tlsMax)), { session });
    t.true(same.clientHello?.offersSession, `TLS ${tlsMax}: the session is offered to the name it was saved for`);
    t.true(same.tls?.resumed);
    t.is(same.outcome, 'established', same.error);
    t.is(same.http?.status, 200);
  }
});

test('--sni chooses the name sent (and checked) apart from the URL; --no-sni and an IP URL send none, as curl does for an IP', async (t) => {
  const overridden = await probe({ ...parseCurlArgs(curlLine(world.sni, FOO, '--sni', BAR)), maxTimeMs: 10_000 });
  t.is(overridden.clientHello?.sni, BAR);
  t.is(overridden.tls?.peerChain[0]?.subject, `CN=${BAR}; O=solo.io`);
  t.is(overridden.outcome, 'established', overridden.error);
  t.is(JSON.parse(overridden.http!.body).servedBy, BAR);

  const none = await probe({ ...parseCurlArgs(curlLine(world.sni, FOO, '--no-sni', '-k')), maxTimeMs: 10_000 });
  t.is(none.clientHello?.sni, undefined);
  t.regex(none.records[0]?.detail ?? '', /^no SNI/);
  t.is(none.outcome, 'established', none.error);

  // An IP in the URL: no SNI, the name check is against the IP (curl: the same, exit 60 without an IP SAN).
  const ipArgs = ['--cacert', world.pki.caFile, `https://127.0.0.1:${world.sni.port}/`];
  const [byIp, curl] = await Promise.all([probe({ ...parseCurlArgs(ipArgs), maxTimeMs: 10_000 }), runCurl(ipArgs)]);
  t.is(byIp.clientHello?.sni, undefined);
  t.is(byIp.outcome, 'verification-failed');
  t.false(byIp.tls?.verification.nameMatched);
  t.is(byIp.curlExitCode, 60);
  t.is(curl.exitCode, 60, curl.stderr);
});

test('no common TLS version: a TLS 1.2-only server answers a TLS 1.3-only ClientHello with protocol_version (exit 35 like curl)', async (t) => {
  const { result, curl } = await both(curlLine(world.mtls12, FOO, '--tlsv1.3'));
  t.deepEqual(result.clientHello?.versions, ['TLSv1.3']);
  t.is(result.outcome, 'alert');
  t.is(result.curlExitCode, 35);
  t.is(result.tls?.alert?.code, 70);
  t.is(explain(result)?.id, 'protocol-version');
  t.is(curl.exitCode, 35, curl.stderr);
});

test('--connect-to dials another address while SNI, Host and the name check keep the URL name, as with curl', async (t) => {
  const args = ['--connect-to', `${FOO}:443:127.0.0.1:${world.sni.port}`, '--cacert', world.pki.caFile, `https://${FOO}/v1/chat`];
  const { result, curl } = await both(args);
  t.is(result.outcome, 'established', result.error);
  t.deepEqual([result.connect?.address, result.connect?.port], ['127.0.0.1', world.sni.port]);
  t.is(result.clientHello?.sni, FOO);
  t.is(JSON.parse(result.http!.body).servedBy, FOO);
  t.is(curl.exitCode, 0, curl.stderr);
  t.is(curl.subject, result.tls?.peerChain[0]?.subject);
});
