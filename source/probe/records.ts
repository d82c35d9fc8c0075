// TLS record layer and the handshake messages the probe reads in plaintext
// (RFC 8446 §4–5, RFC 5246 §6–7). Pure functions over bytes; nothing here
// touches a socket. Parsers throw TruncatedError on short input.
import { WireReader } from './wire-reader.js';
import { CONTENT_TYPE, EXTENSION, HELLO_RETRY_REQUEST_RANDOM, cipherSuiteName, versionName } from './tls-names.js';

export interface TlsRecord {
  contentType: number;
  /** Record-layer version (legacy; 0x0303 for TLS 1.2 and 1.3). */
  version: number;
  header: Buffer;
  fragment: Buffer;
}

/** RFC 8446 §5.1–5.2: plaintext ≤ 2^14, ciphertext ≤ 2^14 + 256; TLS 1.2 allows +2048. */
const MAX_FRAGMENT = 16384 + 2048;

/** Is this the start of a TLS record? (content type 20–24, major version 3). */
export function looksLikeRecordHeader(bytes: Buffer): boolean {
  if (bytes.length === 0) return true;
  const type = bytes[0]!;
  if (type < CONTENT_TYPE.changeCipherSpec || type > CONTENT_TYPE.heartbeat) return false;
  if (bytes.length >= 2 && bytes[1] !== 3) return false;
  if (bytes.length >= 5 && bytes.readUInt16BE(3) > MAX_FRAGMENT) return false;
  return true;
}

/**
 * Splits a byte stream into records. Feed chunks as they arrive; complete
 * records come out, a partial one waits. Once the stream stops looking like
 * TLS, `notTls` holds the offending bytes and nothing more is parsed.
 */
export class RecordSplitter {
  private pending: Buffer = Buffer.alloc(0);
  notTls?: Buffer;

  push(chunk: Buffer): TlsRecord[] {
    if (this.notTls) return [];
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const records: TlsRecord[] = [];
    while (this.pending.length > 0) {
      if (!looksLikeRecordHeader(this.pending.subarray(0, 5))) {
        this.notTls = this.pending;
        this.pending = Buffer.alloc(0);
        break;
      }
      if (this.pending.length < 5) break;
      const length = this.pending.readUInt16BE(3);
      if (this.pending.length < 5 + length) break;
      records.push({
        contentType: this.pending[0]!,
        version: this.pending.readUInt16BE(1),
        header: this.pending.subarray(0, 5),
        fragment: this.pending.subarray(5, 5 + length),
      });
      this.pending = this.pending.subarray(5 + length);
    }
    return records;
  }

  /** Bytes of an incomplete record left when the stream ended. */
  get leftover(): number {
    return this.pending.length;
  }
}

export interface HandshakeMessage {
  type: number;
  body: Buffer;
}

/** Reassembles handshake messages that may span records (RFC 8446 §5.1). */
export class HandshakeReassembler {
  private pending: Buffer = Buffer.alloc(0);

  push(fragment: Buffer): HandshakeMessage[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, fragment]) : fragment;
    const messages: HandshakeMessage[] = [];
    while (this.pending.length >= 4) {
      const length = (this.pending[1]! << 16) | (this.pending[2]! << 8) | this.pending[3]!;
      if (this.pending.length < 4 + length) break;
      messages.push({ type: this.pending[0]!, body: this.pending.subarray(4, 4 + length) });
      this.pending = this.pending.subarray(4 + length);
    }
    return messages;
  }
}

export interface ClientHelloInfo {
  sni?: string;
  alpn: string[];
  /** From supported_versions, else the legacy version. */
  versions: string[];
  cipherSuites: string[];
  random: Buffer;
  /** A saved session was offered: a pre_shared_key (TLS 1.3) or a non-empty session_ticket (TLS 1.2). */
  offersSession: boolean;
}

function readExtensions(reader: WireReader): Map<number, Buffer> {
  const extensions = new Map<number, Buffer>();
  if (reader.remaining === 0) return extensions;
  const list = reader.vector(2, 'extensions');
  while (list.remaining > 0) {
    const type = list.u16('extension type');
    const data = list.vector(2, 'extension data');
    extensions.set(type, data.bytes(data.remaining));
  }
  return extensions;
}

