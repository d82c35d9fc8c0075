// Facts about the Node runtime that decide what a lesson can show. Measured,
// never assumed from a version number: a loopback TLS server answering two
// names with one certificate and one ticket key, and a client that connects
// to the first name, keeps the session, and offers it to the second.
// Node 20 (OpenSSL 3.0) offers it and the server resumes; Node 22.23+/24.22+
// bind a client session to the name it was verified for and do not offer it.
// The embedded cluster's pods (the gateway too) run on the Node that started
// the cluster, normally the one running this command.
import tls from 'node:tls';
import { issueCertificate } from '../pki/index.js';

const NAMES = ['a.runtime-check.test', 'b.runtime-check.test'] as const;
const TIMEOUT_MS = 5_000;

let cached: Promise<boolean> | undefined;

/** Does this runtime's node:tls client offer a session saved for one name on a connection to another? */
export function nodeOffersSessionsAcrossNames(): Promise<boolean> {
  cached ??= measure();
  return cached;
}

function connect(port: number, servername: string, ca: string, session?: Buffer): Promise<{ reused: boolean; session?: Buffer }> {
  return new Promise((resolve, reject) => {
    let saved: Buffer | undefined;
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca, session, maxVersion: 'TLSv1.3', checkServerIdentity: () => undefined });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`runtime check: no answer from the loopback TLS server within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    socket.on('session', (s: Buffer) => (saved = s));
    socket.once('secureConnect', () => {
      const reused = socket.isSessionReused();
      // The server ends the connection after the handshake; a TLS 1.3 ticket arrives before that end.
      socket.on('data', () => undefined);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve({ reused, session: saved });
      });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function measure(): Promise<boolean> {
  const cert = issueCertificate({ subject: '/CN=runtime check', subjectAltNames: [...NAMES], usage: 'server' });
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (socket) => socket.end('ok'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const port = (server.address() as { port: number }).port;
    const first = await connect(port, NAMES[0], cert.certPem);
    if (!first.session) throw new Error('runtime check: the loopback TLS server issued no session');
    const second = await connect(port, NAMES[1], cert.certPem, first.session);
    return second.reused;
  } finally {
    server.close();
  }
}
