// Sends the alert a real OpenSSL/BoringSSL gateway sends when it refuses a
// client certificate. node:tls cannot: its verify callback accepts every
// chain, OpenSSL finishes the handshake, and node then closes the socket
// without an alert (only a missing certificate gets OpenSSL's own
// certificate_required). So, for listeners that require a valid client
// certificate (AllowValidOnly), a byte-level Duplex (the probe's TapDuplex)
// sits between the TCP socket and node:tls. It watches the server's flight,
// holds the client's second flight, reads the client's Certificate message
// (TLS 1.3: decrypted with the client handshake traffic secret from the
// server's keylog; TLS 1.2: plaintext), checks the chain against the
// listener's CAs, and either lets the flight through untouched or answers
// with a fatal alert and closes, before OpenSSL ever sees the client's
// Finished. TLS 1.3: the alert is protected with the server application
// traffic secret, the key OpenSSL itself writes with after its Finished, at
// the sequence number of the records already sent under it (counted, not
// assumed). TLS 1.2: the server has not sent ChangeCipherSpec, so it is plaintext.
// Listeners without client validation never go through this.
import type net from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';
import {
  HandshakeReassembler,
  RecordSplitter,
  parseCertificateMessage,
  parseClientHello,
  parseServerHello,
  type ServerHelloInfo,
  type TlsRecord,
} from '../../source/probe/records.js';
import { TapDuplex, type TapObserver } from '../../source/probe/tap.js';
import { alertName } from '../../source/probe/tls-names.js';
import { RecordDecrypter, RecordEncrypter, addKeylogLine, type KeylogSecrets } from '../../source/probe/tls13-decrypt.js';
import { trustedCertificates, verifyClientChain } from './client-cert-verify.js';

const HANDSHAKE = 22;
const ALERT_RECORD = 21;
const CHANGE_CIPHER_SPEC = 20;
const APPLICATION_DATA = 23;
const CLIENT_HELLO = 1;
const SERVER_HELLO = 2;
const CERTIFICATE = 11;
const FINISHED = 20;
const FATAL = 2;
const ALERT_HANDSHAKE_FAILURE = 40;
const ALERT_CERTIFICATE_REQUIRED = 116;
/**
 * After the alert the gateway stops writing (FIN) but reads and discards what
 * the client still sends, for at most this long: a TLS 1.3 client believes its
 * handshake is done and writes its request; closing at once would make the
 * kernel answer that write with a reset, and the client would report a broken
 * pipe instead of reading the alert.
 */
const LINGER_MS = 2000;
/** A client that has not sent its certificate within this many bytes is not one we hold back further. */
const MAX_HELD_BYTES = 256 * 1024;

export interface ClientCertRefusal {
  alert: number;
  alertName: string;
  reason: string;
  version: string;
}

export class ClientCertificateRefused extends Error {
  constructor(readonly refusal: ClientCertRefusal) {
    super(`client certificate refused with alert ${refusal.alertName} (${refusal.alert}): ${refusal.reason}`);
  }
}

export interface ClientCertGateOptions {
  trusted: readonly X509Certificate[];
  /** Called with the ClientHello's random (hex) so the server's keylog lines can be routed here. */
  register(clientRandomHex: string, gate: ClientCertGate): void;
  unregister(clientRandomHex: string): void;
  now?: () => Date;
}

type State = 'hello' | 'holding' | 'open' | 'refused';

export class ClientCertGate implements TapObserver {
  readonly tap: TapDuplex;
  private state: State = 'hello';
  private readonly secrets: KeylogSecrets = {};
  private readonly inRecords = new RecordSplitter();
  private readonly outRecords = new RecordSplitter();
  private readonly inHandshake = new HandshakeReassembler();
  private readonly outHandshake = new HandshakeReassembler();
  private serverHello?: ServerHelloInfo;
  /** Server records after its ServerHello (TLS 1.3: to count what went out under the application key). */
  private readonly serverFlight: TlsRecord[] = [];
  /** The client's bytes held back, exactly as received, and the records in them not yet read. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private unread: TlsRecord[] = [];
  private clientDecrypter?: RecordDecrypter;
  private clientRandomHex?: string;

  constructor(
    private readonly raw: net.Socket,
    private readonly options: ClientCertGateOptions,
  ) {
    this.tap = new TapDuplex(raw, this);
    this.tap.once('close', () => this.forget());
  }

  /** A keylog line of the server for this connection (NSS key log format). */
  addKeylog(line: Buffer | string): void {
    addKeylogLine(this.secrets, line);
    if (this.state === 'holding') this.readHeld();
  }