function readAlpnList(data: Buffer): string[] {
  const list = new WireReader(data).vector(2, 'ALPN list');
  const names: string[] = [];
  while (list.remaining > 0) {
    const name = list.vector(1, 'ALPN name');
    names.push(name.bytes(name.remaining).toString('latin1'));
  }
  return names;
}

export function parseClientHello(body: Buffer): ClientHelloInfo {
  const reader = new WireReader(body);
  const legacyVersion = reader.u16('ClientHello version');
  const random = reader.bytes(32, 'ClientHello random');
  reader.vector(1, 'session id');
  const suites = reader.vector(2, 'cipher suites');
  const cipherSuites: string[] = [];
  while (suites.remaining >= 2) cipherSuites.push(cipherSuiteName(suites.u16()));
  reader.vector(1, 'compression methods');
  const extensions = readExtensions(reader);
  const ticket = extensions.get(EXTENSION.sessionTicket);
  const offersSession = extensions.has(EXTENSION.preSharedKey) || (ticket !== undefined && ticket.length > 0);
  const info: ClientHelloInfo = { alpn: [], versions: [versionName(legacyVersion)], cipherSuites, random, offersSession };

  const sni = extensions.get(EXTENSION.serverName);
  if (sni) {
    const list = new WireReader(sni).vector(2, 'server name list');
    while (list.remaining > 0) {
      const nameType = list.u8('name type');
      const name = list.vector(2, 'host name');
      if (nameType === 0) info.sni = name.bytes(name.remaining).toString('latin1');
    }
  }
  const alpn = extensions.get(EXTENSION.alpn);
  if (alpn) info.alpn = readAlpnList(alpn);
  const versions = extensions.get(EXTENSION.supportedVersions);
  if (versions) {
    const list = new WireReader(versions).vector(1, 'supported versions');
    const names: string[] = [];
    while (list.remaining >= 2) {
      const v = list.u16();
      // GREASE values (RFC 8701) are noise, not versions.
      if ((v & 0x0f0f) !== 0x0a0a) names.push(versionName(v));
    }
    info.versions = names;
  }
  return info;
}

export interface ServerHelloInfo {
  helloRetryRequest: boolean;
  /** Negotiated version: supported_versions when present (TLS 1.3), else the legacy field. */
  version: string;
  cipherSuite: number;
  cipher: string;
  alpn?: string;
  random: Buffer;
}

export function parseServerHello(body: Buffer): ServerHelloInfo {
  const reader = new WireReader(body);
  const legacyVersion = reader.u16('ServerHello version');
  const random = reader.bytes(32, 'ServerHello random');
  reader.vector(1, 'session id');
  const cipherSuite = reader.u16('cipher suite');
  reader.u8('compression method');
  const extensions = readExtensions(reader);
  const selected = extensions.get(EXTENSION.supportedVersions);
  const version = selected && selected.length >= 2 ? selected.readUInt16BE(0) : legacyVersion;
  const alpn = extensions.get(EXTENSION.alpn);
  return {
    helloRetryRequest: random.equals(HELLO_RETRY_REQUEST_RANDOM),
    version: versionName(version),
    cipherSuite,
    cipher: cipherSuiteName(cipherSuite),
    alpn: alpn ? readAlpnList(alpn)[0] : undefined,
    random,
  };
}

/** TLS 1.3 EncryptedExtensions: where the server's ALPN choice lives. */
export function parseEncryptedExtensions(body: Buffer): { alpn?: string } {
  const extensions = readExtensions(new WireReader(body));
  const alpn = extensions.get(EXTENSION.alpn);
  return { alpn: alpn ? readAlpnList(alpn)[0] : undefined };
}

/** Certificate message → DER certificates, leaf first (TLS 1.2 and 1.3 layouts). */
export function parseCertificateMessage(body: Buffer, tls13: boolean): Buffer[] {
  const reader = new WireReader(body);
  if (tls13) reader.vector(1, 'certificate request context');
  const list = reader.vector(3, 'certificate list');
  const certificates: Buffer[] = [];
  while (list.remaining > 0) {
    const der = list.vector(3, 'certificate');
    certificates.push(der.bytes(der.remaining));
    if (tls13) list.vector(2, 'certificate extensions');
  }
  return certificates;
}

export function parseAlert(fragment: Buffer): { level: number; code: number } {
  const reader = new WireReader(fragment);
  return { level: reader.u8('alert level'), code: reader.u8('alert description') };
}
