import test from 'ava';
import { CurlArgsError, parseCurlArgs, parseProbeCommandLine } from '../../source/probe/curl-args.js';
import { resolveTarget, ProbeInputError } from '../../source/probe/target.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

test('the SNI lab curl line parses verbatim (curl -ikv --resolve ... -H ... -d ...)', (t) => {
  const argv = [
    'curl', '-ikv', '--resolve', 'mock-openai-foo.glootest.com:443:127.0.0.1', 'https://mock-openai-foo.glootest.com:443/',
    '-H', 'content-type: application/json', '-d', '{\n  "model": "mock-gpt-4o"\n}',
  ];
  const { request, display } = parseProbeCommandLine(argv);
  t.deepEqual(request, {
    url: 'https://mock-openai-foo.glootest.com:443/',
    resolve: ['mock-openai-foo.glootest.com:443:127.0.0.1'],
    insecure: true,
    headers: [['content-type', 'application/json']],
    body: '{\n  "model": "mock-gpt-4o"\n}',
  });
  t.true(display.include && display.verbose);
});

test('every probe flag lands in its ProbeRequest field', (t) => {
  const request = parseCurlArgs([
    'https://a.example/x?y=1', '--connect-to', 'a.example:443:b.example:8443', '--sni', 'c.example', '--cacert', 'ca.crt',
    '--cert', 'c.crt', '--key', 'c.key', '--http1.1', '-X', 'put', '--tlsv1.3', '--tls-max', '1.3', '--max-time', '2.5', '-HX-A: 1', '--header=X-B: 2',
  ]);
  t.deepEqual(request, {
    url: 'https://a.example/x?y=1',
    connectTo: ['a.example:443:b.example:8443'],
    sni: 'c.example',
    caFile: 'ca.crt',
    certFile: 'c.crt',
    keyFile: 'c.key',
    httpVersion: '1.1',
    alpn: ['http/1.1'],
    method: 'PUT',
    tlsMinVersion: 'TLSv1.3',
    tlsMaxVersion: 'TLSv1.3',
    maxTimeMs: 2500,
    headers: [['X-A', '1'], ['X-B', '2']],
  });
  t.is(parseCurlArgs(['--no-sni', 'https://x']).sni, null);
  t.deepEqual(parseCurlArgs(['--http2', 'https://x']).alpn, ['h2', 'http/1.1']);
  t.is(parseCurlArgs(['-d', 'a=1', '--data', 'b=2', 'http://x']).body, 'a=1&b=2');
});

test('bad flags are errors that name the flag', (t) => {
  const cases: [string[], RegExp][] = [
    [['--frobnicate', 'https://x'], /unknown option "--frobnicate"/],
    [['-ikz', 'https://x'], /unknown option "-z" \(in "-ikz"\)/],
    [['https://x', '-H'], /option "-H" needs a value/],
    [['https://x', '-H', 'no-colon'], /-H "no-colon": expected "Name: value"/],
    [['https://x', '--max-time', 'soon'], /--max-time "soon": expected a positive number of seconds/],
    [['https://x', '--tls-max', '1.1'], /--tls-max "1.1": expected 1.2, 1.3 or default/],
    [['https://x', 'https://y'], /more than one URL/],
    [['-k'], /no URL given/],
    [['--insecure=yes', 'https://x'], /option "--insecure" takes no value/],
  ];
  for (const [argv, message] of cases) {
    const error = t.throws(() => parseCurlArgs(argv), { instanceOf: CurlArgsError });
    t.regex(error!.message, message);
  }
});

test('--connect-to then --resolve decide the address; the URL name stays for SNI and Host (curl order)', (t) => {
  const target = resolveTarget('https://foo.example:443/', ['foo.example:443:bar.example:8443'], ['bar.example:8443:127.0.0.9']);
  t.is(target.host, 'foo.example');
  t.is(target.connectHost, 'bar.example');
  t.is(target.connectPort, 8443);
  t.deepEqual(target.resolvedAddresses, ['127.0.0.9']);
  t.deepEqual(resolveTarget('https://x.example/', [], ['*:443:127.0.0.2']).resolvedAddresses, ['127.0.0.2']);
  t.is(resolveTarget('https://x.example/', [], ['y.example:443:127.0.0.2']).resolvedAddresses, undefined);
  t.is(resolveTarget('https://[::1]:9/', ['::[::1]:10']).connectPort, 10);
  t.throws(() => resolveTarget('https://x/', [], ['x:443:not-an-ip']), { instanceOf: ProbeInputError, message: /"not-an-ip" is not an IP address/ });
  t.throws(() => resolveTarget('ftp://x/'), { instanceOf: ProbeInputError, message: /only http:\/\/ and https:\/\// });
});

test('-d @file reads the body (newlines stripped), --data-binary keeps them, --data-raw never reads; -o and -w are display options', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'agw-curl-args-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'body.json');
  await writeFile(file, '{\n  "model": "mock-gpt-4o"\n}\n');
  t.is(parseCurlArgs(['-d', `@${file}`, 'http://x']).body, '{  "model": "mock-gpt-4o"}');
  t.is(parseCurlArgs(['--data-binary', `@${file}`, 'http://x']).body, '{\n  "model": "mock-gpt-4o"\n}\n');
  t.is(parseCurlArgs(['--data-raw', '@literal', 'http://x']).body, '@literal');
  t.throws(() => parseCurlArgs(['-d', '@/nonexistent/body', 'http://x']), { message: /-d "@\/nonexistent\/body": cannot read \/nonexistent\/body \(ENOENT\)/ });
  const { display } = parseProbeCommandLine(['-s', '-o', '/dev/null', '-w', '%{http_code}', 'https://x']);
  t.is(display.output, '/dev/null');
  t.is(display.writeOut, '%{http_code}');
});
