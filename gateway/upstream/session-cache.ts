// TLS session resumption towards upstreams, keyed by the SNI we send (plus
// the trust configuration). Envoy kept one cache per TLS context, so a
// connection to host B offered host A's session and a server answering both
// names resumed it — B's connection then carried A's certificate and failed
// the name check (envoyproxy/envoy issue 46243, fixed by PR 45982 "tls: scope
// upstream session cache by sni"). Keying by SNI is the fix ('sni', the API's
// perSNI); 'shared' keeps Envoy's old behaviour for the forward-proxy lesson.
import { createHash } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { UpstreamTlsIR } from '../ir/types.js';

/** Ids by IR object: IR is immutable once built, and pool keys ask for the id on every request. */
const configIds = new WeakMap<UpstreamTlsIR, string>();

/** Everything that makes two TLS client configurations different, hashed (once per IR object). */
export function tlsConfigId(tls: UpstreamTlsIR): string {
  let id = configIds.get(tls);
  if (id === undefined) {
    id = hashTlsConfig(tls);
    configIds.set(tls, id);
  }
  return id;
}

function hashTlsConfig(tls: UpstreamTlsIR): string {
  const h = createHash('sha256');
  h.update(tls.caPem ?? '');
  h.update('\0');
  h.update(tls.useSystemCAs ? 'system' : '');
  h.update('\0');
  h.update(JSON.stringify(tls.subjectAltNames ?? []));
  h.update('\0');
  h.update(tls.clientCertificate?.certPem ?? '');
  h.update('\0');
  h.update(JSON.stringify(tls.alpnProtocols ?? []));
  return h.digest('base64url').slice(0, 16);
}

export function sessionCacheKey(sni: string, configId: string): string {
  return `${sni.toLowerCase()}|${configId}`;
}

/** The one slot every name of a TLS configuration shares in 'shared' mode (configId does not hash the SNI). */
export function sharedSessionKey(configId: string): string {
  return `*|${configId}`;
}

/**
 * A saved session, the SNI of the connection that made it and the server certificate it stands on:
 * node:tls shows no peer certificate on a resumed connection, yet that certificate is what authenticates it.
 */
export interface SavedSession {
  session: Buffer;
  sni: string;
  peer?: PeerCertificate;
}

/** A small LRU of TLS session tickets. */
export class TlsSessionCache {
  private readonly sessions = new Map<string, SavedSession>();
  constructor(private readonly maxEntries = 1024) {}

  get(key: string): SavedSession | undefined {
    const s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key);
      this.sessions.set(key, s);
    }
    return s;
  }

  set(key: string, session: SavedSession): void {
    this.sessions.delete(key);
    this.sessions.set(key, session);
    if (this.sessions.size > this.maxEntries) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
  }

  delete(key: string): void {
    this.sessions.delete(key);
  }

  get size(): number {
    return this.sessions.size;
  }
}
