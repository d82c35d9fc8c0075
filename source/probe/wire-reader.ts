// A bounds-checked cursor over bytes from the network. Every read that would
// run past the end throws TruncatedError, so parsers of untrusted bytes stop
// cleanly instead of reading garbage.

export class TruncatedError extends Error {
  constructor(what: string) {
    super(`truncated ${what}`);
    this.name = 'TruncatedError';
  }
}

export class WireReader {
  private offset: number;

  constructor(
    private readonly buffer: Buffer,
    start = 0,
    private readonly end = buffer.length,
  ) {
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.end) throw new TruncatedError(what);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buffer[this.offset++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const value = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u24(what = 'u24'): number {
    this.need(3, what);
    const value = (this.buffer[this.offset]! << 16) | (this.buffer[this.offset + 1]! << 8) | this.buffer[this.offset + 2]!;
    this.offset += 3;
    return value;
  }

  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const slice = this.buffer.subarray(this.offset, this.offset + n);
    this.offset += n;
    return slice;
  }

  /** A length-prefixed vector (1, 2 or 3 length bytes) as its own reader. */
  vector(lengthBytes: 1 | 2 | 3, what = 'vector'): WireReader {
    const length = lengthBytes === 1 ? this.u8(what) : lengthBytes === 2 ? this.u16(what) : this.u24(what);
    return new WireReader(this.bytes(length, what));
  }
}
