// SPDY/3.1 framing (source/cluster/embedded/streaming/spdy.ts, spdy-session.ts): frames against
// byte layouts written out here from the SPDY/3 draft, header blocks through
// the connection-long zlib contexts, a session driven by hand-made client
// frames, and random bytes into the parser.
import test from 'ava';
import fc from 'fast-check';
import { PassThrough, Duplex } from 'node:stream';
import zlib from 'node:zlib';
import {
  decodeHeaderBlock,
  encodeFrame,
  encodeHeaderBlock,
  FrameParser,
  HeaderZlib,
  SpdyProtocolError,
  type Frame,
} from '../../../source/cluster/embedded/streaming/spdy.js';
import { SpdySession, type SpdyStream } from '../../../source/cluster/embedded/streaming/spdy-session.js';
import { SPDY3_DICTIONARY } from '../../../source/cluster/embedded/streaming/spdy-dictionary.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const layouts: Array<{ name: string; frame: Frame; bytes: string }> = [
  { name: 'DATA with FIN', frame: { type: 'data', streamId: 3, fin: true, data: Buffer.from('hi') }, bytes: '00000003 01000002 6869' },
  { name: 'empty DATA', frame: { type: 'data', streamId: 0x7fffffff, fin: false, data: Buffer.alloc(0) }, bytes: '7fffffff 00000000' },
  {
    name: 'SYN_STREAM',
    frame: { type: 'synStream', streamId: 1, associatedId: 0, priority: 7, slot: 0, fin: false, unidirectional: true, headerBlock: hex('abcd') },
    bytes: '80030001 0200000c 00000001 00000000 e000 abcd',
  },
  { name: 'SYN_REPLY', frame: { type: 'synReply', streamId: 5, fin: true, headerBlock: hex('01') }, bytes: '80030002 01000005 00000005 01' },
  { name: 'RST_STREAM', frame: { type: 'rstStream', streamId: 5, status: 5 }, bytes: '80030003 00000008 00000005 00000005' },
  {
    name: 'SETTINGS',
    frame: { type: 'settings', clear: false, entries: [{ flags: 1, id: 7, value: 65536 }] },
    bytes: '80030004 0000000c 00000001 01000007 00010000',
  },
  { name: 'PING', frame: { type: 'ping', id: 1 }, bytes: '80030006 00000004 00000001' },
  { name: 'GOAWAY', frame: { type: 'goAway', lastGoodStreamId: 9, status: 0 }, bytes: '80030007 00000008 00000009 00000000' },
  { name: 'HEADERS', frame: { type: 'headers', streamId: 7, fin: false, headerBlock: Buffer.alloc(0) }, bytes: '80030008 00000004 00000007' },
  { name: 'WINDOW_UPDATE', frame: { type: 'windowUpdate', streamId: 0, delta: 0x10000 }, bytes: '80030009 00000008 00000000 00010000' },
  { name: 'unknown control type', frame: { type: 'unknown', controlType: 10, flags: 0, payload: hex('0102') }, bytes: '8003000a 00000002 0102' },
];

for (const { name, frame, bytes } of layouts) {
  test(`${name}: encodes to the draft's layout and parses back`, (t) => {
    t.is(encodeFrame(frame).toString('hex'), hex(bytes).toString('hex'));
    t.deepEqual(new FrameParser().push(hex(bytes)), [frame]);
  });
}

test('the parser reassembles frames split at every byte and several frames in one chunk', (t) => {
  const wire = Buffer.concat(layouts.map(({ bytes }) => hex(bytes)));
  const parser = new FrameParser();
  const frames: Frame[] = [];
  for (const byte of wire) frames.push(...parser.push(Buffer.from([byte])));
  t.deepEqual(frames, layouts.map(({ frame }) => frame));
  t.is(parser.buffered, 0);
  t.deepEqual(new FrameParser().push(wire), frames);
});

const malformed: Array<[string, string, RegExp]> = [
  ['a SPDY/2 control frame', '80020006 00000004 00000001', /version 2/],
  ['a PING of 3 bytes', '80030006 00000003 000001', /PING/],
  ['a RST_STREAM of 4 bytes', '80030003 00000004 00000001', /RST_STREAM/],
  ['a SETTINGS count beyond its payload', '80030004 00000004 00000002', /SETTINGS/],
  ['a SYN_STREAM shorter than its fixed part', '80030001 00000004 00000001', /SYN_STREAM/],
];
for (const [name, bytes, message] of malformed) {
  test(`refuses ${name} with a SpdyProtocolError`, (t) => {
    const error = t.throws(() => new FrameParser().push(hex(bytes)), { instanceOf: SpdyProtocolError });
    t.regex(error!.message, message);
  });
}

