// Small readers over a ProbeResult that the catalogue's sentences use, so the
// entries say "SNI mock-openai-baz.glootest.com", not "the SNI".
import { urlHostPort } from '../probe/target.js';
import type { ProbeResult } from '../probe/types.js';

export function urlOf(result: ProbeResult): URL {
  return new URL(result.request.url);
}

export function hostOf(result: ProbeResult): string {
  return urlHostPort(urlOf(result)).host;
}

export function portOf(result: ProbeResult): string {
  return String(urlHostPort(urlOf(result)).port);
}

/** The SNI actually sent (from the recorded ClientHello). */
export function sniOf(result: ProbeResult): string | undefined {
  return result.clientHello?.sni;
}

export function addressOf(result: ProbeResult): string {
  return result.connect ? `${result.connect.address}:${result.connect.port}` : `${hostOf(result)}:${portOf(result)}`;
}

export function leafOf(result: ProbeResult) {
  return result.tls?.peerChain[0];
}

export function sanList(result: ProbeResult): string {
  const leaf = leafOf(result);
  const names = leaf?.subjectAltNames.map((n) => n.replace(/^(DNS|IP Address|URI):/, '')) ?? [];
  return names.length ? names.join(', ') : 'none';
}

/** Whether the server sent anything at all before closing. */
export function serverSpoke(result: ProbeResult): boolean {
  return result.records.some((r) => r.direction === 'in' && r.what !== 'EOF' && r.what !== 'RST');
}

export function trustSource(result: ProbeResult): string {
  return result.request.caFile ? `the CA bundle ${result.request.caFile} (--cacert)` : "the system's trusted CAs";
}

export function header(result: ProbeResult, name: string): string | undefined {
  const value = result.http?.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function hostHeader(result: ProbeResult): string {
  const given = result.request.headers?.find(([n]) => n.toLowerCase() === 'host')?.[1];
  return given ?? urlOf(result).host;
}
