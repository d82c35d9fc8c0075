// The tls-vhosts workload: a certificate per SNI name on one address, and client certificates required.
import test from 'ava';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { freePort, startWorkload, type RunningWorkload } from './spawn-workload.js';
import { makeFixtures, type Fixtures } from './tls-fixtures.js';
import { matchVhost, parseVhostsConfig } from '../../source/workloads/tls-vhosts/index.js';

const host = '127.0.0.1';
let open: RunningWorkload;
let mtls: RunningWorkload;
let fixtures: Fixtures;

test.before(async () => {
  fixtures = makeFixtures(['api.example.com', 'admin.example.com']);
  const vhosts = ['api.example.com', 'admin.example.com'].flatMap((name) => ['--vhost', `${name}=${fixtures.files[`${name}.crt`]},${fixtures.files[`${name}.key`]}`]);
  open = await startWorkload('tls-vhosts', ['--listen', String(await freePort(host)), ...vhosts, '--strict-sni', '--close-connections'], { AGW_POD_IP: host });
  mtls = await startWorkload('tls-vhosts', ['--listen', String(await freePort(host)), ...vhosts, '--client-ca', fixtures.files['ca.crt']!, '--require-client-cert'], { AGW_POD_IP: host });
});
test.after.always(async () => {
  await Promise.all([open?.stop(), mtls?.stop()]);
  fixtures?.cleanup();
});

interface Outcome { subject?: string; body?: any; error?: string }

function exchange(port: number, options: tls.ConnectionOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, ca: [fixtures.ca.certPem, fixtures.otherCa.certPem], ...options });
    let subject: string | undefined;
    let data = '';
    socket.once('secureConnect', () => {
      subject = new X509Certificate(socket.getPeerCertificate().raw).subject;
      socket.write(`GET /hello HTTP/1.1\r\nHost: ${options.servername ?? host}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (d) => (data += d.toString()));
    socket.once('error', (error) => resolve({ subject, error: (error as NodeJS.ErrnoException).code ?? error.message }));
    socket.once('close', () => {
      const json = data.split('\r\n\r\n')[1];
      resolve(json ? { subject, body: JSON.parse(json) } : { subject, error: 'closed without a response' });
    });
  });
}

test('each SNI name gets its own certificate, and the JSON says what the server saw', async (t) => {
  const port = open.listening[0]!.port;
  const api = await exchange(port, { servername: 'api.example.com' });
  const admin = await exchange(port, { servername: 'admin.example.com' });
  t.regex(api.subject!, /CN=api\.example\.com/);
  t.regex(admin.subject!, /CN=admin\.example\.com/);
  t.is(api.body.sni, 'api.example.com');
  t.is(api.body.vhost, 'api.example.com');
  t.is(api.body.path, '/hello');
  t.is(api.body.clientCertificate, null);
});

function withSession(port: number, servername: string, session?: Buffer): Promise<{ status: string; body: any; connection?: string; session?: Buffer }> {
  return new Promise((resolve, reject) => {
    let saved: Buffer | undefined;
    let data = '';
    const socket = tls.connect({ host, port, servername, ca: [fixtures.ca.certPem, fixtures.otherCa.certPem], session, checkServerIdentity: () => undefined });
    socket.on('session', (s: Buffer) => (saved = s));
    socket.once('secureConnect', () => socket.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\n\r\n`));
    socket.on('data', (d) => (data += d.toString()));
    socket.once('error', reject);
    // No "Connection: close" from us: the server closes (--close-connections).
    socket.once('close', () => {
      const [head, json] = data.split('\r\n\r\n');
      resolve({ status: head?.split(' ')[1] ?? '', connection: /\r\nconnection: (\S+)/i.exec(head ?? '')?.[1], body: json ? JSON.parse(json) : undefined, session: saved });
    });
  });
}

test('--close-connections ends each connection; the JSON says whether it resumed and counts handshakes; one ticket key serves both names', async (t) => {
  const port = open.listening[0]!.port;
  const first = await withSession(port, 'api.example.com');
  t.is(first.status, '200');
  t.is(first.connection, 'close');
  t.false(first.body.tls.resumed);
  t.truthy(first.session);
  const again = await withSession(port, 'api.example.com', first.session);
  t.true(again.body.tls.resumed, 'the same name resumes');
  // Other tests of this file connect concurrently, but none of them resumes: only this test moves `resumed`.
  t.is(again.body.handshakes.resumed, first.body.handshakes.resumed + 1);
  // Offered to the other name, the server resumes it too (what the forward-proxy lesson relies on),
  // if this Node's client offers it at all (Node 22+ does not: runtime-facts.ts).
  const other = await withSession(port, 'admin.example.com', first.session);
  t.is(other.body.sni, 'admin.example.com');
  if (other.body.tls.resumed) t.is(other.body.handshakes.resumed, again.body.handshakes.resumed + 1);
  else t.log(`Node ${process.version}: the client did not offer api's session to admin`);
});

test('--strict-sni refuses a handshake whose SNI matches no vhost', async (t) => {
  const outcome = await exchange(open.listening[0]!.port, { servername: 'unknown.example.com' });
  t.is(outcome.subject, undefined, 'no certificate was presented');
  t.truthy(outcome.error);
});

test('--require-client-cert: no certificate or one from another CA fails; a certificate from --client-ca passes', async (t) => {
  const port = mtls.listening[0]!.port;
  const none = await exchange(port, { servername: 'api.example.com' });
  t.truthy(none.error, 'no client certificate → the handshake fails');
  t.is(none.body, undefined);
  const stranger = await exchange(port, { servername: 'api.example.com', cert: fixtures.strangerClient.certPem, key: fixtures.strangerClient.keyPem });
  t.is(stranger.body, undefined);
  const good = await exchange(port, { servername: 'admin.example.com', cert: fixtures.client.certPem, key: fixtures.client.keyPem });
  t.is(good.body.clientCertificate.verified, true);
  t.regex(good.body.clientCertificate.subject, /CN=gateway-client/);
  t.is(good.body.sni, 'admin.example.com');
});

test('flags: vhost syntax, wildcards, and clear errors', (t) => {
  const config = parseVhostsConfig(['--listen', '9443', '--vhost', '*.example.com=/a.crt,/a.key']);
  t.is(config.port, 9443);
  t.is(matchVhost(config.vhosts, 'x.example.com')?.name, '*.example.com');
  t.is(matchVhost(config.vhosts, 'a.b.example.com'), undefined);
  t.throws(() => parseVhostsConfig(['--vhost', 'api.example.com']), { message: /NAME=CERT_FILE,KEY_FILE/ });
  t.like(parseVhostsConfig(['--vhost', 'b.example.com=/certs/b/']).vhosts[0], { certFile: '/certs/b/tls.crt', keyFile: '/certs/b/tls.key' });
  t.throws(() => parseVhostsConfig(['--vhost', 'a=/c,/k', '--require-client-cert']), { message: /needs --client-ca/ });
});
