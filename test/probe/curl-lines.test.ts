// The probe's -v trace, line for line against the real curl on the same
// command line, for the cases where the two used to differ: the name check
// (subjectAltName versus CN fallback), an untrusted chain (curl refuses inside
// the handshake), alert labels, the TLS 1.2 cipher name and an HTTP/1.0
// status line. Each test reads curl's own line and looks for it in the probe's.
import test from 'ava';
import net from 'node:net';
import tls from 'node:tls';
import { issueCertificate } from '../../source/pki/certificates.js';
import { parseCurlArgs } from '../../source/probe/curl-args.js';
import { probe } from '../../source/probe/probe.js';
import { renderCurlVerbose } from '../../source/probe/render-curl.js';
import { curlAvailable, runCurl, type CurlObservation } from './curl-agreement.js';
import { FOO, createPki, startTlsServer, type RunningServer, type TestPki } from './fixtures.js';

const CN_ONLY = 'cn-only.glootest.com';
const OTHER = 'other.glootest.com';

interface World {
  pki: TestPki;
  cnOnly: RunningServer;
  san: RunningServer;
  stranger: RunningServer;
  expired: RunningServer;
  tls12: RunningServer;
  mtls13: RunningServer;
  http10: { port: number; close(): Promise<void> };
}
let world: World;

/** A TLS server that answers any request with a raw HTTP/1.0 response and closes (close_notify). */
async function startHttp10Server(cert: { certPem: string; keyPem: string }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\n\r\nhello\n'));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test.before(async () => {
  await curlAvailable();
  const pki = await createPki();
  const cnOnlyCert = issueCertificate({ subject: `/CN=${CN_ONLY}`, issuer: pki.ca });
  const [cnOnly, san, stranger, expired, tls12, mtls13, http10] = await Promise.all([
    startTlsServer({ names: {}, fallback: cnOnlyCert }),
    startTlsServer({ names: {}, fallback: pki.foo }),
    startTlsServer({ names: {}, fallback: pki.stranger }),
    startTlsServer({ names: {}, fallback: pki.expired }),
    startTlsServer({ names: { [FOO]: pki.foo }, maxVersion: 'TLSv1.2', alpn: ['http/1.1'] }),
    startTlsServer({ names: { [FOO]: pki.foo }, clientCa: pki.clientCa, minVersion: 'TLSv1.3', alpn: ['http/1.1'] }),
    startHttp10Server(pki.foo),
  ]);
  world = { pki, cnOnly, san, stranger, expired, tls12, mtls13, http10 };
});

test.after.always(async () => {
  if (!world) return;
  await Promise.all([world.cnOnly, world.san, world.stranger, world.expired, world.tls12, world.mtls13, world.http10].map((s) => s.close()));
  await world.pki.cleanup();
});

async function both(args: string[]): Promise<{ trace: string[]; exitCode: number; curl: CurlObservation; curlLines: string[] }> {
  const request = { ...parseCurlArgs(args), maxTimeMs: 10_000 };
  const [result, curl] = await Promise.all([probe(request), runCurl(args)]);
  return {
    trace: renderCurlVerbose(result, { body: false }).split('\n'),
    exitCode: result.curlExitCode,
    curl,
    curlLines: curl.stderr.split('\n').map((l) => l.trimEnd()),
  };
}

function curlLine(lines: string[], pattern: RegExp): string {
  const line = lines.find((l) => pattern.test(l));
  if (!line) throw new Error(`curl printed no line matching ${pattern}:\n${lines.join('\n')}`);
  return line;
}

const on = (server: { port: number }, host: string, path = '/') => ['--resolve', `${host}:${server.port}:127.0.0.1`, `https://${host}:${server.port}${path}`];

test('a CN-only certificate: curl and the probe both fall back to the CN, and say so the same way', async (t) => {
  const { trace, exitCode, curl, curlLines } = await both(['--cacert', world.pki.caFile, ...on(world.cnOnly, CN_ONLY)]);
  t.is(curl.exitCode, 0, curl.stderr);
  t.is(exitCode, 0);
  const matched = curlLine(curlLines, /^\*\s+common name: /);
  t.is(matched, `*  common name: ${CN_ONLY} (matched)`);
  t.true(trace.includes(matched), trace.join('\n'));
  t.false(trace.some((l) => l.includes('subjectAltName')), 'no subjectAltName line for a certificate that has none');
});

