// `agw-workshop probe` as a learner runs it: the compiled CLI, its exit
// status, its curl -v style trace next to the real curl's, and --json/--explain.
import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { curlAvailable, runCurl } from './curl-agreement.js';
import { BAZ, FOO, createPki, startTlsServer, type RunningServer, type TestPki } from './fixtures.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/source/cli.js');
let pki: TestPki;
let server: RunningServer;

test.before(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -p tsconfig.json)`);
  await curlAvailable();
  pki = await createPki();
  server = await startTlsServer({ names: { [FOO]: pki.foo }, onNoMatch: 'eof' });
});

test.after.always(async () => {
  await server?.close();
  await pki?.cleanup();
});

function probeCli(...args: string[]) {
  return execa('node', [cli, 'probe', ...args], { reject: false, timeout: 20_000 });
}

function lab(host: string, ...extra: string[]): string[] {
  return ['--resolve', server.resolve(host), '--cacert', pki.caFile, ...extra, server.url(host, '/')];
}

/** The TLS record lines of a curl -v trace. */
function tlsLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\* TLSv1\.[23] \((IN|OUT)\), TLS (handshake|change cipher|alert)/.test(l));
}

test('a good request: exit 0, the body on stdout, a curl -v trace on stderr with the same TLS lines as curl', async (t) => {
  const [ours, curl] = await Promise.all([probeCli(...lab(FOO)), runCurl(lab(FOO))]);
  t.is(ours.exitCode, 0, ours.stderr);
  t.is((JSON.parse(ours.stdout) as { servedBy: string }).servedBy, FOO);
  t.regex(ours.stderr, new RegExp(`^\\* Connected to ${FOO} \\(127\\.0\\.0\\.1\\) port ${server.port}$`, 'm'));
  t.regex(ours.stderr, /^\* ALPN: curl offers h2,http\/1\.1$/m);
  t.regex(ours.stderr, /^\* SSL connection using TLSv1\.3 \/ TLS_AES_256_GCM_SHA384$/m);
  t.regex(ours.stderr, /^\* ALPN: server accepted h2$/m);
  t.regex(ours.stderr, new RegExp(`^\\*  subject: CN=${FOO}; O=mock-openai organization$`, 'm'));
  t.regex(ours.stderr, /^\*  start date: [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/m);
  t.regex(ours.stderr, /^\*  issuer: O=Solo\.io; CN=glootest\.com$/m);
  t.regex(ours.stderr, /^\*  SSL certificate verify ok\.$/m);
  t.regex(ours.stderr, /^> GET \/ HTTP\/2$/m);
  t.regex(ours.stderr, /^< HTTP\/2 200$/m);
  t.is(curl.exitCode, 0);
  // What curl prints record by record (OpenSSL's message callback), the probe prints from the wire.
  t.deepEqual(tlsLines(ours.stderr), tlsLines(curl.stderr));
  t.true(tlsLines(ours.stderr).includes('* TLSv1.3 (IN), TLS handshake, Certificate (11):'));
});

test('over TLS 1.2 the trace has the same TLS lines as curl too, Finished messages included', async (t) => {
  const args = lab(FOO, '--tls-max', '1.2');
  const [ours, curl] = await Promise.all([probeCli(...args), runCurl(args)]);
  t.is(ours.exitCode, 0, ours.stderr);
  t.is(curl.exitCode, 0, curl.stderr);
  t.deepEqual(tlsLines(ours.stderr), tlsLines(curl.stderr));
  t.true(tlsLines(ours.stderr).includes('* TLSv1.2 (IN), TLS handshake, Finished (20):'));
});

test('-i puts the status line and headers on stdout before the body', async (t) => {
  const result = await probeCli('-s', '-i', ...lab(FOO));
  t.is(result.exitCode, 0);
  t.regex(result.stdout, /^HTTP\/2 200\r\ncontent-type: application\/json\r\n/);
  t.is(result.stderr, '');
});

test('no listener for the SNI: exit 35, the trace stops after the ClientHello, --explain says why', async (t) => {
  const result = await probeCli('--explain', ...lab(BAZ));
  t.is(result.exitCode, 35);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^\* TLSv1\.3 \(OUT\), TLS handshake, Client hello \(1\):$/m);
  t.notRegex(result.stderr, /Server hello/);
  t.regex(result.stderr, /^agw-workshop probe: \(35\) /m);
  t.regex(result.stderr, new RegExp(`the server closed the connection right after the ClientHello for SNI ${BAZ}, before sending a certificate`));
  t.regex(result.stderr, /fix: use a name one of the Gateway's listeners serves/);
});

test('--json prints the ProbeResult (with the explanation when asked) and keeps the exit code', async (t) => {
  const result = await probeCli('--json', '--explain', ...lab(BAZ));
  t.is(result.exitCode, 35);
  const parsed = JSON.parse(result.stdout) as { outcome: string; curlExitCode: number; clientHello: { sni: string }; explanation: { id: string } };
  t.is(parsed.outcome, 'closed-after-client-hello');
  t.is(parsed.curlExitCode, 35);
  t.is(parsed.clientHello.sni, BAZ);
  t.is(parsed.explanation.id, 'sni-no-listener');
});

test('a bad flag exits 2 and names it; a missing client key file exits 58 like curl', async (t) => {
  const bad = await probeCli('--frobnicate', 'https://x/');
  t.is(bad.exitCode, 2, bad.stderr);
  t.regex(bad.stderr, /unknown option "--frobnicate"/);
  const missing = path.join(pki.dir, 'missing.key');
  const args = lab(FOO, '--cert', pki.client.certFile, '--key', missing);
  const [ours, curl] = await Promise.all([probeCli(...args), runCurl(args)]);
  t.is(ours.exitCode, 58, ours.stderr);
  t.is(curl.exitCode, 58, curl.stderr);
});

test('a missing CA file and one without certificates both exit 77, like curl', async (t) => {
  const empty = path.join(pki.dir, 'empty-ca.pem');
  await writeFile(empty, 'not a certificate\n');
  for (const caFile of [path.join(pki.dir, 'missing-ca.pem'), empty]) {
    const args = ['--resolve', server.resolve(FOO), '--cacert', caFile, server.url(FOO, '/')];
    const [ours, curl] = await Promise.all([probeCli(...args), runCurl(args)]);
    t.is(ours.exitCode, 77, ours.stderr);
    t.regex(ours.stderr, /could not load the CA file/);
    t.is(curl.exitCode, 77, curl.stderr);
  }
});

test('the bug report\'s script line (-s -o /dev/null -w "%{http_code}") prints what curl prints, answered or refused', async (t) => {
  const format = '%{http_code} %{exitcode} %{http_version}\\n';
  const answered = ['-s', '-o', '/dev/null', '-w', format, ...lab(FOO)];
  const refused = ['-s', '-o', '/dev/null', '-w', format, 'https://127.0.0.1:1/'];
  for (const args of [answered, refused]) {
    const [ours, curl] = await Promise.all([probeCli(...args), execa('curl', args, { reject: false })]);
    t.is(ours.stdout, curl.stdout);
    t.is(ours.exitCode, curl.exitCode);
  }
});

test('--help lists --sni and --no-sni as our own flags, not curl\'s, and says how curl varies the name', async (t) => {
  const help = await probeCli('--help');
  t.is(help.exitCode, 0);
  const [curlPart, ourPart] = help.stdout.split('Options of our own');
  t.truthy(ourPart, help.stdout);
  t.notRegex(curlPart!, /--sni|--no-sni/);
  t.regex(ourPart!, /--sni NAME \| --no-sni/);
  t.regex(ourPart!, /--resolve or --connect-to/);
});
