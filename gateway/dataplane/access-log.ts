// One access log line per request (and per TLS connection refused before any
// ServerHello), in logfmt: `key=value` pairs, values quoted when they need it.
// Greppable by eye (`grep flags=NR`) and by machine (parseLogfmt below).
// Lines are batched and written once per event-loop turn: a synchronous
// stdout write per request costs more than the proxying it describes.

/**
 * Response flags. Envoy's letters mean exactly what Envoy's %RESPONSE_FLAGS%
 * mean (a learner who moves to Envoy reads the same logs); where Envoy has no
 * flag for a case, the letters are ours and collide with none of Envoy's.
 * The table with both kinds: ARCHITECTURE.md, "Access-log response flags".
 */
export type ResponseFlag =
  // Envoy's
  | 'NR' // NoRouteFound: no route (or, on a plain port, no listener for the Host): 404
  | 'UH' // NoHealthyUpstream: no ready endpoint: 503
  | 'UF' // UpstreamConnectionFailure: TCP connect or TLS handshake to the backend failed: 503
  | 'UT' // UpstreamRequestTimeout: timeouts.request passed: 504
  | 'UC' // UpstreamConnectionTermination: the backend closed mid-response
  | 'DC' // DownstreamConnectionTermination: the client closed before the response completed
  | 'OM' // OverloadManager: refused by the proxy's connection limit
  // ours (Envoy has no flag for these)
  | 'MR' // misdirected: the Host belongs to another listener than the SNI chose: 421
  | 'NS' // TLS connection closed before ServerHello: no listener for the SNI
  | 'IB' // invalid backend reference: nothing was sent: 500
  | 'JW'; // refused by a JWT policy: 401 (Envoy's jwt_authn sets no flag)

export interface AccessLogEntry {
  time: string;
  /** Set when the listener port is served on another port (EACCES below 1024). */
  portMap?: string;
  port: number;
  sni?: string;
  listener?: string;
  proto?: string;
  method?: string;
  host?: string;
  path?: string;
  status?: number;
  flags: ResponseFlag[];
  route?: string;
  upstream?: string;
  /** The forward proxy's upstream TLS session cache mode (perSNI, shared, disabled). */
  upstreamSessionCache?: string;
  durationMs?: number;
  clientCert?: string;
  message?: string;
  error?: string;
}

const ORDER: (keyof AccessLogEntry)[] = [
  'time', 'port', 'portMap', 'sni', 'listener', 'proto', 'method', 'host', 'path', 'status', 'flags', 'route', 'upstream', 'upstreamSessionCache', 'durationMs', 'clientCert', 'message', 'error',
];
const KEY_NAMES: Partial<Record<keyof AccessLogEntry, string>> = { portMap: 'port_map', durationMs: 'duration_ms', clientCert: 'client_cert', upstreamSessionCache: 'upstream_session_cache' };

/**
 * Longest value one field of an access line keeps (a DNS name is at most 253
 * characters; a path or message past this is cut and says by how much). A
 * client chooses the SNI, Host and path: without a cap, a 60 KB SNI put 120 KB
 * into the pod log per connection.
 */
export const MAX_FIELD_CHARS = 256;

function capped(value: string): string {
  return value.length <= MAX_FIELD_CHARS ? value : `${value.slice(0, MAX_FIELD_CHARS)}…(+${value.length - MAX_FIELD_CHARS} chars)`;
}

function quote(value: string): string {
  if (value !== '' && /^[^\s"=\\]+$/.test(value)) return value;
  return JSON.stringify(value);
}

export function formatAccessLog(entry: AccessLogEntry): string {
  const parts: string[] = [];
  for (const key of ORDER) {
    const value = entry[key];
    if (value === undefined) continue;
    const name = KEY_NAMES[key] ?? key;
    if (key === 'flags') parts.push(`flags=${(value as ResponseFlag[]).length ? (value as ResponseFlag[]).join(',') : '-'}`);
    else parts.push(`${name}=${quote(capped(String(value)))}`);
  }
  return parts.join(' ');
}

/** Parses one logfmt line back into a record (for tests and the TUI). */
export function parseLogfmt(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of line.matchAll(re)) out[m[1]] = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
  return out;
}

export type LineSink = (line: string) => void;

/** Batches lines and hands them to the sink once per event-loop turn. */
export class AccessLog {
  private pending: string[] = [];
  private scheduled = false;
  constructor(private readonly sink: LineSink) {}

  write(entry: AccessLogEntry): void {
    this.pending.push(formatAccessLog(entry));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    for (const line of lines) this.sink(line);
  }
}

/** The default sink: stdout, one write per batch. */
export function stdoutSink(): LineSink {
  let batch: string[] = [];
  let scheduled = false;
  return (line) => {
    batch.push(line);
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      const text = batch.join('\n') + '\n';
      batch = [];
      process.stdout.write(text);
    });
  };
}
