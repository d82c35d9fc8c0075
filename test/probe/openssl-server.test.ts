// Against `openssl s_server`, a server that rejects an untrusted client
// certificate with a real alert (unknown_ca) rather than a bare close — in
// TLS 1.3 that alert is encrypted and arrives after the client's Finished.
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { explain } from '../../source/explain/catalogue.js';
import { parseCurlArgs } from '../../source/probe/curl-args.js';
import { probe } from '../../source/probe/probe.js';
import { writeCertificateFiles } from '../../source/pki/index.js';
import { curlAvailable, runCurl } from './curl-agreement.js';
import { FOO, createPki, refusedPort, type TestPki } from './fixtures.js';

let pki: TestPki;
const servers: ResultPromise[] = [];

async function startOpenSslServer(version: '-tls1_2' | '-tls1_3'): Promise<number> {
  const port = await refusedPort();
  const foo = await writeCertificateFiles(pki.dir, 'foo', pki.foo);
  const clientCa = await writeCertificateFiles(pki.dir, 'client-ca', pki.clientCa);
  const server = execa('openssl', [
    's_server', '-accept', `127.0.0.1:${port}`, '-cert', foo.certFile, '-key', foo.keyFile,
    '-CAfile', clientCa.certFile, '-Verify', '1', '-verify_return_error', '-www', version,
  ], { reject: false, stdin: 'ignore', buffer: false });
  servers.push(server);
  // s_server prints ACCEPT when it listens; bounded wait.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('openssl s_server did not start within 10 s')), 10_000);
    const onData = (chunk: Buffer) => {
      if (chunk.toString().includes('ACCEPT')) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    void server.then((result) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited early: ${result.exitCode} ${String(result.stderr ?? '')}`));
    });
  });
  return port;
}

test.before(async () => {
  await curlAvailable();
  try {
    await execa('openssl', ['version']);
  } catch {
    throw new Error('these tests need the `openssl` command: install openssl and run again');
  }
  pki = await createPki();
});

test.after.always(async () => {
  for (const server of servers) server.kill();
  await Promise.all(servers.map((s) => s.catch(() => undefined)));
  await pki?.cleanup();
});

for (const [version, label, exitCode] of [['-tls1_3', 'TLS 1.3', 56], ['-tls1_2', 'TLS 1.2', 35]] as const) {
  test(`${label}: an untrusted client certificate gets the unknown_ca alert; the probe reads it and says the certificate was rejected`, async (t) => {
    const port = await startOpenSslServer(version);
    const args = ['--resolve', `${FOO}:${port}:127.0.0.1`, '--cacert', pki.caFile, '--cert', pki.rogueClient.certFile, '--key', pki.rogueClient.keyFile, `https://${FOO}:${port}/`];
    const result = await probe({ ...parseCurlArgs(args), maxTimeMs: 10_000 });
    t.is(result.outcome, 'client-certificate-rejected', result.error);
    t.is(result.curlExitCode, exitCode);
    t.is(result.tls?.alert?.code, 48);
    t.is(result.tls?.alert?.description, 'unknown_ca');
    const alert = result.records.find((r) => r.direction === 'in' && r.what === 'Alert');
    t.is(alert?.alert?.code, 48);
    // TLS 1.3 encrypts the alert: the probe read it with its own keys.
    t.is(Boolean(alert?.decrypted), version === '-tls1_3');
    // Told by the mTLS catalogue (source/explain/mtls-failures.ts).
    t.is(explain(result)?.id, 'mtls-unknown-ca');
    t.regex(explain(result)?.cause ?? '', /found none that issued it \(its issuer is O=Rogue; CN=rogue-ca\): unknown_ca \(48\)/);

    const curl = await runCurl(args);
    t.is(curl.exitCode, exitCode, curl.stderr);
    t.regex(curl.stderr, /unknown ca/i);
  });
}
