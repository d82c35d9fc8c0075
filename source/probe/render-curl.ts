// A ProbeResult as `curl -v` prints it, from the recorded facts. Lines curl
// cannot show (records the probe could only see encrypted, EOF/RST) are
// marked as the probe's own; nothing here is invented.
import { urlHostPort } from './target.js';
import { curlRefusalAlert } from './certificates.js';
import { alertName, curlAlertLabel, curlAlertUnnamed, curlHandshakeLabel } from './tls-names.js';
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

function recordLine(event: RecordEvent, version: string, probeOnly = false): string | undefined {
  const dir = event.direction === 'out' ? 'OUT' : 'IN';
  const prefix = probeOnly || curlOmits(event, version) ? `* [probe] ${event.version ?? version} (${dir}),` : `* ${event.version ?? version} (${dir}),`;
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
      if (!event.alert) return `${prefix} TLS alert, [encrypted]:`;
      // curl prints OpenSSL's text, which has none for some alerts (certificate_required is "unknown (628)"): name it on a line of our own.
      return `${prefix} TLS alert, ${curlAlertLabel(event.alert.level, event.alert.code)}:${
        curlAlertUnnamed(event.alert.code) ? `\n* [probe] alert ${event.alert.code} is ${event.alert.description} (${event.alert.level})` : ''
      }`;
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

/**
 * curl's name-check lines (lib/vtls/openssl.c verifyhost): against the DNS/IP
 * subjectAltNames when the certificate has any, else against the CN. A
 * mismatch prints only its failure line, which is the verification reason.
 */
function nameCheckLine(result: ProbeResult, leaf: CertificateSummary): string | undefined {
  const name = result.clientHello?.sni ?? new URL(result.request.url).hostname;
  const verification = result.tls?.verification;
  if (verification?.nameCheckedAgainst === 'commonName') {
    return verification.nameMatched ? `*  common name: ${verification.commonName ?? name} (matched)` : undefined;
  }
  const names = leaf.subjectAltNames.filter((s) => s.startsWith('DNS:') || s.startsWith('IP Address:'));
  if (!verification?.nameMatched) return `*  subjectAltName does not match ${name}`;
  const ip = names.find((n) => n === `IP Address:${name}`);
  if (ip) return `*  subjectAltName: host "${name}" matched cert's IP address!`;
  const dns = names.map((n) => n.replace(/^DNS:/, ''));
  const match = dns.find((n) => n.toLowerCase() === name.toLowerCase()) ?? dns.find((n) => n.startsWith('*.')) ?? dns[0] ?? name;
  return `*  subjectAltName: host "${name}" matched cert's "${match}"`;
}

/**
 * Where curl stops a handshake whose chain it does not trust: right after the
 * server's Certificate, sending an alert. node:tls has no hook there, so the
 * probe finishes the handshake (to record the chain) and closes; its records
 * from that point are shown as its own.
 */
function refusalPoint(records: RecordEvent[]): number {
  const index = records.findIndex((r) => r.direction === 'in' && r.handshakeType === 11 && !r.encrypted);
  return index < 0 ? records.length : index + 1;
}

export interface RenderCurlOptions {
  /** Append the response body (default true). */
  body?: boolean;
}

export function renderCurlVerbose(result: ProbeResult, options: RenderCurlOptions = {}): string {
  const lines: string[] = [];
  const url = new URL(result.request.url);
  const { host, port } = urlHostPort(url);
  const version = result.tls?.version ?? 'TLSv1.3';

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
  const tls = result.tls;
  const v = tls?.verification;
  const handshakeDone = tls?.verification && tls.peerChain.length > 0 && tls.version && result.timings.tlsMs !== undefined;
  // curl refuses an untrusted chain inside the handshake; a name mismatch only after it.
  const refusedChain = Boolean(handshakeDone && v && !v.trusted && !result.request.insecure);
  if (url.protocol === 'https:' && result.connect) {
    const alpn = result.clientHello?.alpn ?? [];
    if (alpn.length) lines.push(`* ALPN: curl offers ${alpn.join(',')}`);
    if (result.clientHello?.offersSession) lines.push('* SSL re-using session ID');
    if (result.clientHello && result.clientHello.sni === undefined) lines.push('* [probe] no SNI sent');
    const cut = refusedChain ? refusalPoint(handshakeRecords) : handshakeRecords.length;
    for (const event of handshakeRecords.slice(0, cut)) {
      const line = recordLine(event, version);
      if (line) lines.push(line);
    }
    if (refusedChain && v) {
      const alert = curlRefusalAlert(v.errorCode ?? '');
      lines.push(`* [probe] curl sends here: ${version} (OUT), TLS alert, ${curlAlertLabel('fatal', alert)}: (${alertName(alert)}) and stops.`);
      lines.push('* [probe] node:tls cannot refuse during the handshake: the probe finished it to record the chain, then closed without a request');
      for (const event of handshakeRecords.slice(cut)) {
        const line = recordLine(event, version, true);
        if (line) lines.push(line);
      }
      const leaf = tls?.peerChain[0];
      if (leaf) lines.push(`* [probe] the untrusted certificate: subject: ${leaf.subject}; issuer: ${leaf.issuer}`);
    }
  } else {
    for (const event of result.records) {
      if (event.what === 'EOF' || event.what === 'RST' || event.what === 'NotTLS') {
        const line = recordLine(event, version);
        if (line) lines.push(line);
      }
    }
  }

  if (tls && v && handshakeDone && !refusedChain) {
    lines.push(`* SSL connection using ${tls.version} / ${tls.cipher ?? 'unknown cipher'}`);
    if (result.clientHello?.alpn.length) lines.push(tls.alpn ? `* ALPN: server accepted ${tls.alpn}` : '* ALPN: server did not agree on a protocol. Uses default.');
    const leaf = tls.peerChain[0];
    const nameFailed = !v.nameMatched && !result.request.insecure;
    if (leaf) {
      lines.push('* Server certificate:');
      lines.push(`*  subject: ${leaf.subject}`);
      lines.push(`*  start date: ${opensslDate(leaf.notBefore)}`);
      lines.push(`*  expire date: ${opensslDate(leaf.notAfter)}`);
      // -k turns curl's name check off altogether.
      const nameLine = result.request.insecure ? undefined : nameCheckLine(result, leaf);
      if (nameLine) lines.push(nameLine);
      if (!nameFailed) lines.push(`*  issuer: ${leaf.issuer}`);
    }
    if (v.trusted && v.nameMatched) lines.push('*  SSL certificate verify ok.');
    else if (result.request.insecure) lines.push(`*  SSL certificate verify result: ${(v.reason ?? 'failed').replace(/^SSL certificate problem: /, '')}, continuing anyway.`);
    else if (v.reason) lines.push(`* ${v.reason}`);
  } else if (refusedChain && v?.reason) {
    lines.push(`* ${v.reason}`);
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
  const { version, status, headers, statusLine } = result.http;
  const lines = [version === '2' ? `HTTP/2 ${status}` : (statusLine ?? `HTTP/1.1 ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`)];
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
