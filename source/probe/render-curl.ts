// A ProbeResult as `curl -v` prints it, from the recorded facts. Lines curl
// cannot show (records the probe could only see encrypted, EOF/RST) are
// marked as the probe's own; nothing here is invented.
import { urlHostPort } from './target.js';
import { curlHandshakeLabel } from './tls-names.js';
import type { CertificateSummary, ProbeResult, RecordEvent } from './types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** OpenSSL's ASN1_TIME_print form, as curl shows it: `Jan 23 18:46:30 2026 GMT`. */
export function opensslDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${date.getUTCFullYear()} GMT`;
}

/**
 * Records curl -v does not print (OpenSSL's message callback does not report
 * them to it): the server's ChangeCipherSpec and, in TLS 1.2, its session
 * ticket. The probe saw them on the wire, so it shows them, marked as its own.
 */
function curlOmits(event: RecordEvent, version: string): boolean {
  if (event.direction !== 'in') return false;
  if (event.what === 'ChangeCipherSpec') return true;
  return event.handshakeType === 4 && (event.version ?? version) === 'TLSv1.2';
}

function recordLine(event: RecordEvent, version: string): string | undefined {
  const dir = event.direction === 'out' ? 'OUT' : 'IN';
  const prefix = curlOmits(event, version) ? `* [probe] ${event.version ?? version} (${dir}),` : `* ${event.version ?? version} (${dir}),`;
  if (event.handshakeType !== undefined && !event.encrypted) {
    const label = event.what === 'HelloRetryRequest' ? 'Hello retry request' : curlHandshakeLabel(event.handshakeType);
    return `${prefix} TLS handshake, ${label} (${event.handshakeType}):`;
  }
  switch (event.what) {
    case 'Finished':
      return `${prefix} TLS handshake, Finished (20): [encrypted]`;
    case 'ChangeCipherSpec':
      return `${prefix} TLS change cipher, Change cipher spec (1):${curlOmits(event, version) && event.detail ? ` [${event.detail}]` : ''}`;
    case 'Alert':
      return event.alert ? `${prefix} TLS alert, ${event.alert.level} ${event.alert.description} (${event.alert.code}):` : `${prefix} TLS alert, [encrypted]:`;
    case 'ApplicationData':
      // curl does not print application data records; encrypted ones are the probe's note of what it could not read.
      return event.encrypted ? `* [probe] ${dir}: ${event.bytes ?? 0} bytes of encrypted records (${event.count ?? 1}), contents not visible` : undefined;
    case 'EOF':
      return `* [probe] IN: EOF (the server closed the connection)${event.detail ? `, ${event.detail}` : ''}`;
    case 'RST':
      return `* [probe] IN: RST (the server reset the connection)${event.detail && !event.detail.startsWith('read ') ? `, ${event.detail}` : ''}`;
    case 'NotTLS':
      return `* [probe] ${dir}: not TLS: "${event.detail ?? ''}"`;
    default:
      return `* [probe] ${dir}: ${event.what}${event.detail ? ` ${event.detail}` : ''}`;
  }
}

function subjectAltNameLine(result: ProbeResult, leaf: CertificateSummary): string {
  const name = result.clientHello?.sni ?? new URL(result.request.url).hostname;
  const names = leaf.subjectAltNames.map((s) => s.replace(/^(DNS|IP Address):/, ''));
  const verification = result.tls?.verification;
  if (verification?.nameMatched) {
    const match = names.find((n) => n.toLowerCase() === name.toLowerCase()) ?? names.find((n) => n.startsWith('*.')) ?? names[0] ?? name;
    return `*  subjectAltName: host "${name}" matched cert's "${match}"`;
  }
  return `*  subjectAltName does not match ${name} (certificate names: ${names.join(', ') || 'none'})`;
}

export interface RenderCurlOptions {
  /** Append the response body (default true). */
  body?: boolean;
}

