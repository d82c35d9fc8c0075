// The ClientHello parser sees bytes from anyone: it must never throw, must
// say "incomplete" for every prefix of a valid hello, and must read back the
// SNI and ALPN that real clients (node, openssl) and generated hellos carry.
import test from 'ava';
import fc from 'fast-check';
import net from 'node:net';
import tls from 'node:tls';
import { ClientHelloReader, parseClientHello } from '../../../gateway/dataplane/client-hello.js';
import { helloMessage, records, u16 } from './hello-builder.js';
import { runTool } from './helpers.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const hostname = fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.'));
const alpnProto = fc.stringMatching(/^[a-z0-9/.]{1,16}$/);

test('random bytes never throw and always give a verdict', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      const r = parseClientHello(Buffer.from(bytes));
      return r.kind === 'complete' || r.kind === 'incomplete' || r.kind === 'invalid';
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('random bytes behind a valid record header never throw', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1024 }), fc.integer({ min: 0, max: 70000 }), (bytes, claimed) => {
      const body = Buffer.from(bytes);
      const framed = Buffer.concat([Buffer.from([22, 3, 1]), u16(Math.min(claimed, 65535)), Buffer.from([1]), body]);
      const r = parseClientHello(framed);
      return ['complete', 'incomplete', 'invalid'].includes(r.kind);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('generated hellos read back their SNI and ALPN, whatever the record fragmentation', (t) => {
  fc.assert(
    fc.property(fc.option(hostname, { nil: undefined }), fc.option(fc.array(alpnProto, { minLength: 1, maxLength: 4 }), { nil: undefined }), fc.integer({ min: 1, max: 400 }), (sni, alpn, fragment) => {
      const r = parseClientHello(records(helloMessage({ sni, alpn }), fragment));
      if (r.kind !== 'complete') return false;
      return r.hello.serverName === sni && JSON.stringify(r.hello.alpnProtocols) === JSON.stringify(alpn ?? []);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('every truncation of a valid hello is incomplete, never a wrong answer', (t) => {
  fc.assert(
    fc.property(hostname, fc.array(alpnProto, { maxLength: 3 }), fc.integer({ min: 20, max: 300 }), fc.nat(), (sni, alpn, fragment, cutSeed) => {
      const full = records(helloMessage({ sni, alpn: alpn.length ? alpn : undefined }), fragment);
      const cut = cutSeed % full.length;
      return parseClientHello(full.subarray(0, cut)).kind === 'incomplete';
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('corrupted lengths inside a hello are invalid or incomplete, never a crash', (t) => {
  fc.assert(
    fc.property(hostname, fc.nat(), fc.integer({ min: 0, max: 255 }), (sni, posSeed, value) => {
      const full = Buffer.from(records(helloMessage({ sni, alpn: ['h2', 'http/1.1'] })));
      full[5 + (posSeed % (full.length - 5))] = value;
      const r = parseClientHello(full);
      return ['complete', 'incomplete', 'invalid'].includes(r.kind);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('SNI with a trailing dot or upper case is normalized; control bytes are refused', (t) => {
  const r = parseClientHello(records(helloMessage({ sni: 'Mock-OpenAI-Foo.GlooTest.com.' })));
  t.is(r.kind, 'complete');
  if (r.kind === 'complete') t.is(r.hello.serverName, 'mock-openai-foo.glootest.com');
  t.is(parseClientHello(records(helloMessage({ sni: 'a\u0000b' }))).kind, 'invalid');
  t.is(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n')).kind, 'invalid');
});

/** Pushes `bytes` into a fresh reader in pieces cut at `cuts` (positions, any order); every verdict in turn. */
function pushInPieces(bytes: Buffer, cuts: number[]): { reader: ClientHelloReader; verdicts: ReturnType<typeof parseClientHello>[] } {
  const reader = new ClientHelloReader();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const verdicts = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point <= from) continue;
    verdicts.push(reader.push(bytes.subarray(from, point)));
    from = point;
  }
  return { reader, verdicts };
}

test('the incremental reader agrees with a one-shot parse whatever the chunking, for valid and random bytes', (t) => {
  fc.assert(
    fc.property(hostname, fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { maxLength: 40 }), (sni, fragment, cuts) => {
      const full = records(helloMessage({ sni, alpn: ['h2'] }), fragment);
      const { verdicts } = pushInPieces(full, cuts);
      const last = verdicts[verdicts.length - 1]!;
      // Every verdict before the last byte is "incomplete"; the last is the one-shot answer.
      return verdicts.slice(0, -1).every((v) => v.kind === 'incomplete') && JSON.stringify(last) === JSON.stringify(parseClientHello(full)) && last.kind === 'complete';
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), (bytes, cuts, asRecord) => {
      const body = Buffer.from(bytes);
      const input = asRecord ? Buffer.concat([Buffer.from([22, 3, 1]), u16(body.length), body]) : body;
      const { verdicts } = pushInPieces(input, cuts);
      const last = verdicts[verdicts.length - 1] ?? { kind: 'incomplete' };
      const once = parseClientHello(input);
      return JSON.stringify(last) === JSON.stringify(once) || (input.length === 0 && once.kind === 'incomplete');
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('a ClientHello in 1-byte records, fed 1 byte at a time, is parsed once and in linear work (issue 16 item 6)', (t) => {
  const workFor = (sniLength: number, fragment: number, chunk: number) => {
    const bytes = records(helloMessage({ sni: `${'a'.repeat(sniLength)}.example`, alpn: ['h2', 'http/1.1'] }), fragment);
    const reader = new ClientHelloReader();
    let verdict: ReturnType<typeof parseClientHello> = { kind: 'incomplete' };
    for (let i = 0; i < bytes.length; i += chunk) verdict = reader.push(bytes.subarray(i, i + chunk));
    t.is(verdict.kind, 'complete');
    t.is(reader.messageParses, 1, 'the handshake message is parsed once, when complete');
    return { bytes: bytes.length, work: reader.work };
  };
  const normal = workFor(2000, 16384, 16384);
  const small = workFor(2000, 1, 1);
  const large = workFor(8000, 1, 1);
  // 1-byte records are 6x the bytes on the wire (5 header bytes each); the work per wire byte stays the same constant.
  t.true(small.work <= 3 * small.bytes, `1-byte records: ${small.work} units for ${small.bytes} bytes`);
  t.true(normal.work <= 3 * normal.bytes, `one record: ${normal.work} units for ${normal.bytes} bytes`);
  // Four times the bytes, four times the work (a re-parse on every chunk would be sixteen times).
  const growth = large.work / small.work;
  t.true(growth < 4.5, `work grew ${growth.toFixed(2)}x for ${(large.bytes / small.bytes).toFixed(2)}x the bytes`);
});

/** Captures the first bytes a real client sends. */
function capture(connect: (port: number) => void): Promise<Buffer> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (parseClientHello(buf).kind !== 'incomplete') {
          socket.destroy();
          server.close();
          resolve(buf);
        }
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1', () => connect((server.address() as net.AddressInfo).port));
  });
}

test("node's own ClientHello: SNI and ALPN read back", async (t) => {
  const bytes = await capture((port) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'mock-openai-foo.glootest.com', ALPNProtocols: ['h2', 'http/1.1'] });
    s.on('error', () => undefined);
  });
  const r = parseClientHello(bytes);
  t.is(r.kind, 'complete');
  if (r.kind !== 'complete') return;
  t.is(r.hello.serverName, 'mock-openai-foo.glootest.com');
  t.deepEqual(r.hello.alpnProtocols, ['h2', 'http/1.1']);
});

test("openssl s_client's ClientHello: SNI and ALPN read back", async (t) => {
  let child: Promise<unknown> | undefined;
  const bytes = await capture((port) => {
    child = runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'mock-openai-bar.glootest.com', '-alpn', 'h2,http/1.1'], '', 10_000);
  });
  await child;
  const r = parseClientHello(bytes);
  t.is(r.kind, 'complete');
  if (r.kind !== 'complete') return;
  t.is(r.hello.serverName, 'mock-openai-bar.glootest.com');
  t.deepEqual(r.hello.alpnProtocols, ['h2', 'http/1.1']);
});
