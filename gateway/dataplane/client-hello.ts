// Reads the SNI and ALPN offer out of a TLS ClientHello, from raw bytes the
// client sent before we said anything. It sees untrusted input, so every
// length is checked against what is actually there; it never throws.
// The handshake message may span several TLS records (large key shares do).

export interface ClientHelloInfo {
  /** server_name (host_name type), lower-cased, trailing dot removed; absent when not sent. */
  serverName?: string;
  /** ALPN protocols offered, in the client's order; empty when not sent. */
  alpnProtocols: string[];
  /** legacy_version from the ClientHello body (0x0303 for TLS 1.2 and 1.3). */
  legacyVersion: number;
  /** Extension types in the order sent (41 pre_shared_key = a TLS 1.3 resumption offer). */
  extensions: number[];
  /** Whether the client offers to resume a session (TLS 1.3 PSK, or a TLS 1.2 ticket or session id). */
  offersResumption: boolean;
}

export type ClientHelloParse =
  | { kind: 'complete'; hello: ClientHelloInfo }
  /** More bytes are needed; `needed` is a lower bound on the total when known. */
  | { kind: 'incomplete'; needed?: number }
  | { kind: 'invalid'; reason: string };

const RECORD_HEADER = 5;
const HANDSHAKE_CONTENT_TYPE = 22;
const CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
const EXT_SESSION_TICKET = 35;
const EXT_PRE_SHARED_KEY = 41;
/** A ClientHello bigger than this is not one we will read (RFC 8446 allows 2^24, nobody sends that). */
export const MAX_CLIENT_HELLO_BYTES = 64 * 1024;

/** A byte buffer that grows by doubling: appending n bytes in any number of pieces copies O(n) bytes in all. */
class GrowingBuffer {
  private buf = Buffer.allocUnsafe(512);
  length = 0;
  append(bytes: Buffer): void {
    if (this.length + bytes.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes.length));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    bytes.copy(this.buf, this.length);
    this.length += bytes.length;
  }
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Reads a ClientHello as its bytes arrive, in time linear in the bytes: each
 * chunk is appended once, each record header is examined until its record is
 * whole, each record's payload is copied once into the handshake message, and
 * the message is parsed once, when it is complete. (Re-parsing from the first
 * byte on every chunk made a hello split into 1-byte records cost its length
 * squared.)
 */
export class ClientHelloReader {
  private readonly raw = new GrowingBuffer();
  private readonly handshake = new GrowingBuffer();
  /** Offset in `raw` of the next record header to read. */
  private nextRecord = 0;
  private messageLength = -1;
  private verdict: Exclude<ClientHelloParse, { kind: 'incomplete' }> | undefined;
  /** Bytes copied or examined so far; linear in the bytes pushed (the tests hold it to that). */
  work = 0;
  /** How many times the handshake message was parsed (once, when complete). */
  messageParses = 0;

  /** Everything pushed so far, the ClientHello and whatever followed it. */
  get bytes(): Buffer {
    return this.raw.view();
  }

  /** Adds the next bytes from the client; the verdict so far. Once complete or invalid, later bytes are kept but not read. */
  push(chunk: Buffer): ClientHelloParse {
    this.raw.append(chunk);
    this.work += chunk.length;
    if (this.verdict) return this.verdict;
    const buf = this.raw.view();
    while (true) {
      const offset = this.nextRecord;
      if (buf.length - offset < RECORD_HEADER) return { kind: 'incomplete', needed: offset + RECORD_HEADER };
      this.work += RECORD_HEADER;
      const type = buf[offset];
      if (type !== HANDSHAKE_CONTENT_TYPE) {
        return this.decide({ kind: 'invalid', reason: offset === 0 ? `not a TLS handshake record (first byte 0x${type.toString(16).padStart(2, '0')})` : 'ClientHello interrupted by a non-handshake record' });
      }
      if (buf[offset + 1] !== 3) return this.decide({ kind: 'invalid', reason: `unknown record version ${buf[offset + 1]}.${buf[offset + 2]}` });
      const length = buf.readUInt16BE(offset + 3);
      if (length === 0) return this.decide({ kind: 'invalid', reason: 'empty handshake record' });
      if (length > 16384 + 2048) return this.decide({ kind: 'invalid', reason: `record length ${length} exceeds the TLS maximum` });
      const end = offset + RECORD_HEADER + length;
      if (buf.length < end) return { kind: 'incomplete', needed: end };
      this.handshake.append(buf.subarray(offset + RECORD_HEADER, end));
      this.work += length;
      this.nextRecord = end;
      if (this.messageLength < 0 && this.handshake.length >= 4) {
        const head = this.handshake.view();
        if (head[0] !== CLIENT_HELLO) return this.decide({ kind: 'invalid', reason: `first handshake message is type ${head[0]}, not ClientHello` });
        this.messageLength = head.readUIntBE(1, 3);
        if (this.messageLength + 4 > MAX_CLIENT_HELLO_BYTES) return this.decide({ kind: 'invalid', reason: `ClientHello of ${this.messageLength} bytes is too large` });
      }
      if (this.messageLength >= 0 && this.handshake.length >= this.messageLength + 4) {
        this.messageParses++;
        this.work += this.messageLength;
        return this.decide(parseHelloMessage(this.handshake.view().subarray(4, 4 + this.messageLength)));
      }
      if (this.nextRecord > MAX_CLIENT_HELLO_BYTES + 1024) return this.decide({ kind: 'invalid', reason: 'ClientHello too large' });
    }
  }

