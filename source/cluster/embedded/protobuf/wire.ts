// Protocol buffers wire format reader with every length checked against the
// bytes left: malformed input ends in a ProtobufError, never a crash, an
// out-of-bounds read or a hang.
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

export interface Field {
  number: number;
  wireType: number;
  /** varint value (two's complement 64-bit), for wire type 0. */
  varint?: bigint;
  /** payload, for wire types 1, 2 and 5. */
  bytes?: Buffer;
}

export class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  get done(): boolean {
    return this.offset >= this.buffer.length;
  }

  private varint(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.buffer.length) throw new ProtobufError('truncated varint');
      const byte = this.buffer[this.offset++];
      result |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  private take(length: number): Buffer {
    if (length < 0 || length > this.buffer.length - this.offset) {
      throw new ProtobufError(`field length ${length} exceeds the ${this.buffer.length - this.offset} bytes left`);
    }
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  /** The next field, or throws on malformed input. Groups (deprecated, unused by Kubernetes) are rejected. */
  next(): Field {
    const tag = this.varint();
    if (tag > 0xffffffffn) throw new ProtobufError('field tag out of range');
    const number = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (number === 0) throw new ProtobufError('field number 0 is invalid');
    switch (wireType) {
      case WIRE.varint:
        return { number, wireType, varint: this.varint() };
      case WIRE.fixed64:
        return { number, wireType, bytes: this.take(8) };
      case WIRE.bytes: {
        const length = this.varint();
        if (length > BigInt(this.buffer.length)) throw new ProtobufError(`field length ${length} exceeds the message`);
        return { number, wireType, bytes: this.take(Number(length)) };
      }
      case WIRE.fixed32:
        return { number, wireType, bytes: this.take(4) };
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} for field ${number}`);
    }
  }

  /** Every field of the message, in order. */
  static fields(buffer: Buffer): Field[] {
    const reader = new Reader(buffer);
    const fields: Field[] = [];
    while (!reader.done) fields.push(reader.next());
    return fields;
  }
}
