// A backend that requires a client certificate (TLS 1.3): the gateway without
// one gets the backend's certificate_required alert after its own side of the
// handshake, and reports that alert (not "other side closed") in its answer,
// its access log and the x-agw-response-flags header; with one, 200.
import test from 'ava';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { issueCertificate } from '../../../source/pki/index.js';
import type { BackendIR, UpstreamTlsIR } from '../../../gateway/ir/types.js';
import { freePort, gatewayIR, httpListener, route, startDataplane } from './helpers.js';

const NAME = 'backend.mtls.test';
const ca = issueCertificate({ subject: '/CN=mtls test CA' });
const server = issueCertificate({ subject: `/CN=${NAME}`, subjectAltNames: [NAME], issuer: ca });
const client = issueCertificate({ subject: '/CN=gateway-client', usage: 'client', issuer: ca });

const dp = startDataplane();
let port = 0;
let backend: tls.Server;
const refused: string[] = [];

test.before(async () => {
  const app = http.createServer((req, res) => res.end(`hello ${(req.socket as tls.TLSSocket).getPeerCertificate().subject?.CN}`));
  backend = tls.createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (socket) => app.emit('connection', socket));
  backend.on('tlsClientError', (error: Error & { code?: string }) => refused.push(error.code ?? error.message));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (backend.address() as net.AddressInfo).port;
  const upstream = (id: string, extra: Partial<UpstreamTlsIR>): BackendIR => ({
    kind: 'service', id, endpoints: [{ address: '127.0.0.1', port: upstreamPort }], protocol: 'http1', tls: { caPem: ca.certPem, sni: NAME, sessionCache: 'sni', ...extra },
  });
  port = await freePort();
  await dp.dataplane.update(gatewayIR([{ port, transport: 'http', listeners: [httpListener('http', undefined, [
    route('ns/without/0/0', { hostnames: ['without.gw'], backend: upstream('ns/without:443', {}) }),
    route('ns/with/0/0', { hostnames: ['with.gw'], backend: upstream('ns/with:443', { clientCertificate: { source: 'ns/gw-client', certPem: client.certPem, keyPem: client.keyPem } }) }),
  ])] }]));
});

test.after.always(async () => {
  backend?.close();
  await dp.dataplane.close();
});

function get(host: string): Promise<{ status: number; flags?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, flags: res.headers['x-agw-response-flags'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test.serial('no client certificate: 503 UF naming certificate_required, as the backend refused it', async (t) => {
  const r = await get('without.gw');
  t.is(r.status, 503);
  t.is(r.flags, 'UF');
  t.regex(r.body, /^upstream TLS error: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: .*alert certificate required/);
  const line = await dp.waitForLine((f) => f.host === 'without.gw');
  t.is(line.flags, 'UF');
  t.regex(line.error, /^ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: .*SSL alert number 116$/);
  t.true(refused.includes('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'), refused.join(', '));
});

test.serial("with the Gateway's client certificate: 200, and no flags header on the backend's own answer", async (t) => {
  const r = await get('with.gw');
  t.is(r.status, 200, r.body);
  t.is(r.body, 'hello gateway-client');
  t.is(r.flags, undefined);
});