  onData(direction: 'out' | 'in', bytes: Buffer): void {
    if (direction !== 'out' || this.state === 'open' || this.state === 'refused') return;
    for (const record of this.outRecords.push(bytes)) {
      if (this.serverHello) {
        this.serverFlight.push(record);
        continue;
      }
      if (record.contentType !== HANDSHAKE) continue;
      for (const message of this.outHandshake.push(record.fragment)) {
        if (message.type !== SERVER_HELLO) continue;
        const hello = safely(() => parseServerHello(message.body));
        if (!hello) return this.open();
        if (hello.helloRetryRequest) continue;
        this.serverHello = hello;
        this.state = 'holding';
      }
    }
    if (this.outRecords.notTls) this.open();
  }

  onEnd(): void {
    this.forget();
  }

  admitInbound(bytes: Buffer): Buffer | undefined {
    if (this.state === 'open') return bytes;
    if (this.state === 'refused') return undefined;
    const records = this.inRecords.push(bytes);
    if (this.state === 'hello') {
      for (const record of records) if (record.contentType === HANDSHAKE) this.readClientHello(record);
      if (this.inRecords.notTls) this.open();
      return bytes;
    }
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    this.unread.push(...records);
    if (this.inRecords.notTls || this.heldBytes > MAX_HELD_BYTES) this.open();
    else this.readHeld();
    return undefined;
  }

  private readClientHello(record: TlsRecord): void {
    for (const message of this.inHandshake.push(record.fragment)) {
      if (message.type !== CLIENT_HELLO || this.clientRandomHex) continue;
      const hello = safely(() => parseClientHello(message.body));
      if (!hello) continue;
      this.clientRandomHex = hello.random.toString('hex');
      this.options.register(this.clientRandomHex, this);
    }
  }

  /** Reads the held records in order until the client's first handshake message after ServerHello decides. */
  private readHeld(): void {
    const hello = this.serverHello!;
    const tls13 = hello.version === 'TLSv1.3';
    while (this.state === 'holding' && this.unread.length > 0) {
      const record = this.unread[0]!;
      let handshake: Buffer | undefined;
      if (tls13) {
        if (record.contentType === CHANGE_CIPHER_SPEC) {
          this.unread.shift();
          continue;
        }
        if (record.contentType !== APPLICATION_DATA) return this.open();
        this.clientDecrypter ??= RecordDecrypter.forSuite(hello.cipherSuite, this.secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET);
        // The key log line comes with the server's flight; until it is here, wait.
        if (!this.clientDecrypter) return;
        const plain = this.clientDecrypter.decrypt(record.header, record.fragment);
        if (!plain || plain.contentType !== HANDSHAKE) return this.open();
        handshake = plain.content;
      } else {
        if (record.contentType !== HANDSHAKE) return this.open();
        handshake = record.fragment;
      }
      this.unread.shift();
      const [first] = this.afterServerHello.push(handshake);
      if (!first) continue;
      // Anything but a Certificate (a resumed session goes straight to Finished) is OpenSSL's to judge.
      if (first.type !== CERTIFICATE) return this.open();
      const chain = safely(() => parseCertificateMessage(first.body, tls13));
      if (!chain) return this.open();
      // No certificate: what OpenSSL answers with SSL_VERIFY_FAIL_IF_NO_PEER_CERT (statem_srvr.c,
      // tls_process_client_certificate): certificate_required in TLS 1.3, handshake_failure in TLS 1.2.
      if (chain.length === 0) return this.refuse(tls13 ? ALERT_CERTIFICATE_REQUIRED : ALERT_HANDSHAKE_FAILURE, 'the client sent no certificate');
      const verdict = verifyClientChain(chain, this.options.trusted, this.options.now?.());
      if (verdict.ok) return this.open();
      return this.refuse(verdict.alert, verdict.reason);
    }
  }

