// The HTTP exchange over the probed TLS socket fails with the socket's own
// error when the session died just before the request (a TLS 1.3 server's
// alert right after the handshake, arriving while undici loads), instead of
// waiting for --max-time: undici's HTTP/2 session on a dead TLS socket waits.
import test from 'ava';
import net from 'node:net';
import tls from 'node:tls';
import { issueCertificate } from '../../source/pki/index.js';
import { exchange } from '../../source/probe/http-exchange.js';

const cert = issueCertificate({ subject: '/CN=h2.test', subjectAltNames: ['h2.test'] });

test('a TLS socket (h2) that failed after the handshake: the exchange rejects with its error, not at the timeout', async (t) => {
  t.timeout(10_000); // without the fix the exchange never settles, not even at its own signal
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem, ALPNProtocols: ['h2'] }, () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const socket = tls.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, servername: 'h2.test', rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    t.is(socket.alpnProtocol, 'h2');
    socket.destroy(Object.assign(new Error('tlsv13 alert certificate required'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }));
    const started = performance.now();
    const error = await t.throwsAsync(() =>
      exchange(socket, { origin: 'https://h2.test', h2: true, method: 'GET', path: '/', headers: [], signal: AbortSignal.timeout(4000), maxBodyBytes: 1024 }),
    );
    t.is(error?.message, 'tlsv13 alert certificate required');
    t.true(performance.now() - started < 3500, 'not by the timeout');
  } finally {
    server.close();
  }
});