export function renderCurlVerbose(result: ProbeResult, options: RenderCurlOptions = {}): string {
  const lines: string[] = [];
  const url = new URL(result.request.url);
  const { host, port } = urlHostPort(url);
  const tls = result.tls;
  const version = tls?.version ?? 'TLSv1.3';

  if (result.connect) {
    lines.push(`*   Trying ${result.connect.address}:${result.connect.port}...`);
    lines.push(`* Connected to ${host} (${result.connect.address}) port ${result.connect.port}`);
  } else if (result.outcome === 'refused' || result.outcome === 'dns-failure' || result.outcome === 'timeout') {
    lines.push(`*   Trying ${host}:${port}...`);
  }
  // Records after the handshake (session tickets, a TLS 1.3 alert about the client certificate, EOF)
  // are printed after the request, where curl prints them.
  const handshakeEnd = result.timings.tlsMs;
  const handshakeRecords = result.records.filter((r) => handshakeEnd === undefined || r.atMs <= handshakeEnd);
  const laterRecords = result.records.filter((r) => handshakeEnd !== undefined && r.atMs > handshakeEnd);
  if (url.protocol === 'https:' && result.connect) {
    const alpn = result.clientHello?.alpn ?? [];
    if (alpn.length) lines.push(`* ALPN: curl offers ${alpn.join(',')}`);
    if (result.clientHello && result.clientHello.sni === undefined) lines.push('* [probe] no SNI sent');
    for (const event of handshakeRecords) {
      const line = recordLine(event, version);
      if (line) lines.push(line);
    }
  } else {
    for (const event of result.records) {
      if (event.what === 'EOF' || event.what === 'RST' || event.what === 'NotTLS') {
        const line = recordLine(event, version);
        if (line) lines.push(line);
      }
    }
  }

  const handshakeDone = tls?.verification && tls.peerChain.length > 0 && tls.version;
  if (tls && handshakeDone && result.timings.tlsMs !== undefined) {
    lines.push(`* SSL connection using ${tls.version} / ${tls.cipher ?? 'unknown cipher'}`);
    if (result.clientHello?.alpn.length) lines.push(tls.alpn ? `* ALPN: server accepted ${tls.alpn}` : '* ALPN: server did not agree on a protocol. Uses default.');
    if (tls.resumed) lines.push('* SSL re-using session ID');
    const leaf = tls.peerChain[0];
    if (leaf) {
      lines.push('* Server certificate:');
      lines.push(`*  subject: ${leaf.subject}`);
      lines.push(`*  start date: ${opensslDate(leaf.notBefore)}`);
      lines.push(`*  expire date: ${opensslDate(leaf.notAfter)}`);
      lines.push(subjectAltNameLine(result, leaf));
      lines.push(`*  issuer: ${leaf.issuer}`);
    }
    const v = tls.verification;
    if (v.trusted && v.nameMatched) lines.push('*  SSL certificate verify ok.');
    else if (result.request.insecure) lines.push(`*  SSL certificate verify result: ${(v.reason ?? 'failed').replace(/^SSL certificate problem: /, '')}, continuing anyway.`);
    else if (v.reason) lines.push(`* ${v.reason}`);
  }

  if (result.http) {
    const requestLine = `${result.request.method ?? (result.request.body !== undefined ? 'POST' : 'GET')} ${url.pathname}${url.search} HTTP/${result.http.version === '2' ? '2' : '1.1'}`;
    lines.push(`> ${requestLine}`);
    for (const [name, value] of result.http.requestHeaders ?? []) lines.push(`> ${name}: ${value}`);
    lines.push('> ');
    if (result.request.body !== undefined) lines.push(`* [probe] sent ${Buffer.byteLength(result.request.body)} bytes of request body`);
  } else if (laterRecords.length && result.tls && result.timings.tlsMs !== undefined && result.outcome !== 'verification-failed') {
    const method = result.request.method ?? (result.request.body !== undefined ? 'POST' : 'GET');
    lines.push(`> ${method} ${url.pathname}${url.search} [probe: request sent; no answer]`);
  }
  for (const event of laterRecords) {
    const line = recordLine(event, version);
    if (line) lines.push(line);
  }
  if (result.http) {
    lines.push(...responseHeaderLines(result).map((l) => `< ${l}`));
    lines.push('< ');
  }
  if (result.curlExitCode !== 0) {
    lines.push('* Closing connection');
    lines.push(`agw-workshop probe: (${result.curlExitCode}) ${result.error ?? result.outcome}`);
  }
  let text = `${lines.join('\n')}\n`;
  if (options.body !== false && result.http) text += result.http.body + (result.http.bodyTruncated ? '\n[... body truncated]\n' : '');
  return text;
}

/** Status line and headers, as `curl -i` prints them. */
export function responseHeaderLines(result: ProbeResult): string[] {
  if (!result.http) return [];
  const { version, status, headers } = result.http;
  const lines = [version === '2' ? `HTTP/2 ${status}` : `HTTP/1.1 ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  return lines;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  421: 'Misdirected Request', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function renderJson(result: ProbeResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
