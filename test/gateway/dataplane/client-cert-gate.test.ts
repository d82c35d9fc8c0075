// The ClientCertGate and its chain check see a client's bytes before the TLS
// stack does: property tests for untrusted input (never a throw, never a
// changed or reordered byte handed on), and the verdicts of the chain check.
import test from 'ava';
import fc from 'fast-check';
import net from 'node:net';
import { X509Certificate } from 'node:crypto';
import { issueCertificate } from '../../../source/pki/index.js';
import { ClientCertGate } from '../../../gateway/dataplane/client-cert-gate.js';
import { ALERT, trustedCertificates, verifyClientChain } from '../../../gateway/dataplane/client-cert-verify.js';
import { TlsTerminators } from '../../../gateway/dataplane/tls-listener.js';
import type { ListenerIR } from '../../../gateway/ir/types.js';

const ca = issueCertificate({ subject: '/CN=workshop client CA' });
const intermediate = issueCertificate({ subject: '/CN=workshop intermediate', usage: 'ca', issuer: ca });
const rogueCa = issueCertificate({ subject: '/CN=rogue CA' });
const der = (pem: string) => Buffer.from(new X509Certificate(pem).raw);
const trusted = trustedCertificates(ca.certPem);

test('a leaf issued by the trusted CA verifies', (t) => {
  const leaf = issueCertificate({ subject: '/CN=learner', usage: 'client', issuer: ca });
  t.deepEqual(verifyClientChain([der(leaf.certPem)], trusted), { ok: true, subject: 'CN=learner' });
});

test('a leaf under an intermediate the client sends verifies; without the intermediate it is unknown_ca', (t) => {
  const leaf = issueCertificate({ subject: '/CN=learner', usage: 'client', issuer: intermediate });
  t.true(verifyClientChain([der(leaf.certPem), der(intermediate.certPem)], trusted).ok);
  const alone = verifyClientChain([der(leaf.certPem)], trusted);
  t.false(alone.ok);
  t.is(!alone.ok && alone.alert, ALERT.unknownCa);
});

test('a leaf from another CA is unknown_ca, naming its issuer', (t) => {
  const leaf = issueCertificate({ subject: '/CN=learner', usage: 'client', issuer: rogueCa });
  const verdict = verifyClientChain([der(leaf.certPem)], trusted);
  t.like(verdict, { ok: false, alert: ALERT.unknownCa });
  t.regex(!verdict.ok ? verdict.reason : '', /issued by CN=rogue CA/);
});

test('an expired leaf is certificate_expired; one not valid yet is bad_certificate', (t) => {
  const day = 86_400_000;
  const expired = issueCertificate({ subject: '/CN=old', usage: 'client', issuer: ca, notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) });
  t.like(verifyClientChain([der(expired.certPem)], trusted), { ok: false, alert: ALERT.certificateExpired });
  const early = issueCertificate({ subject: '/CN=early', usage: 'client', issuer: ca, notBefore: new Date(Date.now() + day), notAfter: new Date(Date.now() + 10 * day) });
  t.like(verifyClientChain([der(early.certPem)], trusted), { ok: false, alert: ALERT.badCertificate });
});

test('property: any bytes as a certificate list give a verdict, never a throw', (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), (chain) => {
      const verdict = verifyClientChain(chain.map((c) => Buffer.from(c)), trusted);
      return verdict.ok === false && [ALERT.badCertificate, ALERT.unknownCa].includes(verdict.alert as 42 | 48);
    }),
  );
  t.pass();
});

// A handshake-looking prefix makes the generator reach the gate's later states more often than pure noise.
const serverHelloRecord = (cipherSuite: number, tls13: boolean) => {
  const extensions = tls13 ? Buffer.from([0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]) : Buffer.from([0x00, 0x00]);
  const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0, cipherSuite >> 8, cipherSuite & 0xff, 0]), extensions]);
  const message = Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([22, 3, 3, message.length >> 8, message.length & 0xff]), message]);
};

test('property: whatever both sides send, the gate never throws and hands on the client\'s bytes unchanged and in order', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.boolean(),
      fc.array(fc.record({ out: fc.boolean(), bytes: fc.uint8Array({ maxLength: 200 }) }), { maxLength: 12 }),
      async (tls13, chunks) => {
        const raw = new net.Socket();
        raw.on('error', () => undefined);
        const gate = new ClientCertGate(raw, { trusted, register: () => undefined, unregister: () => undefined });
        const handedOn: Buffer[] = [];
        gate.tap.on('data', (b: Buffer) => handedOn.push(b));
        gate.tap.on('error', () => undefined);
        const sentIn: Buffer[] = [];
        gate.onData('out', serverHelloRecord(tls13 ? 0x1301 : 0xc02f, tls13));
        for (const { out, bytes } of chunks) {
          const chunk = Buffer.from(bytes);
          if (out) gate.onData('out', chunk);
          else {
            sentIn.push(chunk);
            const now = gate.admitInbound(chunk);
            if (now?.length) gate.tap.deliver(now);
          }
          gate.addKeylog(Buffer.from(bytes).toString('latin1'));
        }
        await new Promise((resolve) => setImmediate(resolve));
        const all = Buffer.concat(sentIn);
        const given = Buffer.concat(handedOn);
        raw.destroy();
        gate.tap.destroy();
        return all.subarray(0, given.length).equals(given);
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

test('only AllowValidOnly listeners go through the gate: the others hand node:tls the socket itself', (t) => {
  const server = issueCertificate({ subject: '/CN=s', subjectAltNames: ['s.example'], issuer: ca });
  const listener = (name: string, mode?: 'AllowValidOnly' | 'AllowInsecureFallback'): ListenerIR => ({
    name,
    protocol: 'HTTPS',
    hostname: 's.example',
    tls: { mode: 'Terminate', certificates: [{ source: 'ns/s', certPem: server.certPem, keyPem: server.keyPem }], alpnProtocols: [], ...(mode ? { frontendValidation: { caPem: ca.certPem, mode } } : {}) },
    routes: [],
    tlsRoutes: [],
  });
  const terminators = new TlsTerminators(() => undefined, () => undefined, () => undefined);
  t.is(terminators.serverFor(1, listener('plain')).transport, undefined);
  t.is(terminators.serverFor(1, listener('fallback', 'AllowInsecureFallback')).transport, undefined);
  t.is(typeof terminators.serverFor(1, listener('strict', 'AllowValidOnly')).transport, 'function');
  t.is(terminators.serverFor(1, listener('plain')).server!.listenerCount('keylog'), 0, 'no keylog callback on listeners without the gate');
});
