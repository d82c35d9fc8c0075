// The runtime fact the forward-proxy lesson branches on, checked against the
// wire: a tap reads the ClientHello of a connection to name B carrying the
// session saved for name A, and sees whether it really offers it.
import test from 'ava';
import net from 'node:net';
import tls from 'node:tls';
import { issueCertificate } from '../../source/pki/index.js';
import { parseClientHello } from '../../gateway/dataplane/client-hello.js';
import { nodeOffersSessionsAcrossNames } from '../../source/lesson/runtime-facts.js';

test('nodeOffersSessionsAcrossNames agrees with what the ClientHello for another name carries', async (t) => {
  const cert = issueCertificate({ subject: '/CN=tap', subjectAltNames: ['a.tap.test', 'b.tap.test'], usage: 'server' });
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end('ok'));
  const offered: boolean[] = [];
  const tap = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const parsed = parseClientHello(buf);
      if (parsed.kind === 'incomplete') return;
      socket.removeListener('data', onData);
      socket.pause();
      if (parsed.kind === 'complete') offered.push(parsed.hello.offersResumption);
      socket.unshift(buf);
      server.emit('connection', socket);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve));
  const port = (tap.address() as net.AddressInfo).port;
  const connect = (servername: string, session?: Buffer) =>
    new Promise<Buffer | undefined>((resolve, reject) => {
      let saved: Buffer | undefined;
      const s = tls.connect({ host: '127.0.0.1', port, servername, ca: cert.certPem, session });
      s.on('session', (x: Buffer) => (saved = x));
      s.on('data', () => undefined);
      s.once('close', () => resolve(saved));
      s.once('error', reject);
    });
  try {
    const session = await connect('a.tap.test');
    t.truthy(session);
    await connect('b.tap.test', session);
    t.is(offered.length, 2);
    t.false(offered[0]);
    t.is(await nodeOffersSessionsAcrossNames(), offered[1], `Node ${process.version}: the measured fact matches the ClientHello`);
    t.log(`Node ${process.version} (OpenSSL ${process.versions.openssl}) offers a session saved for another name: ${offered[1]}`);
  } finally {
    tap.close();
    server.close();
  }
});
