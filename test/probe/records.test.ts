// The record-level parser sees untrusted bytes: it must never throw, and what
// it finds must not depend on how TCP happened to chunk the stream.
import test from 'ava';
import fc from 'fast-check';
import net from 'node:net';
import tls from 'node:tls';
import { analyzeHandshake, type WireEvent } from '../../source/probe/handshake-analysis.js';
import { RecordSplitter, parseCertificateMessage, parseClientHello, parseServerHello } from '../../source/probe/records.js';
import { TapDuplex } from '../../source/probe/tap.js';
import { TruncatedError } from '../../source/probe/wire-reader.js';
import { FOO, createPki, startTlsServer, type RunningServer, type TestPki } from './fixtures.js';

let pki: TestPki;
let server: RunningServer;
/** A real TLS 1.2 handshake and exchange, as the tap recorded it. */
let recorded: WireEvent[] = [];

async function recordHandshake(port: number): Promise<WireEvent[]> {
  const wire: WireEvent[] = [];
  const raw = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject));
  const tap = new TapDuplex(raw, {
    onData: (direction, bytes) => wire.push({ kind: 'data', direction, atMs: wire.length, bytes: Buffer.from(bytes) }),
    onEnd: (how) => wire.push({ kind: 'end', direction: 'in', atMs: wire.length, how }),
  });
  const socket = tls.connect({ socket: tap, servername: FOO, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  socket.write(`GET / HTTP/1.1\r\nHost: ${FOO}\r\nConnection: close\r\n\r\n`);
  await new Promise<void>((resolve) => {
    socket.on('data', () => undefined);
    socket.once('close', () => resolve());
    socket.once('end', () => resolve());
  });
  socket.destroy();
  return wire;
}

test.before(async () => {
  pki = await createPki();
  server = await startTlsServer({ names: { [FOO]: pki.foo }, maxVersion: 'TLSv1.2', onNoMatch: 'eof' });
  recorded = await recordHandshake(server.port);
});

test.after.always(async () => {
  await server?.close();
  await pki?.cleanup();
});

/** The bytes of one direction, concatenated. */
function stream(wire: WireEvent[], direction: 'in' | 'out'): Buffer {
  return Buffer.concat(wire.flatMap((e) => (e.kind === 'data' && e.direction === direction ? [e.bytes] : [])));
}

function signature(wire: WireEvent[]): string[] {
  return analyzeHandshake(wire).events.map((e) => `${e.direction}:${e.what}:${e.detail ?? ''}`);
}

test('the recorded TLS 1.2 handshake parses into the messages a TLS 1.2 handshake has', (t) => {
  const analysis = analyzeHandshake(recorded);
  t.is(analysis.clientHello?.sni, FOO);
  t.is(analysis.serverHello?.version, 'TLSv1.2');
  t.is(analysis.serverCertificates.length, 1);
  t.deepEqual(
    analysis.events.filter((e) => e.direction === 'in').map((e) => e.what).slice(0, 4),
    ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone'],
  );
});

test('any bytes at all, with or without keys: the analysis never throws (property)', (t) => {
  const chunk = fc.record({
    direction: fc.constantFrom<'in' | 'out'>('in', 'out'),
    bytes: fc.uint8Array({ maxLength: 300 }),
    tlsLike: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(chunk, { maxLength: 20 }), (chunks) => {
      const wire: WireEvent[] = chunks.map((c, i) => {
        const bytes = Buffer.from(c.bytes);
        // Half the time, give the bytes a plausible record header so the deeper parsers run.
        if (c.tlsLike && bytes.length >= 6) {
          bytes[0] = 20 + (bytes[0]! % 5);
          bytes[1] = 3;
          bytes.writeUInt16BE(Math.min(bytes.length - 5, bytes.readUInt16BE(3) % 400), 3);
        }
        return { kind: 'data', direction: c.direction, atMs: i, bytes };
      });
      analyzeHandshake(wire);
      // With (wrong) keys too: decryption that fails to authenticate must not throw either.
      const key = Buffer.alloc(48, chunks.length);
      analyzeHandshake(wire, { CLIENT_RANDOM: key, SERVER_HANDSHAKE_TRAFFIC_SECRET: key, CLIENT_HANDSHAKE_TRAFFIC_SECRET: key, SERVER_TRAFFIC_SECRET_0: key });
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('a real handshake cut off at any moment: no throw, and what is found is a prefix of the whole (property)', (t) => {
  const full = signature(recorded);
  const names = (list: string[], direction: string) => list.filter((s) => s.startsWith(`${direction}:`)).map((s) => s.split(':')[1]);
  fc.assert(
    fc.property(fc.nat({ max: recorded.length - 1 }), fc.nat({ max: 20_000 }), (index, offset) => {
      // The connection dies in the middle of event `index`, after `offset` of its bytes.
      const last = recorded[index]!;
      const cut: WireEvent[] = [...recorded.slice(0, index)];
      if (last.kind === 'data') cut.push({ ...last, bytes: last.bytes.subarray(0, offset % (last.bytes.length + 1)) });
      const events = signature(cut);
      return ['in', 'out'].every((direction) => {
        const got = names(events, direction);
        return JSON.stringify(got) === JSON.stringify(names(full, direction).slice(0, got.length));
      });
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('how TCP chunks the stream does not change what is found (property)', (t) => {
  const full = signature(recorded).filter((s) => !s.includes('ApplicationData'));
  // Re-chunk each recorded event at random boundaries, keeping the order of events.
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 2000 }), { maxLength: 30 }), (cuts) => {
      const wire: WireEvent[] = [];
      let cutIndex = 0;
      for (const event of recorded) {
        if (event.kind !== 'data') {
          wire.push(event);
          continue;
        }
        let rest = event.bytes;
        while (rest.length > 1 && cutIndex < cuts.length) {
          const at = 1 + (cuts[cutIndex++]! % (rest.length - 1));
          wire.push({ ...event, bytes: rest.subarray(0, at) });
          rest = rest.subarray(at);
        }
        wire.push({ ...event, bytes: rest });
      }
      const events = signature(wire).filter((s) => !s.includes('ApplicationData'));
      return JSON.stringify(events) === JSON.stringify(full);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('message parsers fail only with TruncatedError on short or random input (property)', (t) => {
  const hello = stream(recorded, 'out');
  const body = hello.subarray(9, 5 + hello.readUInt16BE(3)); // record header (5) + handshake header (4)
  t.is(parseClientHello(body).sni, FOO);
  const only = (parse: () => unknown) => {
    try {
      parse();
      return true;
    } catch (error) {
      return error instanceof TruncatedError;
    }
  };
  fc.assert(
    fc.property(fc.nat({ max: body.length }), (cut) => only(() => parseClientHello(body.subarray(0, cut)))),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, tls13) => {
      const buffer = Buffer.from(bytes);
      return only(() => parseClientHello(buffer)) && only(() => parseServerHello(buffer)) && only(() => parseCertificateMessage(buffer, tls13));
    }),
    { numRuns: 500 },
  );
});

test('the record splitter stops at non-TLS bytes and keeps them', (t) => {
  const splitter = new RecordSplitter();
  t.deepEqual(splitter.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')), []);
  t.is(splitter.notTls?.toString('latin1').split('\r\n')[0], 'HTTP/1.1 400 Bad Request');
  const records = new RecordSplitter().push(Buffer.from([22, 3, 3, 0, 2, 1, 2, 21, 3]));
  t.is(records.length, 1);
  t.deepEqual([...records[0]!.fragment], [1, 2]);
});
