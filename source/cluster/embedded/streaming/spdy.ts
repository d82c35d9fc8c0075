// SPDY/3.1 as kubectl speaks it (moby/spdystream): frames in and out, and
// header blocks compressed with one zlib context per direction for the whole
// connection. The session over a byte Duplex is spdy-session.ts.
//
// Flow control: spdystream neither sends WINDOW_UPDATE nor honours one; it
// relies on TCP backpressure (a stream's reader blocks the connection). So
// windows are accepted and ignored here, and backpressure is the transport's:
// a full stream buffer pauses the transport, a full transport holds writes.
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

export const SPDY_VERSION = 3;
const CONTROL_HEADER = 8;
/** The 24-bit length field's limit. */
export const MAX_FRAME_LENGTH = 0xffffff;
/** Largest DATA payload written at once (spdystream reads frames whole). */
export const MAX_DATA_CHUNK = 64 * 1024;
/** A decompressed header block larger than this is an attack, not kubectl. */
const MAX_HEADER_BLOCK = 256 * 1024;

export const FrameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const RstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
} as const;

/** Everything the framing refuses: the one error type the parser throws. */
export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'synStream'; streamId: number; associatedId: number; priority: number; slot: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'synReply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: Array<{ flags: number; id: number; value: number }> }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  /** SPDY says to ignore control frames of unknown types. */
  | { type: 'unknown'; controlType: number; flags: number; payload: Buffer };

// --- frames ------------------------------------------------------------------------

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`frame payload of ${payload.length} bytes exceeds the 24-bit length`);
  const header = Buffer.alloc(CONTROL_HEADER);
  header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([header, payload]);
}

function words(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeUInt32BE(value >>> 0, i * 4));
  return buffer;
}