test('a CN-only certificate for another name: the same "certificate subject name" failure and exit 60', async (t) => {
  const { trace, exitCode, curl, curlLines } = await both(['--cacert', world.pki.caFile, ...on(world.cnOnly, OTHER)]);
  t.is(curl.exitCode, 60);
  t.is(exitCode, 60);
  const failure = curlLine(curlLines, /^\* SSL: certificate subject name/);
  t.is(failure, `* SSL: certificate subject name '${CN_ONLY}' does not match target host name '${OTHER}'`);
  t.true(trace.includes(failure), trace.join('\n'));
  t.false(trace.some((l) => /^\*\s+issuer:/.test(l)), 'curl stops before the issuer line');
});

test('a subjectAltName that does not match: both print the two lines curl prints', async (t) => {
  const { trace, exitCode, curl, curlLines } = await both(['--cacert', world.pki.caFile, ...on(world.san, OTHER)]);
  t.is(curl.exitCode, 60);
  t.is(exitCode, 60);
  for (const pattern of [/^\*\s+subjectAltName does not match/, /^\* SSL: no alternative certificate subject name matches/]) {
    const line = curlLine(curlLines, pattern);
    t.true(trace.includes(line), `${line}\n---\n${trace.join('\n')}`);
  }
});

test('an untrusted chain: curl sends its alert after the Certificate; the probe names that alert, marks what it did instead, and uses curl\'s words', async (t) => {
  for (const [server, host] of [
    [world.stranger, 'stranger.glootest.com'],
    [world.expired, 'expired.glootest.com'],
  ] as const) {
    const { trace, exitCode, curl, curlLines } = await both(['--cacert', world.pki.caFile, ...on(server, host)]);
    t.is(curl.exitCode, 60);
    t.is(exitCode, 60);
    const alert = curlLine(curlLines, /\(OUT\), TLS alert, /);
    const label = alert.replace(/^.*\(OUT\), TLS alert, /, '');
    const probeAlert = trace.find((l) => l.startsWith('* [probe] curl sends here:'));
    t.truthy(probeAlert, trace.join('\n'));
    t.true(probeAlert!.includes(`(OUT), TLS alert, ${label}`), `${alert}\n${probeAlert}`);
    // Right after the server's Certificate, in both.
    const infoLines = curlLines.filter((l) => l.startsWith('* '));
    t.regex(infoLines[infoLines.indexOf(alert) - 1] ?? '', /\(IN\), TLS handshake, Certificate \(11\):$/);
    t.regex(trace[trace.indexOf(probeAlert!) - 1] ?? '', /\(IN\), TLS handshake, Certificate \(11\):$/);
    const reason = curlLine(curlLines, /^\* SSL certificate problem: /);
    t.true(trace.includes(reason), `${reason}\n---\n${trace.join('\n')}`);
    t.false(curlLines.includes('* Server certificate:'));
    t.false(trace.includes('* Server certificate:'), 'no certificate block where curl prints none');
    t.false(trace.some((l) => /^\* TLSv1\.\d \(OUT\), TLS alert/.test(l)), 'the probe never claims to have sent an alert it did not send');
  }
});

test('the TLS 1.3 certificate_required alert: curl\'s "unknown (628)" line, then the probe\'s name for it', async (t) => {
  const { trace, curl, curlLines } = await both(['--cacert', world.pki.caFile, ...on(world.mtls13, FOO)]);
  t.not(curl.exitCode, 0);
  const alert = curlLine(curlLines, /\(IN\), TLS alert, /);
  t.is(alert, '* TLSv1.3 (IN), TLS alert, unknown (628):');
  const index = trace.indexOf(alert);
  t.true(index >= 0, trace.join('\n'));
  t.is(trace[index + 1], '* [probe] alert 116 is certificate_required (fatal)');
});

test('TLS 1.2: the cipher as OpenSSL names it, as curl prints it', async (t) => {
  const { trace, curl, curlLines } = await both(['--cacert', world.pki.caFile, ...on(world.tls12, FOO)]);
  t.is(curl.exitCode, 0, curl.stderr);
  const line = curlLine(curlLines, /^\* SSL connection using TLSv1\.2 \//);
  t.regex(line, /\/ ECDHE-/);
  t.true(trace.includes(line), `${line}\n---\n${trace.join('\n')}`);
});

test('an HTTP/1.0 answer: the status line as the server sent it, and its close_notify', async (t) => {
  const { trace, curl, curlLines } = await both(['--cacert', world.pki.caFile, '--http1.1', ...on(world.http10, FOO)]);
  t.is(curl.exitCode, 0, curl.stderr);
  const status = curlLine(curlLines, /^< HTTP\//);
  t.is(status, '< HTTP/1.0 200 ok');
  t.true(trace.includes(status), trace.join('\n'));
  const closeNotify = curlLine(curlLines, /\(IN\), TLS alert, close notify \(256\):$/);
  t.true(trace.includes(closeNotify), `${closeNotify}\n---\n${trace.join('\n')}`);
});