  private decide(verdict: Exclude<ClientHelloParse, { kind: 'incomplete' }>): ClientHelloParse {
    this.verdict = verdict;
    return verdict;
  }
}

/** A bounds-checked reader over one buffer; `ok` turns false on the first overrun. */
class Reader {
  ok = true;
  constructor(private readonly buf: Buffer, public pos = 0, private readonly end = buf.length) {}
  remaining(): number {
    return this.end - this.pos;
  }
  u8(): number {
    if (this.remaining() < 1) return this.fail();
    return this.buf[this.pos++];
  }
  u16(): number {
    if (this.remaining() < 2) return this.fail();
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  bytes(n: number): Buffer {
    if (this.remaining() < n) {
      this.fail();
      return Buffer.alloc(0);
    }
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  sub(n: number): Reader {
    if (this.remaining() < n) {
      this.fail();
      return new Reader(this.buf, this.pos, this.pos);
    }
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  private fail(): number {
    this.ok = false;
    this.pos = this.end;
    return 0;
  }
}

function parseServerName(ext: Reader): string | undefined | Error {
  const list = ext.sub(ext.u16());
  while (list.ok && list.remaining() > 0) {
    const nameType = list.u8();
    const name = list.bytes(list.u16());
    if (!list.ok) break;
    if (nameType === 0) {
      // host_name is ASCII (IDNA A-labels); anything else is not a name we can match.
      for (const byte of name) if (byte < 0x21 || byte > 0x7e) return new Error('server_name contains non-printable bytes');
      const text = name.toString('latin1').toLowerCase();
      return text.endsWith('.') ? text.slice(0, -1) : text;
    }
  }
  if (!list.ok || !ext.ok) return new Error('malformed server_name extension');
  return undefined;
}

function parseAlpn(ext: Reader): string[] | Error {
  const list = ext.sub(ext.u16());
  const protocols: string[] = [];
  while (list.ok && list.remaining() > 0) {
    const length = list.u8();
    if (length === 0) return new Error('empty ALPN protocol name');
    const proto = list.bytes(length);
    if (list.ok) protocols.push(proto.toString('latin1'));
  }
  if (!list.ok || !ext.ok) return new Error('malformed ALPN extension');
  return protocols;
}

/** Parses as much of `buf` as has arrived. Never throws, whatever the bytes. Bytes that arrive in pieces: ClientHelloReader. */
export function parseClientHello(buf: Buffer): ClientHelloParse {
  return new ClientHelloReader().push(buf);
}

/** The ClientHello message body (after its 4-byte handshake header), whole. */
function parseHelloMessage(data: Buffer): Exclude<ClientHelloParse, { kind: 'incomplete' }> {
  const r = new Reader(data);
  const legacyVersion = r.u16();
  r.bytes(32); // random
  const sessionId = r.bytes(r.u8());
  const suites = r.u16();
  if (suites % 2 !== 0) return { kind: 'invalid', reason: 'odd cipher_suites length' };
  r.bytes(suites);
  r.bytes(r.u8()); // compression methods
  if (!r.ok) return { kind: 'invalid', reason: 'truncated ClientHello body' };
  const hello: ClientHelloInfo = { alpnProtocols: [], legacyVersion, extensions: [], offersResumption: false };
  if (r.remaining() === 0) return { kind: 'complete', hello }; // no extensions at all (SSLv3-style)
  const extensions = r.sub(r.u16());
  if (!r.ok) return { kind: 'invalid', reason: 'extensions length exceeds the ClientHello' };
  const seen = new Set<number>();
  while (extensions.remaining() > 0) {
    const type = extensions.u16();
    const body = extensions.sub(extensions.u16());
    if (!extensions.ok) return { kind: 'invalid', reason: 'truncated extension' };
    if (seen.has(type)) return { kind: 'invalid', reason: `duplicate extension ${type}` };
    seen.add(type);
    hello.extensions.push(type);
    if (type === EXT_PRE_SHARED_KEY || (type === EXT_SESSION_TICKET && body.remaining() > 0)) hello.offersResumption = true;
    if (type === EXT_SERVER_NAME) {
      const name = parseServerName(body);
      if (name instanceof Error) return { kind: 'invalid', reason: name.message };
      if (name !== undefined) hello.serverName = name;
    } else if (type === EXT_ALPN) {
      const alpn = parseAlpn(body);
      if (alpn instanceof Error) return { kind: 'invalid', reason: alpn.message };
      hello.alpnProtocols = alpn;
    }
  }
  // A TLS 1.2 session id only means resumption without TLS 1.3 (1.3 clients send a random one for middleboxes).
  if (!seen.has(43) && sessionId.length > 0) hello.offersResumption = true;
  return { kind: 'complete', hello };
}
