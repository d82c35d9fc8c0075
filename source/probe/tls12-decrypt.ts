// TLS 1.2 AEAD record protection, undone with the master secret from the key
// log (CLIENT_RANDOM line), so the probe can show the encrypted Finished and
// any alert after ChangeCipherSpec as curl does. RFC 5246 §5 (PRF) and §6.3
// (key block), RFC 5288 (AES-GCM: 4-byte salt + 8-byte explicit nonce),
// RFC 7905 (ChaCha20-Poly1305: IV xor sequence number). CBC suites are not
// decrypted: their records stay "encrypted".
import crypto from 'node:crypto';

interface Suite12 {
  aead: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLength: number;
  ivLength: number;
  hash: 'sha256' | 'sha384';
}

const GCM128: Suite12 = { aead: 'aes-128-gcm', keyLength: 16, ivLength: 4, hash: 'sha256' };
const GCM256: Suite12 = { aead: 'aes-256-gcm', keyLength: 32, ivLength: 4, hash: 'sha384' };
const CHACHA: Suite12 = { aead: 'chacha20-poly1305', keyLength: 32, ivLength: 12, hash: 'sha256' };

const SUITES: Record<number, Suite12> = {
  0xc02f: GCM128, 0xc02b: GCM128, 0x009e: GCM128, 0x009c: GCM128,
  0xc030: GCM256, 0xc02c: GCM256, 0x009f: GCM256, 0x009d: GCM256,
  0xcca8: CHACHA, 0xcca9: CHACHA, 0xccaa: CHACHA,
};

/** P_hash of RFC 5246 §5. */
function prf(hash: string, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out: Buffer[] = [];
  let a = labelSeed;
  let produced = 0;
  while (produced < length) {
    a = crypto.createHmac(hash, secret).update(a).digest();
    const block = crypto.createHmac(hash, secret).update(Buffer.concat([a, labelSeed])).digest();
    out.push(block);
    produced += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

export class Tls12RecordDecrypter {
  private sequence = 0n;

  private constructor(
    private readonly suite: Suite12,
    private readonly key: Buffer,
    private readonly iv: Buffer,
  ) {}

  /** The decrypter for one direction, or undefined when the suite is not an AEAD one the probe knows. */
  static create(
    cipherSuite: number,
    masterSecret: Buffer | undefined,
    clientRandom: Buffer | undefined,
    serverRandom: Buffer | undefined,
    direction: 'out' | 'in',
  ): Tls12RecordDecrypter | undefined {
    const suite = SUITES[cipherSuite];
    if (!suite || !masterSecret || !clientRandom || !serverRandom) return undefined;
    const size = 2 * suite.keyLength + 2 * suite.ivLength;
    const block = prf(suite.hash, masterSecret, 'key expansion', Buffer.concat([serverRandom, clientRandom]), size);
    // AEAD suites have no MAC keys: client key, server key, client IV, server IV.
    const clientKey = block.subarray(0, suite.keyLength);
    const serverKey = block.subarray(suite.keyLength, 2 * suite.keyLength);
    const clientIv = block.subarray(2 * suite.keyLength, 2 * suite.keyLength + suite.ivLength);
    const serverIv = block.subarray(2 * suite.keyLength + suite.ivLength, size);
    return direction === 'out' ? new Tls12RecordDecrypter(suite, clientKey, clientIv) : new Tls12RecordDecrypter(suite, serverKey, serverIv);
  }

  /** Decrypts one record's fragment; undefined when it does not authenticate. */
  decrypt(contentType: number, version: number, fragment: Buffer): Buffer | undefined {
    const gcm = this.suite.aead !== 'chacha20-poly1305';
    const explicit = gcm ? 8 : 0;
    if (fragment.length < explicit + 16) return undefined;
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(this.sequence);
    let nonce: Buffer;
    if (gcm) {
      nonce = Buffer.concat([this.iv, fragment.subarray(0, 8)]);
    } else {
      nonce = Buffer.from(this.iv);
      for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seq[i]!;
    }
    const ciphertext = fragment.subarray(explicit, fragment.length - 16);
    const aad = Buffer.alloc(13);
    seq.copy(aad, 0);
    aad[8] = contentType;
    aad.writeUInt16BE(version, 9);
    aad.writeUInt16BE(ciphertext.length, 11);
    try {
      const decipher = crypto.createDecipheriv(this.suite.aead, this.key, nonce, { authTagLength: 16 } as crypto.CipherGCMOptions) as crypto.DecipherGCM;
      decipher.setAAD(aad);
      decipher.setAuthTag(fragment.subarray(fragment.length - 16));
      const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      this.sequence += 1n;
      return plain;
    } catch {
      return undefined;
    }
  }
}