  private readonly afterServerHello = new HandshakeReassembler();

  /** Lets the held bytes through and steps aside for the rest of the connection. */
  private open(): void {
    if (this.state === 'open' || this.state === 'refused') return;
    this.state = 'open';
    const held = this.held;
    this.held = [];
    this.unread = [];
    this.forget();
    for (const bytes of held) this.tap.deliver(bytes);
  }

  private refuse(alert: number, reason: string): void {
    const hello = this.serverHello!;
    const body = Buffer.from([FATAL, alert]);
    let record: Buffer | undefined;
    if (hello.version === 'TLSv1.3') {
      const sequence = this.applicationRecordsSent(hello);
      record = sequence === undefined ? undefined : RecordEncrypter.forSuite(hello.cipherSuite, this.secrets.SERVER_TRAFFIC_SECRET_0, BigInt(sequence))?.encrypt(ALERT_RECORD, body);
      // Without the keys (never expected) the honest fallback is OpenSSL's own path.
      if (!record) return this.open();
    } else {
      record = Buffer.concat([Buffer.from([ALERT_RECORD, 3, 3, 0, 2]), body]);
    }
    this.state = 'refused';
    this.held = [];
    this.unread = [];
    this.forget();
    const refusal: ClientCertRefusal = { alert, alertName: alertName(alert), reason, version: hello.version };
    const raw = this.tap.detach();
    // node:tls sees its transport fail with this error and reports it as a tlsClientError.
    this.tap.destroy(new ClientCertificateRefused(refusal));
    lingerAfter(raw, record);
  }

  /**
   * TLS 1.3: how many records the server sent under its application traffic
   * secret, i.e. after the record holding its Finished (read with the server
   * handshake secret). Undefined when the Finished cannot be found.
   */
  private applicationRecordsSent(hello: ServerHelloInfo): number | undefined {
    const decrypter = RecordDecrypter.forSuite(hello.cipherSuite, this.secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET);
    if (!decrypter) return undefined;
    const messages = new HandshakeReassembler();
    for (let i = 0; i < this.serverFlight.length; i++) {
      const record = this.serverFlight[i]!;
      if (record.contentType !== APPLICATION_DATA) continue;
      const plain = decrypter.decrypt(record.header, record.fragment);
      if (!plain) return undefined;
      if (plain.contentType !== HANDSHAKE) continue;
      if (messages.push(plain.content).some((m) => m.type === FINISHED)) {
        return this.serverFlight.slice(i + 1).filter((r) => r.contentType === APPLICATION_DATA).length;
      }
    }
    return undefined;
  }

  private forget(): void {
    if (this.clientRandomHex) this.options.unregister(this.clientRandomHex);
  }
}

/**
 * For a TLS server that must refuse invalid client certificates: returns what
 * to hand the server instead of each TCP socket (`server.emit('connection', …)`),
 * and routes the server's keylog lines to the gate of their connection by the
 * ClientHello random they carry.
 */
export function clientCertGateFor(server: tls.Server, caPem: string): (raw: net.Socket) => TapDuplex {
  const byClientRandom = new Map<string, ClientCertGate>();
  server.on('keylog', (line: Buffer) => {
    const clientRandom = line.toString('latin1').split(' ')[1];
    if (clientRandom) byClientRandom.get(clientRandom.toLowerCase())?.addKeylog(line);
  });
  const options: ClientCertGateOptions = {
    trusted: trustedCertificates(caPem),
    register: (random, gate) => void byClientRandom.set(random, gate),
    unregister: (random) => void byClientRandom.delete(random),
  };
  return (raw) => new ClientCertGate(raw, options).tap;
}

/** Sends the last record, half-closes, drains the client for a bounded time, then closes. */
function lingerAfter(raw: net.Socket, lastRecord: Buffer): void {
  const close = () => {
    clearTimeout(timer);
    raw.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  raw.on('data', () => undefined);
  raw.once('end', close);
  raw.once('error', close);
  raw.end(lastRecord);
  raw.resume();
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
