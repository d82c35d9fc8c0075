// The probe's request as a command line a learner can paste: `curl -v …`
// (the runner's equivalent command) and `agw-workshop probe …` (the
// playground's). The parser of the same command lines is curl-args.ts; both
// quote with shell-quote.ts.
import type { ProbeRequest } from './types.js';
import { shellQuote } from './shell-quote.js';

/**
 * The URL's parts as written. Not WHATWG URL parsing: lesson URLs may hold
 * variables such as ${GATEWAY_IP}, which URL parsing would lowercase.
 */
export function urlParts(url: string): { scheme: string; host: string; hostname: string; path: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!m) return { scheme: 'https', host: url, hostname: url, path: '/' };
  const host = m[2]!;
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return { scheme: m[1]!.toLowerCase(), host, hostname, path: m[3] || '/' };
}

/** curl with the same request the probe sends. */
export function curlCommand(request: ProbeRequest): string {
  const parts = ['curl -v'];
  let url = request.url;
  const resolve = [...(request.resolve ?? [])];
  const headers = [...(request.headers ?? [])];
  if (typeof request.sni === 'string') {
    // curl takes SNI from the URL host: send to the SNI name, keep the Host header of the original URL.
    const parsed = new URL(request.url);
    if (parsed.hostname !== request.sni) {
      const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
      const addr = resolve.find((r) => r.startsWith(`${parsed.hostname}:${port}:`))?.split(':').slice(2).join(':');
      if (addr) resolve.push(`${request.sni}:${port}:${addr}`);
      if (!headers.some(([k]) => k.toLowerCase() === 'host')) headers.push(['Host', parsed.host]);
      parsed.hostname = request.sni;
      url = parsed.toString();
    }
  }
  if (request.insecure) parts.push('-k');
  for (const r of resolve) parts.push(`--resolve ${shellQuote(r)}`);
  for (const c of request.connectTo ?? []) parts.push(`--connect-to ${shellQuote(c)}`);
  if (request.caFile) parts.push(`--cacert ${shellQuote(request.caFile)}`);
  if (request.certFile) parts.push(`--cert ${shellQuote(request.certFile)}`);
  if (request.keyFile) parts.push(`--key ${shellQuote(request.keyFile)}`);
  if (request.httpVersion === '1.1' || (request.alpn && !request.alpn.includes('h2'))) parts.push('--http1.1');
  if (request.tlsMinVersion === 'TLSv1.3') parts.push('--tlsv1.3');
  if (request.tlsMaxVersion) parts.push(`--tls-max ${request.tlsMaxVersion.slice(4)}`);
  if (request.method && !(request.method === 'POST' && request.body !== undefined) && request.method !== 'GET') parts.push(`-X ${request.method}`);
  for (const [k, v] of headers) parts.push(`-H ${shellQuote(`${k}: ${v}`)}`);
  if (request.body !== undefined) parts.push(`-d ${shellQuote(request.body)}`);
  if (request.maxTimeMs) parts.push(`--max-time ${Math.ceil(request.maxTimeMs / 1000)}`);
  parts.push(shellQuote(url));
  return parts.join(' ');
}

/** The same probe typed by hand: `agw-workshop probe` takes curl's flags plus --sni. */
export function probeCommand(request: ProbeRequest): string {
  const parts = ['agw-workshop probe'];
  for (const r of request.resolve ?? []) parts.push('--resolve', shellQuote(r));
  for (const c of request.connectTo ?? []) parts.push('--connect-to', shellQuote(c));
  const { hostname } = urlParts(request.url);
  if (request.sni === null) parts.push('--sni', "''");
  else if (request.sni !== undefined && request.sni !== hostname) parts.push('--sni', shellQuote(request.sni));
  if (request.caFile) parts.push('--cacert', shellQuote(request.caFile));
  if (request.certFile) parts.push('--cert', shellQuote(request.certFile));
  if (request.keyFile) parts.push('--key', shellQuote(request.keyFile));
  if (request.insecure) parts.push('-k');
  if (request.httpVersion === '1.1') parts.push('--http1.1');
  else if (request.httpVersion === '2') parts.push('--http2');
  if (request.method && request.method !== 'GET' && !(request.method === 'POST' && request.body)) parts.push('-X', request.method);
  for (const [k, v] of request.headers ?? []) parts.push('-H', shellQuote(`${k}: ${v}`));
  if (request.body) parts.push('-d', shellQuote(request.body));
  parts.push(shellQuote(request.url));
  return parts.join(' ');
}
