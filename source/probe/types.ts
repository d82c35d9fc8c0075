// What a probe observed: data only. Renderers (curl -v text, JSON, the TUI)
// and the explainer read it; nothing here knows how it will be shown.

export interface ProbeRequest {
  url: string;
  /** curl --resolve host:port:addr entries. */
  resolve?: string[];
  /** curl --connect-to HOST1:PORT1:HOST2:PORT2 entries. */
  connectTo?: string[];
  /** SNI override; `null` sends no SNI; absent uses the URL host (unless it is an IP). */
  sni?: string | null;
  /** CA bundle PEM file path (curl --cacert). */
  caFile?: string;
  /** Client certificate and key files (curl --cert/--key). */
  certFile?: string;
  keyFile?: string;
  insecure?: boolean;
  /** ALPN offered: ['h2','http/1.1'] by default for https. */
  alpn?: string[];
  httpVersion?: '1.1' | '2';
  method?: string;
  headers?: [string, string][];
  body?: string;
  tlsMinVersion?: 'TLSv1.2' | 'TLSv1.3';
  tlsMaxVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxTimeMs?: number;
}

export type ProbeOutcome =
  | 'established' // TLS (or plain TCP) up and an HTTP answer came back
  | 'closed-after-client-hello' // EOF before any server byte: e.g. no listener for that SNI
  | 'reset-after-client-hello' // RST before any server byte
  | 'alert' // the server sent a TLS alert
  | 'verification-failed' // the client rejected the server certificate
  | 'client-certificate-required' // the server wanted a client certificate and none was sent
  | 'client-certificate-rejected' // the server rejected the client certificate sent
  | 'not-tls' // the server answered with something that is not TLS (e.g. plain HTTP)
  | 'refused'
  | 'timeout'
  | 'http-error' // TLS fine, HTTP exchange failed (protocol error, reset mid-response)
  | 'dns-failure'
  | 'local-error'; // the probe could not load its own files (client certificate/key: curl 58; CA file: curl 77)

export interface RecordEvent {
  /** Milliseconds since the start of the probe. */
  atMs: number;
  direction: 'out' | 'in';
  /** e.g. 'ClientHello', 'ServerHello', 'HelloRetryRequest', 'ChangeCipherSpec', 'Alert', 'ApplicationData', 'EOF', 'RST'. */
  what: string;
  detail?: string;
  /** Protocol version label for the record (negotiated when known), e.g. 'TLSv1.3'. */
  version?: string;
  /** Bytes on the wire (record payloads, or a data chunk) and how many records were coalesced. */
  bytes?: number;
  count?: number;
  /** Seen only as ciphertext: the probe cannot tell what is inside. */
  encrypted?: boolean;
  /** Read by decrypting the probe's own TLS 1.3 records with its keylog secrets. */
  decrypted?: boolean;
  /** Handshake message type number (RFC 8446 §4), when this is a handshake message. */
  handshakeType?: number;
  alert?: { level: 'warning' | 'fatal'; code: number; description: string };
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  notBefore: string;
  notAfter: string;
  sha256Fingerprint: string;
  serialNumber: string;
  isCA: boolean;
}

export interface ProbeResult {
  request: ProbeRequest;
  outcome: ProbeOutcome;
  /** One-line, curl-like summary of the failure, when any. */
  error?: string;
  /** curl's exit status for this outcome (0 when an HTTP answer came back). */
  curlExitCode: number;
  connect?: { address: string; port: number; localAddress?: string; ms: number };
  /** What the probe's ClientHello carried. `offersSession`: a saved session was offered for resumption (absent before the hello was read). */
  clientHello?: { sni?: string; alpn: string[]; versions: string[]; offersSession?: boolean };
  records: RecordEvent[];
  tls?: {
    version?: string; // 'TLSv1.3'
    /** As OpenSSL names it, which is what curl prints (ECDHE-RSA-AES256-GCM-SHA384; TLS_AES_256_GCM_SHA384 in TLS 1.3). */
    cipher?: string;
    alpn?: string | false;
    resumed: boolean;
    serverHello?: { version: string; cipher: string };
    helloRetryRequest: boolean;
    alert?: { level: 'warning' | 'fatal'; description: string; code: number; direction: 'in' | 'out' };
    peerChain: CertificateSummary[];
    verification: {
      trusted: boolean;
      nameMatched: boolean;
      expired: boolean;
      /** node/OpenSSL code, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID. */
      errorCode?: string;
      /** curl's words for the failure (`SSL certificate problem: …`, `SSL: … does not match target host name …`). */
      reason?: string;
      /** Which identifier the name was checked against: DNS/IP subjectAltNames, or the CN when the certificate has none. */
      nameCheckedAgainst?: 'subjectAltName' | 'commonName';
      /** The leaf's subject CN, when it has one. */
      commonName?: string;
    };
    clientCertificate: {
      requested: boolean;
      sent: boolean;
      /** How `requested` is known: 'CertificateRequest' seen (plaintext or decrypted), or inferred from an alert. */
      evidence?: string;
      /** The client certificate configured (--cert), when one was. */
      subject?: string;
      issuer?: string;
    };
  };
  http?: {
    version: '1.1' | '2';
    status: number;
    /** The HTTP/1.x status line as the server sent it (`HTTP/1.0 200 ok`), read from the probe's own decrypted records. */
    statusLine?: string;
    headers: Record<string, string | string[]>;
    /** Body text, truncated to a few KiB. */
    body: string;
    bodyTruncated: boolean;
    /** Request headers as sent (name, value), for renderers. */
    requestHeaders?: [string, string][];
    /** Gateway response flags when the response carries them (e.g. x-envoy-response-flags: UF). */
    responseFlags?: string;
  };
  /** Text of the raw bytes when the peer did not speak TLS (e.g. an HTTP/1.1 400 reply), truncated. */
  notTlsPreview?: string;
  timings: { connectMs?: number; tlsMs?: number; firstByteMs?: number; totalMs: number };
}
