// DNS messages (RFC 1035 §4, EDNS(0) RFC 6891) as far as an authoritative
// server for cluster names needs them: queries are parsed from untrusted
// bytes (bounded: every read is checked against the message, names are at
// most 255 bytes, compression pointers may only point backwards, so a loop is
// impossible), responses are encoded with the answer names compressed to the
// question. Anything malformed is a DnsFormatError, never another exception.

export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, OPT: 41, ANY: 255 } as const;
export const DNS_CLASS = { IN: 1, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** A DNS message without EDNS may be at most this long over UDP (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_SIZE = 512;
/** The EDNS payload size we advertise and honour at most (the DNS flag day 2020 value). */
export const EDNS_UDP_SIZE = 1232;
const MAX_NAME_WIRE_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;
const HEADER_LENGTH = 12;

export interface DnsQuestion {
  /** Labels as sent (case kept, so the question is echoed unchanged). */
  labels: Buffer[];
  type: number;
  class: number;
}

export interface DnsQuery {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  question: DnsQuestion;
  /** Present when the query carried an OPT record: the requester's UDP payload size. */
  ednsUdpSize?: number;
}

export class DnsFormatError extends Error {
  /** The query's ID when the header could be read, so a FORMERR can be answered. */
  readonly id: number | undefined;
  readonly opcode: number;
  constructor(message: string, id?: number, opcode = 0) {
    super(message);
    this.name = 'DnsFormatError';
    this.id = id;
    this.opcode = opcode;
  }
}

class Reader {
  offset = 0;
  constructor(readonly bytes: Buffer, readonly id?: number) {}
  fail(message: string): never {
    throw new DnsFormatError(`${message} at byte ${this.offset}`, this.id);
  }
  need(count: number): void {
    if (this.offset + count > this.bytes.length) this.fail(`message ends early (${count} more bytes needed)`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }
  u16(): number {
    this.need(2);
    const value = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  skip(count: number): void {
    this.need(count);
    this.offset += count;
  }
  /** A domain name; pointers are followed only backwards, to strictly earlier positions. */
  name(): Buffer[] {
    const labels: Buffer[] = [];
    let wireLength = 1;
    let position = this.offset;
    let resumeAt: number | undefined;
    let lowestJump = position;
    for (;;) {
      if (position >= this.bytes.length) this.fail('name runs past the message');
      const length = this.bytes[position]!;
      if (length === 0) {
        position += 1;
        break;
      }
      const kind = length & 0xc0;
      if (kind === 0xc0) {
        if (position + 1 >= this.bytes.length) this.fail('compression pointer runs past the message');
        const target = ((length & 0x3f) << 8) | this.bytes[position + 1]!;
        if (target >= lowestJump) this.fail('compression pointer does not point backwards');
        if (resumeAt === undefined) resumeAt = position + 2;
        lowestJump = target;
        position = target;
        continue;
      }
      if (kind !== 0) this.fail(`label type 0x${kind.toString(16)} is not supported`);
      if (length > MAX_LABEL_LENGTH) this.fail('label longer than 63 bytes');
      if (position + 1 + length > this.bytes.length) this.fail('label runs past the message');
      wireLength += 1 + length;
      if (wireLength > MAX_NAME_WIRE_LENGTH) this.fail('name longer than 255 bytes');
      labels.push(Buffer.from(this.bytes.subarray(position + 1, position + 1 + length)));
      position += 1 + length;
    }
    this.offset = resumeAt ?? position;
    return labels;
  }
}

/**
 * Parses a query. Throws DnsFormatError (with the ID when the header was
 * readable) for anything that is not one well-formed question; a message with
 * QR set (a response) is an error too, so a spoofed response is never answered.
 */
export function parseQuery(input: Uint8Array): DnsQuery {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < HEADER_LENGTH) throw new DnsFormatError(`message of ${bytes.length} bytes is shorter than a DNS header`);
  const id = bytes.readUInt16BE(0);
  const flags = bytes.readUInt16BE(2);
  const opcode = (flags >> 11) & 0xf;
  if (flags & 0x8000) throw new DnsFormatError('message is a response, not a query');
  const counts = [4, 6, 8, 10].map((at) => bytes.readUInt16BE(at));
  const [questions, answers, authorities, additionals] = counts as [number, number, number, number];
  if (questions !== 1) throw new DnsFormatError(`${questions} questions (one is answered)`, id, opcode);
  const reader = new Reader(bytes, id);
  reader.offset = HEADER_LENGTH;
  let labels: Buffer[];
  let type: number;
  let klass: number;
  try {
    labels = reader.name();
    type = reader.u16();
    klass = reader.u16();
  } catch (error) {
    throw new DnsFormatError((error as Error).message, id, opcode);
  }
  let ednsUdpSize: number | undefined;
  const records = answers + authorities + additionals;
  for (let i = 0; i < records; i++) {
    try {
      reader.name();
      const recordType = reader.u16();
      const recordClass = reader.u16();
      reader.skip(4);
      const dataLength = reader.u16();
      reader.skip(dataLength);
      if (recordType === DNS_TYPE.OPT && i >= answers + authorities) {
        if (ednsUdpSize !== undefined) reader.fail('more than one OPT record');
        ednsUdpSize = recordClass;
      }
    } catch (error) {
      throw new DnsFormatError((error as Error).message, id, opcode);
    }
  }
  return { id, opcode, recursionDesired: (flags & 0x0100) !== 0, question: { labels, type, class: klass }, ...(ednsUdpSize !== undefined ? { ednsUdpSize } : {}) };
}

/** The name as a lookup key: lower-case, dot-joined, without the root; undefined when a label holds a dot or a non-printable byte. */
export function lookupKey(labels: Buffer[]): string | undefined {
  const parts: string[] = [];
  for (const label of labels) {
    const text = label.toString('latin1').toLowerCase();
    if (!/^[\x21-\x7e]+$/.test(text) || text.includes('.')) return undefined;
    parts.push(text);
  }
  return parts.join('.');
}

export function labelsOf(name: string): Buffer[] {
  return name.split('.').filter(Boolean).map((label) => Buffer.from(label, 'latin1'));
}

export interface SoaRecord {
  zone: string;
  primary: string;
  mailbox: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
  ttl: number;
}

export interface DnsResponse {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  rcode: number;
  authoritative: boolean;
  question?: DnsQuestion;
  /** A records for the question's name. */
  answers: Array<{ address: string; ttl: number }>;
  /** The zone's SOA in the authority section (negative answers, RFC 2308). */
  soa?: SoaRecord;
  /** Include an OPT record (the query had one). */
  edns?: boolean;
}

function encodeName(labels: Buffer[]): Buffer {
  return Buffer.concat([...labels.flatMap((label) => [Buffer.from([label.length]), label]), Buffer.from([0])]);
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value & 0xffff);
  return b;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

function ipv4(address: string): Buffer {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`"${address}" is not an IPv4 address`);
  return Buffer.from(parts);
}

function header(response: DnsResponse, counts: [number, number, number, number], truncated: boolean): Buffer {
  const flags =
    0x8000 |
    ((response.opcode & 0xf) << 11) |
    (response.authoritative ? 0x0400 : 0) |
    (truncated ? 0x0200 : 0) |
    (response.recursionDesired ? 0x0100 : 0) |
    (response.rcode & 0xf);
  return Buffer.concat([u16(response.id), u16(flags), ...counts.map(u16)]);
}

const OPT_RECORD = Buffer.concat([Buffer.from([0]), u16(DNS_TYPE.OPT), u16(EDNS_UDP_SIZE), u32(0), u16(0)]);

/**
 * Encodes a response. When it would exceed `maxSize` (UDP), the answers are
 * left out and TC is set, so the client asks again over TCP (RFC 1035 §4.2.1,
 * RFC 7766).
 */
export function encodeResponse(response: DnsResponse, maxSize = 65_535): Buffer {
  const question = response.question ? Buffer.concat([encodeName(response.question.labels), u16(response.question.type), u16(response.question.class)]) : Buffer.alloc(0);
  // Every answer names the question's name: a pointer to it (offset 12).
  const answers = response.answers.map(({ address, ttl }) => Buffer.concat([u16(0xc000 | HEADER_LENGTH), u16(DNS_TYPE.A), u16(DNS_CLASS.IN), u32(ttl), u16(4), ipv4(address)]));
  const authority: Buffer[] = [];
  if (response.soa) {
    const soa = response.soa;
    const data = Buffer.concat([encodeName(labelsOf(soa.primary)), encodeName(labelsOf(soa.mailbox)), ...[soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum].map(u32)]);
    authority.push(Buffer.concat([encodeName(labelsOf(soa.zone)), u16(DNS_TYPE.SOA), u16(DNS_CLASS.IN), u32(soa.ttl), u16(data.length), data]));
  }
  const additional = response.edns ? [OPT_RECORD] : [];
  const full = Buffer.concat([
    header(response, [response.question ? 1 : 0, answers.length, authority.length, additional.length], false),
    question,
    ...answers,
    ...authority,
    ...additional,
  ]);
  if (full.length <= maxSize) return full;
  return Buffer.concat([header(response, [response.question ? 1 : 0, 0, 0, additional.length], true), question, ...additional]);
}

/** A FORMERR (or NOTIMP) answer to a message whose header was readable; no question section. */
export function errorResponse(id: number, opcode: number, rcode: number): Buffer {
  return encodeResponse({ id, opcode, recursionDesired: false, rcode, authoritative: false, answers: [] });
}

/** Encodes a query (tests and the health check use it). */
export function encodeQuery(query: { id: number; name: string | Buffer[]; type: number; class?: number; recursionDesired?: boolean; edns?: boolean }): Buffer {
  const labels = typeof query.name === 'string' ? labelsOf(query.name) : query.name;
  const flags = query.recursionDesired === false ? 0 : 0x0100;
  return Buffer.concat([
    u16(query.id),
    u16(flags),
    u16(1),
    u16(0),
    u16(0),
    u16(query.edns ? 1 : 0),
    encodeName(labels),
    u16(query.type),
    u16(query.class ?? DNS_CLASS.IN),
    ...(query.edns ? [OPT_RECORD] : []),
  ]);
}
