// Names for the numbers that appear on the wire (RFC 8446 §4, §6; RFC 5246 §7),
// and the labels curl -v prints for them (curl lib/vtls/openssl.c).

export const CONTENT_TYPE = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
} as const;

export const ALERT_DESCRIPTIONS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

/**
 * OpenSSL 3.0's SSL_alert_desc_string_long, which curl -v prints: note
 * "unexpected_message" and "unknown CA" as OpenSSL spells them, and "unknown"
 * for the alerts OpenSSL 3.0 has no text for (certificate_required,
 * missing_extension, inappropriate_fallback).
 */
const OPENSSL_ALERT_TEXT: Record<number, string> = {
  0: 'close notify',
  10: 'unexpected_message',
  20: 'bad record mac',
  21: 'decryption failed',
  22: 'record overflow',
  30: 'decompression failure',
  40: 'handshake failure',
  41: 'no certificate',
  42: 'bad certificate',
  43: 'unsupported certificate',
  44: 'certificate revoked',
  45: 'certificate expired',
  46: 'certificate unknown',
  47: 'illegal parameter',
  48: 'unknown CA',
  49: 'access denied',
  50: 'decode error',
  51: 'decrypt error',
  60: 'export restriction',
  70: 'protocol version',
  71: 'insufficient security',
  80: 'internal error',
  90: 'user canceled',
  100: 'no renegotiation',
  110: 'unsupported extension',
  111: 'certificate unobtainable',
  112: 'unrecognized name',
  113: 'bad certificate status response',
  114: 'bad certificate hash value',
  115: 'unknown PSK identity',
  120: 'no application protocol',
};

/**
 * An alert as curl -v labels it: OpenSSL's text, then level × 256 + code in
 * parentheses (curl lib/vtls/openssl.c), e.g. `unknown CA (560)`, `close notify (256)`.
 */
export function curlAlertLabel(level: 'warning' | 'fatal', code: number): string {
  return `${OPENSSL_ALERT_TEXT[code] ?? 'unknown'} (${(level === 'warning' ? 1 : 2) * 256 + code})`;
}

/** Whether curl (OpenSSL 3.0) prints this alert only as "unknown", so the trace should name it. */
export function curlAlertUnnamed(code: number): boolean {
  return OPENSSL_ALERT_TEXT[code] === undefined;
}

export function alertName(code: number): string {
  return ALERT_DESCRIPTIONS[code] ?? `unknown_alert_${code}`;
}

export function alertLevel(level: number): 'warning' | 'fatal' {
  return level === 1 ? 'warning' : 'fatal';
}

/** Handshake message types: spec name and curl -v label. */
export const HANDSHAKE_TYPES: Record<number, { name: string; curl: string }> = {
  0: { name: 'HelloRequest', curl: 'Hello request' },
  1: { name: 'ClientHello', curl: 'Client hello' },
  2: { name: 'ServerHello', curl: 'Server hello' },
  4: { name: 'NewSessionTicket', curl: 'Newsession Ticket' },
  5: { name: 'EndOfEarlyData', curl: 'End of early data' },
  8: { name: 'EncryptedExtensions', curl: 'Encrypted Extensions' },
  11: { name: 'Certificate', curl: 'Certificate' },
  12: { name: 'ServerKeyExchange', curl: 'Server key exchange' },
  13: { name: 'CertificateRequest', curl: 'Request CERT' },
  14: { name: 'ServerHelloDone', curl: 'Server finished' },
  15: { name: 'CertificateVerify', curl: 'CERT verify' },
  16: { name: 'ClientKeyExchange', curl: 'Client key exchange' },
  20: { name: 'Finished', curl: 'Finished' },
  22: { name: 'CertificateStatus', curl: 'Certificate Status' },
  24: { name: 'KeyUpdate', curl: 'Key update' },
  254: { name: 'MessageHash', curl: 'Message hash' },
};

export function handshakeName(type: number): string {
  return HANDSHAKE_TYPES[type]?.name ?? `Handshake(${type})`;
}

export function curlHandshakeLabel(type: number): string {
  return HANDSHAKE_TYPES[type]?.curl ?? 'Unknown';
}

export function versionName(version: number): string {
  switch (version) {
    case 0x0300:
      return 'SSLv3';
    case 0x0301:
      return 'TLSv1';
    case 0x0302:
      return 'TLSv1.1';
    case 0x0303:
      return 'TLSv1.2';
    case 0x0304:
      return 'TLSv1.3';
    default:
      return `0x${version.toString(16).padStart(4, '0')}`;
  }
}

/** IANA names of the suites a modern client offers (RFC 8446 B.4, RFC 5289, RFC 7905). */
const CIPHER_SUITES: Record<number, string> = {
  0x1301: 'TLS_AES_128_GCM_SHA256',
  0x1302: 'TLS_AES_256_GCM_SHA384',
  0x1303: 'TLS_CHACHA20_POLY1305_SHA256',
  0x1304: 'TLS_AES_128_CCM_SHA256',
  0x1305: 'TLS_AES_128_CCM_8_SHA256',
  0xc02b: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  0xc02c: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  0xc02f: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  0xc030: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  0xcca8: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  0xcca9: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  0x009e: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  0x009f: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  0x009c: 'TLS_RSA_WITH_AES_128_GCM_SHA256',
  0x009d: 'TLS_RSA_WITH_AES_256_GCM_SHA384',
  0xc013: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  0xc014: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  0x002f: 'TLS_RSA_WITH_AES_128_CBC_SHA',
  0x0035: 'TLS_RSA_WITH_AES_256_CBC_SHA',
  0x00ff: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
};

export function cipherSuiteName(code: number): string {
  return CIPHER_SUITES[code] ?? `0x${code.toString(16).padStart(4, '0')}`;
}

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest. */
export const HELLO_RETRY_REQUEST_RANDOM = Buffer.from(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
  'hex',
);

export const EXTENSION = {
  serverName: 0,
  alpn: 16,
  sessionTicket: 35,
  preSharedKey: 41,
  supportedVersions: 43,
  keyShare: 51,
} as const;
