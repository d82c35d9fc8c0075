// TLS towards backends (BackendTLSPolicy): SNI, CA, SAN check, the Gateway's
// client certificate, and session resumption keyed by SNI. One upstream
// server answers two names on one address and would resume either name's
// session for the other (the forward-proxy bug's setting); a tap in front of
// it reads each ClientHello, so the test sees which SNI offered a session.
import test from 'ava';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { issueCertificate } from '../../../source/pki/index.js';
import type { BackendIR, UpstreamTlsIR } from '../../../gateway/ir/types.js';
import { parseClientHello } from '../../../gateway/dataplane/client-hello.js';
import { freePort, gatewayIR, httpListener, route, startDataplane } from './helpers.js';

const A = 'a.upstream.test';
const B = 'b.upstream.test';
const ca = issueCertificate({ subject: '/CN=upstream test CA' });
const otherCa = issueCertificate({ subject: '/CN=some other CA' });
const certA = issueCertificate({ subject: `/CN=${A}`, subjectAltNames: [A], issuer: ca });
const certB = issueCertificate({ subject: `/CN=${B}`, subjectAltNames: [B, 'URI:spiffe://upstream.test/b'], issuer: ca });
// Two cluster names of one pod, each with a certificate from its own CA (the forward-proxy report's setting).
const API = 'api.lab.svc.cluster.local';
const CONSOLE = 'console.lab.svc.cluster.local';
const consoleCa = issueCertificate({ subject: '/CN=console test CA' });
const certApi = issueCertificate({ subject: `/CN=${API}`, subjectAltNames: [API], issuer: ca });
const certConsole = issueCertificate({ subject: `/CN=${CONSOLE}`, subjectAltNames: [CONSOLE], issuer: consoleCa });
const certLocalhost = issueCertificate({ subject: '/CN=localhost', subjectAltNames: ['localhost'], issuer: ca });
const gatewayClient = issueCertificate({ subject: '/CN=gateway-client', usage: 'client', issuer: ca });

const dp = startDataplane();
let port = 0;
let upstreamPort = 0;
const hellos: { sni?: string; offersResumption: boolean }[] = [];
const handshakes: { sni?: string; reused: boolean; clientCN?: string }[] = [];
let tap: net.Server;

function startUpstream(): Promise<void> {
  const contexts: Record<string, tls.SecureContext> = {
    // One session id context for both names: this server would resume A's session on a connection for B.
    [A]: tls.createSecureContext({ cert: certA.certPem, key: certA.keyPem, ca: ca.certPem, sessionIdContext: 'upstream' }),
    [B]: tls.createSecureContext({ cert: certB.certPem, key: certB.keyPem, ca: ca.certPem, sessionIdContext: 'upstream' }),
    [API]: tls.createSecureContext({ cert: certApi.certPem, key: certApi.keyPem, ca: ca.certPem, sessionIdContext: 'upstream' }),
    [CONSOLE]: tls.createSecureContext({ cert: certConsole.certPem, key: certConsole.keyPem, ca: ca.certPem, sessionIdContext: 'upstream' }),
    localhost: tls.createSecureContext({ cert: certLocalhost.certPem, key: certLocalhost.keyPem, ca: ca.certPem, sessionIdContext: 'upstream' }),
  };
  const https = tls.createServer({
    cert: certA.certPem,
    key: certA.keyPem,
    ca: ca.certPem,
    requestCert: true,
    rejectUnauthorized: false,
    sessionIdContext: 'upstream',
    SNICallback: (name, cb) => cb(null, contexts[name] ?? contexts[A]),
  });
  const app = http.createServer((req, res) => {
    const socket = req.socket as tls.TLSSocket;
    res.setHeader('connection', 'close'); // every request is a new TLS connection
    res.end(JSON.stringify({ sni: socket.servername, path: req.url }));
  });
  https.on('secureConnection', (socket) => {
    const peer = socket.getPeerCertificate();
    handshakes.push({ sni: socket.servername || undefined, reused: socket.isSessionReused(), clientCN: socket.authorized ? String(peer.subject?.CN) : undefined });
    app.emit('connection', socket);
  });
  // The tap reads the ClientHello and hands the socket on, bytes put back.
  tap = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const parsed = parseClientHello(buf);
      if (parsed.kind === 'incomplete') return;
      socket.removeListener('data', onData);
      socket.pause();
      if (parsed.kind === 'complete') hellos.push({ sni: parsed.hello.serverName, offersResumption: parsed.hello.offersResumption });
      socket.unshift(buf);
      https.emit('connection', socket);
    };
    socket.on('data', onData);
  });
  return new Promise((resolve) => tap.listen(0, '127.0.0.1', () => ((upstreamPort = (tap.address() as net.AddressInfo).port), resolve())));
}

