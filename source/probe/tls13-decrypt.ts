// TLS 1.3 hides everything after ServerHello. The client's own traffic
// secrets (node's 'keylog' event, the NSS key log format Wireshark reads) let
// the probe decrypt its own connection afterwards and show the real messages:
// EncryptedExtensions, CertificateRequest, Certificate, Finished, alerts.
// RFC 8446 §5.2–5.3 (record protection), §7.1 (HKDF-Expand-Label), §7.3 (keys).
import crypto from 'node:crypto';

/** Secrets from the key log: TLS 1.3 traffic secrets, and the TLS 1.2 master secret (CLIENT_RANDOM). */
export type KeylogSecrets = Partial<Record<
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET' | 'SERVER_HANDSHAKE_TRAFFIC_SECRET' | 'CLIENT_TRAFFIC_SECRET_0' | 'SERVER_TRAFFIC_SECRET_0' | 'CLIENT_RANDOM',
  Buffer
>>;
export type Tls13Secrets = KeylogSecrets;

/** Collects secrets from keylog lines: `LABEL <client_random hex> <secret hex>` (one connection per log). */
export function addKeylogLine(secrets: Tls13Secrets, line: Buffer | string): void {
  const [label, , secretHex] = line.toString('latin1').trim().split(' ');
  if (!label || !secretHex) return;
  if (
    label === 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' ||
    label === 'SERVER_HANDSHAKE_TRAFFIC_SECRET' ||
    label === 'CLIENT_TRAFFIC_SECRET_0' ||
    label === 'SERVER_TRAFFIC_SECRET_0' ||
    label === 'CLIENT_RANDOM'
  ) {
    secrets[label] = Buffer.from(secretHex, 'hex');
  }
}

interface SuiteParameters {
  aead: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLength: number;
  hash: 'sha256' | 'sha384';
}

const SUITES: Record<number, SuiteParameters> = {
  0x1301: { aead: 'aes-128-gcm', keyLength: 16, hash: 'sha256' },
  0x1302: { aead: 'aes-256-gcm', keyLength: 32, hash: 'sha384' },
  0x1303: { aead: 'chacha20-poly1305', keyLength: 32, hash: 'sha256' },
};

/** HKDF-Expand (RFC 5869 §2.3); node's hkdf always extracts first, TLS 1.3 needs expand alone. */
export function hkdfExpand(hash: string, secret: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; Buffer.concat(blocks).length < length; counter++) {
    previous = crypto.createHmac(hash, secret).update(Buffer.concat([previous, info, Buffer.from([counter])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function hkdfExpandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, fullLabel.length]), fullLabel, Buffer.from([0])]);
  return hkdfExpand(hash, secret, info, length);
}

/** The write key and IV of one traffic secret (RFC 8446 §7.3). */
function trafficKeys(suite: SuiteParameters, secret: Buffer): { key: Buffer; iv: Buffer } {
  return { key: hkdfExpandLabel(suite.hash, secret, 'key', suite.keyLength), iv: hkdfExpandLabel(suite.hash, secret, 'iv', 12) };
}

/** The per-record nonce: the IV xor the 64-bit sequence number, left-padded (RFC 8446 §5.3). */
function recordNonce(iv: Buffer, sequence: bigint): Buffer {
  const nonce = Buffer.from(iv);
  const seq = Buffer.alloc(8);
  seq.writeBigUInt64BE(sequence);
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seq[i]!;
  return nonce;
}

/** One direction's record protection under one traffic secret. */
export class RecordDecrypter {
  private sequence = 0n;
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(
    private readonly suite: SuiteParameters,
    secret: Buffer,
  ) {
    ({ key: this.key, iv: this.iv } = trafficKeys(suite, secret));
  }

  static forSuite(cipherSuite: number, secret: Buffer | undefined): RecordDecrypter | undefined {
    const suite = SUITES[cipherSuite];
    return suite && secret ? new RecordDecrypter(suite, secret) : undefined;
  }

  /**
   * Decrypts one TLSCiphertext. Returns the inner content type and content,
   * or undefined when authentication fails (wrong key, e.g. after a KeyUpdate);
   * the sequence number advances only on success.
   */
  decrypt(header: Buffer, fragment: Buffer): { contentType: number; content: Buffer } | undefined {
    if (fragment.length < 17) return undefined;
    const nonce = recordNonce(this.iv, this.sequence);
    try {
      const decipher = crypto.createDecipheriv(this.suite.aead, this.key, nonce, { authTagLength: 16 } as crypto.CipherGCMOptions) as crypto.DecipherGCM;
      decipher.setAAD(header);
      decipher.setAuthTag(fragment.subarray(fragment.length - 16));
      const plain = Buffer.concat([decipher.update(fragment.subarray(0, fragment.length - 16)), decipher.final()]);
      this.sequence += 1n;
      // TLSInnerPlaintext: content || type || zeros (RFC 8446 §5.2).
      let end = plain.length - 1;
      while (end >= 0 && plain[end] === 0) end--;
      if (end < 0) return undefined;
      return { contentType: plain[end]!, content: plain.subarray(0, end) };
    } catch {
      return undefined;
    }
  }
}

/**
 * Protects records for one direction under one traffic secret, from a given
 * sequence number (the number of records already sent under that secret).
 * The gateway uses it to send the alert OpenSSL would have sent.
 */
export class RecordEncrypter {
  private readonly key: Buffer;
  private readonly iv: Buffer;

  private constructor(
    private readonly suite: SuiteParameters,
    secret: Buffer,
    private sequence: bigint,
  ) {
    ({ key: this.key, iv: this.iv } = trafficKeys(suite, secret));
  }

  static forSuite(cipherSuite: number, secret: Buffer | undefined, sequence = 0n): RecordEncrypter | undefined {
    const suite = SUITES[cipherSuite];
    return suite && secret ? new RecordEncrypter(suite, secret, sequence) : undefined;
  }

  /** One TLSCiphertext record (header included) carrying `content` of `contentType`, no padding. */
  encrypt(contentType: number, content: Buffer): Buffer {
    const inner = Buffer.concat([content, Buffer.from([contentType])]);
    const header = Buffer.from([23, 3, 3, 0, 0]);
    header.writeUInt16BE(inner.length + 16, 3);
    const cipher = crypto.createCipheriv(this.suite.aead, this.key, recordNonce(this.iv, this.sequence), { authTagLength: 16 } as crypto.CipherGCMOptions) as crypto.CipherGCM;
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(inner), cipher.final()]);
    this.sequence += 1n;
    return Buffer.concat([header, body, cipher.getAuthTag()]);
  }
}
