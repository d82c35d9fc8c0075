// Turns the bytes the tap saw, in both directions and in arrival order, into
// what happened at the TLS record level. Pure: the same wire log always gives
// the same analysis, and any bytes at all give an analysis (never a throw).
import type { RecordEvent } from './types.js';
import {
  HandshakeReassembler,
  RecordSplitter,
  parseAlert,
  parseCertificateMessage,
  parseClientHello,
  parseEncryptedExtensions,
  parseServerHello,
  type ClientHelloInfo,
  type ServerHelloInfo,
  type TlsRecord,
} from './records.js';
import { CONTENT_TYPE, alertLevel, alertName, handshakeName } from './tls-names.js';
import { Tls12RecordDecrypter } from './tls12-decrypt.js';
import { RecordDecrypter, type Tls13Secrets } from './tls13-decrypt.js';
import { plural } from '../common/plural.js';

export type WireEvent =
  | { kind: 'data'; direction: 'out' | 'in'; atMs: number; bytes: Buffer }
  | { kind: 'end'; direction: 'in'; atMs: number; how: 'EOF' | 'RST'; detail?: string };

export interface ObservedAlert {
  direction: 'out' | 'in';
  level: 'warning' | 'fatal';
  code: number;
  description: string;
  /** Read from a decrypted TLS 1.3 record rather than a plaintext one. */
  decrypted: boolean;
}

export interface HandshakeAnalysis {
  events: RecordEvent[];
  clientHello?: ClientHelloInfo;
  serverHello?: ServerHelloInfo;
  helloRetryRequest: boolean;
  /** ALPN chosen by the server (ServerHello in TLS 1.2, EncryptedExtensions in 1.3). */
  serverAlpn?: string;
  alerts: ObservedAlert[];
  certificateRequestSeen: boolean;
  /** The client's Certificate message: undefined when none was seen, else how many certificates it carried. */
  clientCertificatesSent?: number;
  serverCertificates: Buffer[];
  inboundBytes: number;
  firstInboundAtMs?: number;
  /** The peer's bytes when they are not TLS (e.g. a plain HTTP reply). */
  notTls?: Buffer;
  end?: { how: 'EOF' | 'RST'; atMs: number };
  /** Whether any protected record could be decrypted with the keylog secrets. */
  decryptedAny: boolean;
  /** The first line of the server's HTTP/1.x answer, as sent (decrypted, or plain for http://). */
  httpStatusLine?: string;
}

interface DirectionState {
  splitter: RecordSplitter;
  handshake: HandshakeReassembler;
  changeCipherSpecSeen: boolean;
  /** TLS 1.3 decrypters: handshake traffic secret, then application traffic secret 0. */
  keys: (RecordDecrypter | undefined)[];
  keyIndex: number;
  /** TLS 1.2: the record protection after this direction's ChangeCipherSpec. */
  tls12Key?: Tls12RecordDecrypter;
}

function newDirection(): DirectionState {
  return { splitter: new RecordSplitter(), handshake: new HandshakeReassembler(), changeCipherSpecSeen: false, keys: [], keyIndex: 0 };
}

