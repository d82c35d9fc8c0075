// One access log line per request (and per TLS connection refused before any
// ServerHello), in logfmt: `key=value` pairs, values quoted when they need it.
// Greppable by eye (`grep flags=NR`) and by machine (parseLogfmt below).
// Lines are batched and written once per event-loop turn: a synchronous
// stdout write per request costs more than the proxying it describes.

/** Response flags, Envoy's vocabulary. */
export type ResponseFlag =
  | 'NR' // no route (or no listener for the Host on a plain port)
  | 'UH' // no healthy upstream (no endpoints)
  | 'UF' // upstream connect failure
  | 'UT' // upstream TLS failure (verification, handshake)
  | 'UTO' // request timeout
  | 'UC' // upstream closed / reset mid-response
  | 'MR' // misdirected: Host belongs to another listener than the SNI chose
  | 'DC' // downstream closed before the response completed
  | 'UAEX' // unauthorized by policy (JWT)
  | 'DR' // direct response (fixed answer from the route)
  | 'IB' // invalid backend reference
  | 'NS' // TLS connection refused: no listener for the SNI
  | 'OM'; // refused by overload protection: the proxy's connection limit

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
