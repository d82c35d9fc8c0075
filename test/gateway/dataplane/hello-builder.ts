// Builds ClientHellos byte by byte for tests: the parser's property tests and
// the attacks no real client library will send (a 60 KB SNI, 1-byte records).

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

/** Builds a ClientHello handshake message (without record framing). */
export function helloMessage(opts: { sni?: string; alpn?: string[]; extraExtensions?: Buffer[] }): Buffer {
  const exts: Buffer[] = [...(opts.extraExtensions ?? [])];
  if (opts.sni !== undefined) {
    const name = Buffer.from(opts.sni, 'latin1');
    const entry = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
    exts.push(ext(0, Buffer.concat([u16(entry.length), entry])));
  }
  if (opts.alpn) {
    const list = Buffer.concat(opts.alpn.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])));
    exts.push(ext(16, Buffer.concat([u16(list.length), list])));
  }
  const extensions = Buffer.concat(exts);
  const body = Buffer.concat([
    u16(0x0303),
    Buffer.alloc(32, 7),
    Buffer.from([32]),
    Buffer.alloc(32, 1),
    u16(4),
    Buffer.from([0x13, 0x01, 0x13, 0x02]),
    Buffer.from([1, 0]),
    u16(extensions.length),
    extensions,
  ]);
  const len = Buffer.alloc(3);
  len.writeUIntBE(body.length, 0, 3);
  return Buffer.concat([Buffer.from([1]), len, body]);
}

/** Frames a handshake message into TLS records of at most `fragment` bytes each. */
export function records(message: Buffer, fragment = 16384): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < message.length; i += fragment) {
    const part = message.subarray(i, i + fragment);
    out.push(Buffer.from([22, 3, 1]), u16(part.length), part);
  }
  return Buffer.concat(out);
}