function upstream(id: string, tlsIR: UpstreamTlsIR): BackendIR {
  return { kind: 'service', id, endpoints: [{ address: '127.0.0.1', port: upstreamPort }], protocol: 'http1', tls: tlsIR };
}

function get(host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test.before(async () => {
  await startUpstream();
  port = await freePort();
  const base = { caPem: ca.certPem, sessionCache: 'sni' as const };
  const r = (host: string, backend: BackendIR) => route(`ns/${host}/0/0`, { hostnames: [host], backend });
  await dp.dataplane.update(
    gatewayIR([
      {
        port,
        transport: 'http',
        listeners: [
          httpListener('http', undefined, [
            r('a.gw', upstream('ns/a:443', { ...base, sni: A })),
            r('b.gw', upstream('ns/b:443', { ...base, sni: B })),
            r('b-uri.gw', upstream('ns/b-uri:443', { ...base, sni: B, subjectAltNames: [{ type: 'URI', value: 'spiffe://upstream.test/b' }] })),
            r('c.gw', upstream('ns/c:443', { ...base, sni: 'c.upstream.test' })),
            r('untrusted.gw', upstream('ns/untrusted:443', { caPem: otherCa.certPem, sessionCache: 'sni', sni: A })),
            r('mtls.gw', upstream('ns/mtls:443', { ...base, sni: B, clientCertificate: { source: 'ns/gw-client', certPem: gatewayClient.certPem, keyPem: gatewayClient.keyPem } })),
            route('ns/dfp/0/0', { path: { type: 'PathPrefix', value: '/dfp' }, backend: { kind: 'dynamic-forward-proxy', id: 'ns/dfp', tls: { caPem: ca.certPem, sessionCache: 'sni', sni: '' } } }),
            ...(['sni', 'shared', 'disabled'] as const).map((mode) =>
              route(`ns/dfp-${mode}/0/0`, {
                path: { type: 'PathPrefix', value: `/${mode}` },
                backend: {
                  kind: 'dynamic-forward-proxy',
                  id: `ns/dfp-${mode}`,
                  tls: { caPem: ca.certPem + consoleCa.certPem, sessionCache: mode, sni: '', alpnProtocols: ['http/1.1'] },
                  clusterHosts: { [API]: { '443': [{ address: '127.0.0.1', port: upstreamPort }] }, [CONSOLE]: { '443': [{ address: '127.0.0.1', port: upstreamPort }] } },
                },
              }),
            ),
            r('nocache.gw', upstream('ns/nocache:443', { caPem: ca.certPem, sessionCache: 'disabled', sni: B, alpnProtocols: ['http/1.1'] })),
          ]),
        ],
      },
    ]),
  );
});

test.after.always(async () => {
  tap.close();
  await dp.dataplane.close();
});

test.serial('sessions are kept per SNI: A resumes A, B never gets offered A\'s session', async (t) => {
  hellos.length = 0;
  handshakes.length = 0;
  const first = await get('a.gw');
  t.is(first.status, 200, first.body);
  t.is(JSON.parse(first.body).sni, A);
  // The TLS 1.3 ticket arrives after the handshake; wait until the gateway's connection has it.
  const again = async (host: string) => {
    for (let i = 0; i < 20; i++) {
      await get(host);
      if (handshakes[handshakes.length - 1].reused) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return false;
  };
  t.true(await again('a.gw'), `a second connection to A resumes A's session`);
  const before = hellos.length;
  const b = await get('b.gw');
  t.is(b.status, 200, b.body);
  t.is(JSON.parse(b.body).sni, B);
  const bHello = hellos[before];
  t.is(bHello.sni, B);
  t.false(bHello.offersResumption, 'the first connection to B offered no session (not A\'s)');
  t.false(handshakes[handshakes.length - 1].reused);
});

test.serial('SAN check: a certificate not valid for the SNI → 503 UF with the verify error', async (t) => {
  const r = await get('c.gw');
  t.is(r.status, 503);
  t.regex(r.body, /upstream TLS error/);
  const line = await dp.waitForLine((f) => f.host === 'c.gw');
  t.is(line.flags, 'UF');
  t.regex(line.error, /ERR_TLS_CERT_ALTNAME_INVALID|does not match/);
});

test.serial('untrusted CA → 503 UF; URI SAN accepted when the policy names it', async (t) => {
  const r = await get('untrusted.gw');
  t.is(r.status, 503);
  const line = await dp.waitForLine((f) => f.host === 'untrusted.gw');
  t.is(line.flags, 'UF');
  t.regex(line.error, /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i);
  t.is((await get('b-uri.gw')).status, 200);
});

test.serial("the Gateway's client certificate is presented upstream", async (t) => {
  const r = await get('mtls.gw');
  t.is(r.status, 200);
  t.is(handshakes[handshakes.length - 1].clientCN, 'gateway-client');
});

test.serial('sessionCache disabled never offers a session', async (t) => {
  const before = hellos.length;
  for (let i = 0; i < 3; i++) t.is((await get('nocache.gw')).status, 200);
  t.deepEqual(hellos.slice(before).map((h) => h.offersResumption), [false, false, false]);
});

test.serial('dynamic forward proxy: the Host names the upstream and its SNI; a name the certificate lacks → 503 UF', async (t) => {
  const before = hellos.length;
  const ok = await get(`localhost:${upstreamPort}`, '/dfp/ok');
  t.is(ok.status, 200, ok.body);
  t.is(JSON.parse(ok.body).sni, 'localhost');
  t.is(hellos[before].sni, 'localhost');
  const bad = await get(`127.0.0.1:${upstreamPort}`, '/dfp/by-ip');
  t.is(bad.status, 503);
  t.is((await dp.waitForLine((f) => f.path === '/dfp/by-ip')).flags, 'UF');
});

/** Requests `host` until the gateway's connection to it resumed a session (the TLS 1.3 ticket arrives after the handshake). */
async function untilResumed(host: string, path: string): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    const r = await get(host, path);
    if (r.status === 200 && handshakes[handshakes.length - 1]!.reused) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

// Node 20 (OpenSSL 3.0) offers whatever session it is given; Node 22+ binds a client session to the
// server name it was verified for and does not offer it to another. Which one happened is read from
// the ClientHello the tap saw, and each is asserted as it really is.
test.serial('forward proxy, sessionCache shared: the second name is offered the first name\'s session; resumed, its certificate fails the name check (503 UF)', async (t) => {
  for (const [first, second] of [[API, CONSOLE], [CONSOLE, API]] as const) {
    t.true(await untilResumed(first, '/shared/hello'), `${first} resumes its own session`);
    const before = hellos.length;
    const r = await get(second, '/shared/hello');
    const hello = hellos[before]!;
    t.is(hello.sni, second);
    if (hello.offersResumption) {
      t.is(r.status, 503, r.body);
      t.regex(r.body, new RegExp(`resumed TLS session made for ${first.replace(/\./g, '\\.')}`));
      const line = await dp.waitForLine((f) => f.host === second && f.path === '/shared/hello' && f.status === '503');
      t.is(line.flags, 'UF');
      t.is(line.upstream_session_cache, 'shared');
      t.regex(line.error, /ERR_TLS_CERT_ALTNAME_INVALID/);
      t.true(handshakes[handshakes.length - 1]!.reused, 'the server resumed it');
    } else {
      t.log(`Node ${process.version}: the client did not offer ${first}'s session to ${second}; full handshake`);
      t.is(r.status, 200, r.body);
      t.is(JSON.parse(r.body).sni, second);
    }
    // The failed session is dropped, so the next connection for the second name is a full handshake that works.
    t.is((await get(second, '/shared/again')).status, 200);
  }
});

test.serial('forward proxy, sessionCache perSNI: both names work in both orders, each resuming only its own session', async (t) => {
  for (const [first, second] of [[API, CONSOLE], [CONSOLE, API]] as const) {
    t.true(await untilResumed(first, '/sni/hello'));
    const before = hellos.length;
    const r = await get(second, '/sni/hello');
    t.is(r.status, 200, r.body);
    t.is(JSON.parse(r.body).sni, second);
    const line = await dp.waitForLine((f) => f.host === second && f.path === '/sni/hello');
    t.is(line.upstream_session_cache, 'perSNI');
    // The first connection for `second` in this pass may offer `second`'s own session (from the previous pass), never `first`'s.
    if (hellos[before]!.offersResumption) t.true(handshakes[handshakes.length - 1]!.reused);
    t.true(await untilResumed(second, '/sni/hello'));
  }
});

test.serial('forward proxy, sessionCache disabled: no connection offers a session', async (t) => {
  const before = hellos.length;
  for (const host of [API, CONSOLE, API, CONSOLE]) t.is((await get(host, '/disabled/hello')).status, 200);
  t.deepEqual(hellos.slice(before).map((h) => [h.sni, h.offersResumption]), [[API, false], [CONSOLE, false], [API, false], [CONSOLE, false]]);
});