/** The wire form of a frame; header blocks must already be compressed. */
export function encodeFrame(frame: Frame): Buffer {
  const fin = 'fin' in frame && frame.fin ? FLAG_FIN : 0;
  switch (frame.type) {
    case 'data': {
      if (frame.data.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`frame payload of ${frame.data.length} bytes exceeds the 24-bit length`);
      const header = words(frame.streamId & 0x7fffffff, (fin << 24 | frame.data.length) >>> 0);
      return Buffer.concat([header, frame.data]);
    }
    case 'synStream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(frame.associatedId & 0x7fffffff, 4);
      fixed[8] = (frame.priority & 0x7) << 5;
      fixed[9] = frame.slot & 0xff;
      return controlFrame(FrameType.synStream, fin | (frame.unidirectional ? FLAG_UNIDIRECTIONAL : 0), Buffer.concat([fixed, frame.headerBlock]));
    }
    case 'synReply':
      return controlFrame(FrameType.synReply, fin, Buffer.concat([words(frame.streamId & 0x7fffffff), frame.headerBlock]));
    case 'headers':
      return controlFrame(FrameType.headers, fin, Buffer.concat([words(frame.streamId & 0x7fffffff), frame.headerBlock]));
    case 'rstStream':
      return controlFrame(FrameType.rstStream, 0, words(frame.streamId & 0x7fffffff, frame.status));
    case 'settings':
      return controlFrame(FrameType.settings, frame.clear ? 1 : 0, words(frame.entries.length, ...frame.entries.flatMap((e) => [((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, e.value])));
    case 'ping':
      return controlFrame(FrameType.ping, 0, words(frame.id));
    case 'goAway':
      return controlFrame(FrameType.goAway, 0, words(frame.lastGoodStreamId & 0x7fffffff, frame.status));
    case 'windowUpdate':
      return controlFrame(FrameType.windowUpdate, 0, words(frame.streamId & 0x7fffffff, frame.delta & 0x7fffffff));
    case 'unknown':
      return controlFrame(frame.controlType, frame.flags, frame.payload);
  }
}

function expectLength(name: string, length: number, ok: boolean): void {
  if (!ok) throw new SpdyProtocolError(`${name} frame with a payload of ${length} bytes`);
}

function decodeControl(type: number, flags: number, payload: Buffer): Frame {
  const length = payload.length;
  const fin = (flags & FLAG_FIN) !== 0;
  const streamId = () => payload.readUInt32BE(0) & 0x7fffffff;
  switch (type) {
    case FrameType.synStream:
      expectLength('SYN_STREAM', length, length >= 10);
      return {
        type: 'synStream', streamId: streamId(), associatedId: payload.readUInt32BE(4) & 0x7fffffff,
        priority: payload[8]! >> 5, slot: payload[9]!, fin, unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: payload.subarray(10),
      };
    case FrameType.synReply:
      expectLength('SYN_REPLY', length, length >= 4);
      return { type: 'synReply', streamId: streamId(), fin, headerBlock: payload.subarray(4) };
    case FrameType.headers:
      expectLength('HEADERS', length, length >= 4);
      return { type: 'headers', streamId: streamId(), fin, headerBlock: payload.subarray(4) };
    case FrameType.rstStream:
      expectLength('RST_STREAM', length, length === 8);
      return { type: 'rstStream', streamId: streamId(), status: payload.readUInt32BE(4) };
    case FrameType.settings: {
      expectLength('SETTINGS', length, length >= 4);
      const count = payload.readUInt32BE(0);
      expectLength('SETTINGS', length, length === 4 + count * 8);
      const entries = [];
      for (let i = 0; i < count; i++) {
        const word = payload.readUInt32BE(4 + i * 8);
        entries.push({ flags: word >>> 24, id: word & 0xffffff, value: payload.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', clear: (flags & 1) !== 0, entries };
    }
    case FrameType.ping:
      expectLength('PING', length, length === 4);
      return { type: 'ping', id: payload.readUInt32BE(0) };
    case FrameType.goAway:
      expectLength('GOAWAY', length, length === 8);
      return { type: 'goAway', lastGoodStreamId: streamId(), status: payload.readUInt32BE(4) };
    case FrameType.windowUpdate:
      expectLength('WINDOW_UPDATE', length, length === 8);
      return { type: 'windowUpdate', streamId: streamId(), delta: payload.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', controlType: type, flags, payload };
  }
}

/**
 * Cuts a byte stream into frames. Holds at most one frame's header plus
 * `maxFrameLength` bytes: a longer announced frame is refused at its header.
 */
export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameLength = MAX_FRAME_LENGTH) {}

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= CONTROL_HEADER) {
      const first = this.pending.readUInt32BE(offset);
      const second = this.pending.readUInt32BE(offset + 4);
      const flags = second >>> 24;
      const length = second & 0xffffff;
      if (length > this.maxFrameLength) throw new SpdyProtocolError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameLength}`);
      const control = (first & 0x80000000) !== 0;
      if (control && (first >>> 16 & 0x7fff) !== SPDY_VERSION) throw new SpdyProtocolError(`SPDY version ${first >>> 16 & 0x7fff} is not supported (only 3)`);
      if (this.pending.length - offset < CONTROL_HEADER + length) break;
      // Copies: a frame must not pin (or alias) the transport's chunk.
      const payload = Buffer.from(this.pending.subarray(offset + CONTROL_HEADER, offset + CONTROL_HEADER + length));
      offset += CONTROL_HEADER + length;
      if (control) frames.push(decodeControl(first & 0xffff, flags, payload));
      else frames.push({ type: 'data', streamId: first & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: payload });
    }
    this.pending = offset ? Buffer.from(this.pending.subarray(offset)) : this.pending;
    return frames;
  }
}

// --- header blocks -------------------------------------------------------------------

/** Header names (lower case) to values; SPDY joins repeated values with NUL. */
export type SpdyHeaders = Record<string, string[]>;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [words(entries.length)];
  for (const [name, values] of entries) {
    const nameBytes = Buffer.from(name.toLowerCase(), 'utf8');
    const valueBytes = Buffer.from(values.join('\0'), 'utf8');
    parts.push(words(nameBytes.length), nameBytes, words(valueBytes.length), valueBytes);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  let offset = 0;
  const take = (count: number, what: string): Buffer => {
    if (count > block.length - offset) throw new SpdyProtocolError(`header block ends inside ${what}`);
    const slice = block.subarray(offset, offset + count);
    offset += count;
    return slice;
  };
  const word = (what: string) => take(4, what).readUInt32BE(0);
  const count = word('the header count');
  if (count > (block.length - offset) / 8) throw new SpdyProtocolError(`header block announces ${count} headers in ${block.length} bytes`);
  const headers: SpdyHeaders = Object.create(null) as SpdyHeaders;
  for (let i = 0; i < count; i++) {
    const name = take(word('a name length'), 'a header name').toString('utf8').toLowerCase();
    const value = take(word('a value length'), `the value of ${name}`).toString('utf8');
    if (!name) throw new SpdyProtocolError('empty header name');
    (headers[name] ??= []).push(...value.split('\0'));
  }
  if (offset !== block.length) throw new SpdyProtocolError(`${block.length - offset} bytes after the last header`);
  return headers;
}

/**
 * One direction's zlib context (deflate or inflate, primed with the SPDY/3
 * dictionary) kept for the whole connection: each block goes in followed by a
 * sync flush, and comes out whole. Calls are served in order.
 */
export class HeaderZlib {
  private readonly stream: zlib.Deflate | zlib.Inflate;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;

  constructor(readonly direction: 'compress' | 'decompress') {
    const options = { dictionary: SPDY3_DICTIONARY };
    this.stream = direction === 'compress' ? zlib.createDeflate({ ...options, level: zlib.constants.Z_BEST_COMPRESSION }) : zlib.createInflate(options);
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  process(input: Buffer): Promise<Buffer> {
    const run = this.queue.then(() => this.once(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.stream.destroy();
  }

  private once(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(new SpdyProtocolError(`header ${this.direction}ion failed: ${error.message}`));
      if (this.failure) return fail(this.failure);
      const onError = (error: Error) => fail(error);
      this.stream.once('error', onError);
      this.stream.write(input);
      this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.stream.off('error', onError);
        if (this.failure) return fail(this.failure);
        const chunks: Buffer[] = [];
        let size = 0;
        for (let chunk = this.stream.read() as Buffer | null; chunk !== null; chunk = this.stream.read() as Buffer | null) {
          chunks.push(chunk);
          size += chunk.length;
        }
        if (this.direction === 'decompress' && size > MAX_HEADER_BLOCK) return fail(new Error(`a header block of ${size} bytes`));
        resolve(Buffer.concat(chunks));
      });
    });
  }
}