test('a frame longer than the bound is refused at its header, before its payload arrives', (t) => {
  const parser = new FrameParser(1024);
  t.throws(() => parser.push(hex('00000001 00000401')), { instanceOf: SpdyProtocolError, message: /1025 bytes exceeds the limit of 1024/ });
});

test('the SPDY/3 dictionary is the draft\'s: 1423 bytes from "options" to "enq=0."', (t) => {
  t.is(SPDY3_DICTIONARY.length, 1423);
  t.is(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  t.true(SPDY3_DICTIONARY.toString('latin1').endsWith(',*,enq=0.'));
});

test('header blocks: lower-cased names, NUL-joined values, and the exact byte layout', (t) => {
  const block = encodeHeaderBlock({ StreamType: ['error'], multi: ['a', 'b'] });
  t.is(block.toString('hex'), hex('00000002 0000000a 73747265616d74797065 00000005 6572726f72 00000005 6d756c7469 00000003 610062').toString('hex'));
  t.deepEqual({ ...decodeHeaderBlock(block) }, { streamtype: ['error'], multi: ['a', 'b'] });
});

test('header blocks that lie about their lengths are SpdyProtocolErrors', (t) => {
  for (const bytes of ['000001', '00000001 00000005 6162', '00000001 00000001 61 00000009 62', '00000000 ff', 'ffffffff']) {
    t.throws(() => decodeHeaderBlock(hex(bytes)), { instanceOf: SpdyProtocolError }, bytes);
  }
});

test('two header blocks in two frames share one zlib context each way; the second leans on the first', async (t) => {
  const compressor = new HeaderZlib('compress');
  const decompressor = new HeaderZlib('decompress');
  t.teardown(() => {
    compressor.close();
    decompressor.close();
  });
  const first = { streamtype: ['error'], port: ['8080'], requestid: ['0'] };
  const second = { streamtype: ['data'], port: ['8080'], requestid: ['0'] };
  const frames = [
    encodeFrame({ type: 'synStream', streamId: 1, associatedId: 0, priority: 0, slot: 0, fin: false, unidirectional: false, headerBlock: await compressor.process(encodeHeaderBlock(first)) }),
    encodeFrame({ type: 'synStream', streamId: 3, associatedId: 0, priority: 0, slot: 0, fin: false, unidirectional: false, headerBlock: await compressor.process(encodeHeaderBlock(second)) }),
  ];
  const parsed = new FrameParser().push(Buffer.concat(frames));
  const blocks = parsed.map((frame) => (frame.type === 'synStream' ? frame.headerBlock : Buffer.alloc(0)));
  t.deepEqual({ ...decodeHeaderBlock(await decompressor.process(blocks[0]!)) }, first);
  t.deepEqual({ ...decodeHeaderBlock(await decompressor.process(blocks[1]!)) }, second);
  // The first block opens a zlib stream that names the SPDY dictionary (FDICT and its Adler-32)…
  t.is(blocks[0]![1]! & 0x20, 0x20);
  // …and the second, a continuation of it, is shorter and cannot be read on its own.
  t.true(blocks[1]!.length < blocks[0]!.length);
  const fresh = new HeaderZlib('decompress');
  t.teardown(() => fresh.close());
  await t.throwsAsync(fresh.process(blocks[1]!), { instanceOf: SpdyProtocolError });
});

test('a header block from a plain zlib.deflateSync with the dictionary (another implementation) decodes', async (t) => {
  const raw = encodeHeaderBlock({ streamtype: ['data'], port: ['80'] });
  const decompressor = new HeaderZlib('decompress');
  t.teardown(() => decompressor.close());
  const block = zlib.deflateSync(raw, { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  t.deepEqual({ ...decodeHeaderBlock(await decompressor.process(block)) }, { streamtype: ['data'], port: ['80'] });
});

test('random bytes: the parser yields frames or throws its own error, and never holds more than one bounded frame', (t) => {
  const bound = 64;
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }), (chunks) => {
      const parser = new FrameParser(bound);
      let consumed = 0;
      let total = 0;
      try {
        for (const chunk of chunks) {
          total += chunk.length;
          for (const frame of parser.push(Buffer.from(chunk))) consumed += encodeFrame(frame).length;
          if (parser.buffered > 8 + bound) return false;
        }
      } catch (error) {
        return error instanceof SpdyProtocolError;
      }
      // Every byte is in a frame or still waiting: nothing invented, nothing read past the input.
      return consumed + parser.buffered === total;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('random bytes: header block decoding throws only SpdyProtocolError', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decodeHeaderBlock(Buffer.from(bytes));
        return true;
      } catch (error) {
        return error instanceof SpdyProtocolError;
      }
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

// --- a session driven by a hand-made client -----------------------------------------------

/** Both ends of an in-memory byte pipe: what the client writes reaches the server and back. */
function pipePair(): { server: Duplex; client: { write(bytes: Buffer): void; frames: Frame[]; waitFor(test: (f: Frame) => boolean): Promise<Frame>; end(): void } } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = Duplex.from({ readable: toServer, writable: toClient });
  const parser = new FrameParser();
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  toClient.on('data', (chunk: Buffer) => {
    frames.push(...parser.push(chunk));
    for (const waiter of [...waiters]) waiter();
  });
  const waitFor = (check: (f: Frame) => boolean) =>
    new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such frame in ${JSON.stringify(frames.map((f) => f.type))}`)), 5000);
      const look = () => {
        const found = frames.find(check);
        if (!found) return;
        waiters.splice(waiters.indexOf(look), 1);
        clearTimeout(timer);
        resolve(found);
      };
      waiters.push(look);
      look();
    });
  return { server, client: { write: (bytes) => toServer.write(bytes), frames, waitFor, end: () => toServer.end() } };
}

test('a session replies to SYN_STREAM, carries DATA both ways with FIN, answers PING, ignores WINDOW_UPDATE, and closes its streams at the end', async (t) => {
  const { server, client } = pipePair();
  const session = new SpdySession(server);
  const streams: SpdyStream[] = [];
  session.on('stream', (stream) => {
    streams.push(stream);
    stream.reply();
    const received: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => received.push(chunk));
    stream.on('end', () => stream.end(Buffer.concat([Buffer.from('echo:'), ...received])));
  });
  const closed = new Promise<void>((resolve) => session.on('close', resolve));
  const compressor = new HeaderZlib('compress');
  const decompressor = new HeaderZlib('decompress');
  t.teardown(() => {
    compressor.close();
    decompressor.close();
  });
  const headerBlock = await compressor.process(encodeHeaderBlock({ streamtype: ['data'], port: ['80'], requestid: ['0'] }));
  client.write(encodeFrame({ type: 'synStream', streamId: 1, associatedId: 0, priority: 0, slot: 0, fin: false, unidirectional: false, headerBlock }));
  const reply = await client.waitFor((f) => f.type === 'synReply');
  t.like(reply, { type: 'synReply', streamId: 1, fin: false });
  t.deepEqual({ ...decodeHeaderBlock(await decompressor.process((reply as { headerBlock: Buffer }).headerBlock)) }, {});
  t.is(streams[0]!.header('port'), '80');
  client.write(encodeFrame({ type: 'windowUpdate', streamId: 1, delta: 1 }));
  client.write(encodeFrame({ type: 'settings', clear: false, entries: [{ flags: 0, id: 7, value: 1 }] }));
  client.write(encodeFrame({ type: 'ping', id: 7 }));
  t.deepEqual(await client.waitFor((f) => f.type === 'ping'), { type: 'ping', id: 7 });
  client.write(encodeFrame({ type: 'data', streamId: 1, fin: false, data: Buffer.from('he') }));
  client.write(encodeFrame({ type: 'data', streamId: 1, fin: true, data: Buffer.from('llo') }));
  await client.waitFor((f) => f.type === 'data' && f.fin);
  const data = client.frames.filter((f): f is Extract<Frame, { type: 'data' }> => f.type === 'data');
  t.is(Buffer.concat(data.map((f) => f.data)).toString(), 'echo:hello');
  t.true(data.every((f) => f.streamId === 1));
  // The SYN_REPLY went out before any DATA of its stream.
  t.true(client.frames.findIndex((f) => f.type === 'synReply') < client.frames.findIndex((f) => f.type === 'data'));
  client.end();
  await closed;
  t.true(session.isClosed);
  t.true(streams[0]!.destroyed);
});

test('a session answers a RST_STREAM by destroying the stream with a reset event, and garbage with GOAWAY', async (t) => {
  const { server, client } = pipePair();
  const session = new SpdySession(server);
  const resets: number[] = [];
  let stream: SpdyStream | undefined;
  session.on('stream', (s) => {
    stream = s;
    s.reply();
    s.on('reset', (status: number) => resets.push(status));
  });
  const compressor = new HeaderZlib('compress');
  t.teardown(() => compressor.close());
  const headerBlock = await compressor.process(encodeHeaderBlock({ streamtype: ['error'] }));
  client.write(encodeFrame({ type: 'synStream', streamId: 1, associatedId: 0, priority: 0, slot: 0, fin: true, unidirectional: false, headerBlock }));
  await client.waitFor((f) => f.type === 'synReply');
  client.write(encodeFrame({ type: 'rstStream', streamId: 1, status: 5 }));
  await new Promise<void>((resolve) => stream!.once('close', () => resolve()));
  t.deepEqual(resets, [5]);
  client.write(hex('80020006 00000004 00000001'));
  t.like(await client.waitFor((f) => f.type === 'goAway'), { type: 'goAway', lastGoodStreamId: 1, status: 1 });
  t.true(session.isClosed);
});
