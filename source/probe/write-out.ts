// curl's -w/--write-out: the variables scripts in lab texts use, from the
// recorded result (`curl -s -o /dev/null -w "%{http_code}" URL`).
import type { ProbeResult } from './types.js';

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(6);

const VARIABLES: Record<string, (r: ProbeResult) => string> = {
  http_code: (r) => String(r.http?.status ?? 0).padStart(3, '0'),
  response_code: (r) => String(r.http?.status ?? 0).padStart(3, '0'),
  exitcode: (r) => String(r.curlExitCode),
  errormsg: (r) => r.error ?? '',
  http_version: (r) => (r.http ? (r.http.version === '2' ? '2' : '1.1') : '0'),
  remote_ip: (r) => r.connect?.address ?? '',
  remote_port: (r) => (r.connect ? String(r.connect.port) : ''),
  local_ip: (r) => r.connect?.localAddress ?? '',
  scheme: (r) => new URL(r.request.url).protocol.replace(':', '').toUpperCase(),
  url: (r) => r.request.url,
  url_effective: (r) => r.request.url,
  ssl_verify_result: (r) => (r.tls?.verification.trusted && r.tls.verification.nameMatched ? '0' : r.tls ? '1' : '0'),
  time_connect: (r) => seconds(r.timings.connectMs),
  time_appconnect: (r) => seconds(r.timings.tlsMs),
  time_starttransfer: (r) => seconds(r.timings.firstByteMs),
  time_total: (r) => seconds(r.timings.totalMs),
  size_download: (r) => String(Buffer.byteLength(r.http?.body ?? '')),
};

/** Expands %{name} variables and \n, \r, \t escapes, as curl does; unknown variables expand to nothing. */
export function renderWriteOut(format: string, result: ProbeResult): string {
  return format
    .replace(/%\{([a-z_]+)\}/g, (_, name: string) => VARIABLES[name]?.(result) ?? '')
    .replace(/%%/g, '%')
    .replace(/\\([nrt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : '\\'));
}