export function analyzeHandshake(wire: readonly WireEvent[], secrets?: Tls13Secrets): HandshakeAnalysis {
  const analysis: HandshakeAnalysis = {
    events: [],
    helloRetryRequest: false,
    alerts: [],
    certificateRequestSeen: false,
    serverCertificates: [],
    inboundBytes: 0,
    decryptedAny: false,
  };
  const directions = { out: newDirection(), in: newDirection() };
  let tls13 = false;
  let version: string | undefined;
  // Only a TLS 1.2 ServerHello makes ChangeCipherSpec mean "encrypted from here"; in TLS 1.3 (and
  // after a HelloRetryRequest) it is a compatibility no-op (RFC 8446 §D.4).
  const tls12 = () => analysis.serverHello !== undefined && !tls13;

  const push = (event: RecordEvent) => {
    const last = analysis.events[analysis.events.length - 1];
    // Coalesce runs of application data: a body is many records, one fact.
    if (
      last &&
      event.what === 'ApplicationData' &&
      last.what === 'ApplicationData' &&
      last.direction === event.direction &&
      last.encrypted === event.encrypted
    ) {
      last.bytes = (last.bytes ?? 0) + (event.bytes ?? 0);
      last.count = (last.count ?? 1) + 1;
      return;
    }
    analysis.events.push(version && !event.version ? { ...event, version } : event);
  };

  const onHandshakeMessage = (direction: 'out' | 'in', atMs: number, type: number, body: Buffer, decrypted: boolean) => {
    const event: RecordEvent = { atMs, direction, what: handshakeName(type), handshakeType: type, bytes: body.length + 4 };
    if (decrypted) event.decrypted = true;
    try {
      if (type === 1 && direction === 'out') {
        analysis.clientHello = parseClientHello(body);
        const ch = analysis.clientHello;
        event.detail = [ch.sni ? `SNI ${ch.sni}` : 'no SNI', ch.alpn.length ? `ALPN ${ch.alpn.join(',')}` : 'no ALPN', `versions ${ch.versions.join(',')}`].join(', ');
      } else if (type === 2 && direction === 'in') {
        const hello = parseServerHello(body);
        if (hello.helloRetryRequest) {
          analysis.helloRetryRequest = true;
          event.what = 'HelloRetryRequest';
          event.detail = `${hello.version}, ${hello.cipher}: the server wants another key share`;
        } else {
          analysis.serverHello = hello;
          version = hello.version;
          tls13 = hello.version === 'TLSv1.3';
          if (hello.alpn) analysis.serverAlpn = hello.alpn;
          event.detail = `${hello.version}, ${hello.cipher}${hello.alpn ? `, ALPN ${hello.alpn}` : ''}`;
          if (tls13 && secrets) {
            directions.in.keys = [
              RecordDecrypter.forSuite(hello.cipherSuite, secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET),
              RecordDecrypter.forSuite(hello.cipherSuite, secrets.SERVER_TRAFFIC_SECRET_0),
            ];
            directions.out.keys = [
              RecordDecrypter.forSuite(hello.cipherSuite, secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET),
              RecordDecrypter.forSuite(hello.cipherSuite, secrets.CLIENT_TRAFFIC_SECRET_0),
            ];
          }
        }
      } else if (type === 8) {
        const alpn = parseEncryptedExtensions(body).alpn;
        if (alpn && direction === 'in') analysis.serverAlpn = alpn;
        event.detail = alpn ? `ALPN ${alpn}` : 'no ALPN';
      } else if (type === 11) {
        const certificates = parseCertificateMessage(body, tls13);
        if (direction === 'in') analysis.serverCertificates = certificates;
        else analysis.clientCertificatesSent = certificates.length;
        event.detail = plural(certificates.length, 'certificate');
      } else if (type === 13 && direction === 'in') {
        analysis.certificateRequestSeen = true;
        event.detail = 'the server asks for a client certificate';
      }
    } catch (error) {
      event.detail = `malformed: ${(error as Error).message}`;
    }
    push(event);
    // A Finished under the handshake key means the next records use the application key.
    if (decrypted && type === 20) directions[direction].keyIndex = 1;
  };

  const onAlert = (direction: 'out' | 'in', atMs: number, fragment: Buffer, decrypted: boolean) => {
    try {
      const { level, code } = parseAlert(fragment);
      const alert = { level: alertLevel(level), code, description: alertName(code) };
      analysis.alerts.push({ direction, ...alert, decrypted });
      push({ atMs, direction, what: 'Alert', detail: `${alert.level} ${alert.description} (${code})`, alert, bytes: fragment.length, ...(decrypted ? { decrypted } : {}) });
    } catch (error) {
      push({ atMs, direction, what: 'Alert', detail: `malformed: ${(error as Error).message}` });
    }
  };

  /** TLS 1.2: every protected record goes through, in order, to keep the sequence number right. */
  const tryDecrypt12 = (state: DirectionState, record: TlsRecord): Buffer | undefined => {
    const plain = state.tls12Key?.decrypt(record.contentType, record.version, record.fragment);
    if (plain) analysis.decryptedAny = true;
    return plain;
  };

  const tryDecrypt = (state: DirectionState, record: TlsRecord) => {
    for (let index = state.keyIndex; index < state.keys.length; index++) {
      const key = state.keys[index];
      const inner = key?.decrypt(record.header, record.fragment);
      if (inner) {
        state.keyIndex = index;
        return inner;
      }
    }
    return undefined;
  };

  const onRecord = (direction: 'out' | 'in', atMs: number, record: TlsRecord) => {
    const state = directions[direction];
    switch (record.contentType) {
      case CONTENT_TYPE.handshake:
        if (state.changeCipherSpecSeen && tls12()) {
          const plain = tryDecrypt12(state, record);
          if (plain) {
            for (const message of state.handshake.push(plain)) onHandshakeMessage(direction, atMs, message.type, message.body, true);
            return;
          }
          // Without the keys: after ChangeCipherSpec the only handshake message is the Finished.
          push({ atMs, direction, what: 'Finished', handshakeType: 20, encrypted: true, bytes: record.fragment.length, detail: 'encrypted' });
          return;
        }
        for (const message of state.handshake.push(record.fragment)) onHandshakeMessage(direction, atMs, message.type, message.body, false);
        return;
      case CONTENT_TYPE.changeCipherSpec:
        state.changeCipherSpecSeen = true;
        if (tls12() && analysis.serverHello && analysis.clientHello) {
          state.tls12Key = Tls12RecordDecrypter.create(
            analysis.serverHello.cipherSuite,
            secrets?.CLIENT_RANDOM,
            analysis.clientHello.random,
            analysis.serverHello.random,
            direction,
          );
        }
        push({ atMs, direction, what: 'ChangeCipherSpec', bytes: record.fragment.length, ...(tls13 ? { detail: 'middlebox compatibility' } : {}) });
        return;
      case CONTENT_TYPE.alert:
        if (state.changeCipherSpecSeen && tls12()) {
          const plain = tryDecrypt12(state, record);
          if (plain) onAlert(direction, atMs, plain, true);
          else push({ atMs, direction, what: 'Alert', encrypted: true, bytes: record.fragment.length, detail: 'encrypted' });
          return;
        }
        onAlert(direction, atMs, record.fragment, false);
        return;
      case CONTENT_TYPE.applicationData: {
        if (tls12()) {
          const plain = tryDecrypt12(state, record);
          if (plain && direction === 'in') analysis.httpStatusLine ??= statusLineOf(plain);
          push({ atMs, direction, what: 'ApplicationData', bytes: plain?.length ?? record.fragment.length, ...(plain ? { decrypted: true } : { encrypted: true }) });
          return;
        }
        const inner = tls13 ? tryDecrypt(state, record) : undefined;
        if (!inner) {
          push({ atMs, direction, what: 'ApplicationData', encrypted: true, bytes: record.fragment.length });
          return;
        }
        analysis.decryptedAny = true;
        if (inner.contentType === CONTENT_TYPE.handshake) {
          for (const message of state.handshake.push(inner.content)) onHandshakeMessage(direction, atMs, message.type, message.body, true);
        } else if (inner.contentType === CONTENT_TYPE.alert) {
          onAlert(direction, atMs, inner.content, true);
        } else {
          if (direction === 'in') analysis.httpStatusLine ??= statusLineOf(inner.content);
          push({ atMs, direction, what: 'ApplicationData', decrypted: true, bytes: inner.content.length });
        }
        return;
      }
      default:
        push({ atMs, direction, what: `Record(${record.contentType})`, bytes: record.fragment.length });
    }
  };

  for (const event of wire) {
    if (event.kind === 'end') {
      analysis.end = { how: event.how, atMs: event.atMs };
      const before = analysis.inboundBytes === 0 ? 'before any byte from the server' : undefined;
      push({ atMs: event.atMs, direction: 'in', what: event.how, detail: event.detail ?? before });
      continue;
    }
    if (event.direction === 'in') {
      if (analysis.inboundBytes === 0) analysis.firstInboundAtMs = event.atMs;
      analysis.inboundBytes += event.bytes.length;
    }
    const state = directions[event.direction];
    const hadNotTls = Boolean(state.splitter.notTls);
    for (const record of state.splitter.push(event.bytes)) onRecord(event.direction, event.atMs, record);
    if (!hadNotTls && state.splitter.notTls) {
      if (event.direction === 'in') {
        analysis.notTls = state.splitter.notTls;
        analysis.httpStatusLine ??= statusLineOf(state.splitter.notTls);
      }
      push({ atMs: event.atMs, direction: event.direction, what: 'NotTLS', bytes: state.splitter.notTls.length, detail: printable(state.splitter.notTls) });
    }
  }
  return analysis;
}

/** The first line of non-TLS bytes, printable, for messages like "server replied: HTTP/1.1 400 Bad Request". */
export function printable(bytes: Buffer, max = 80): string {
  const text = bytes.subarray(0, 512).toString('latin1');
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  return firstLine.replace(/[^\x20-\x7e]/g, '.').slice(0, max);
}

/** `HTTP/1.0 200 ok` when the bytes start with an HTTP/1.x status line, else undefined. */
export function statusLineOf(bytes: Buffer): string | undefined {
  const line = bytes.subarray(0, 256).toString('latin1').split('\r\n', 1)[0] ?? '';
  return /^HTTP\/1\.[01] \d{3}(?: [\x20-\x7e]*)?$/.test(line) ? line : undefined;
}
